"""Manager and connection cases: a manager Lock's acquire/release pairs and a manager dict's
set/get pairs, made from a child process (and each from two at once, taking turns); the floor under them (two round trips on a bare
socket); small objects one way from a Client to a Listener.

Manager cases time themselves in the child (a Pool of one process, so the proxy travels as a task
argument, as users pass it) and return their samples; the Listener case times in the parent,
from the count to the child's answer, like ipc.py.
"""
import os
import socket
import tempfile
from multiprocessing import Manager, Pool, Process
from multiprocessing.connection import Client, Listener

import common
from common import item, lock_pairs, main, one_way, sink, timed

AUTHKEY = b"bench"


def dict_pairs(d, n, runs, warmup):
    def run():
        for i in range(n):
            d["k"] = i
            d["k"]

    return timed(runs, run, n, warmup)


def case_lock(n, runs):
    with Manager() as manager, Pool(1) as pool:
        lock = manager.Lock()
        return {"samples": pool.apply(lock_pairs, (lock, n, runs, common.WARMUP))}


def pairs_together(start, lock, n):
    start.wait()
    for _ in range(n):
        lock.acquire()
        lock.release()


def dict_pairs_together(start, d, n):
    start.wait()
    for i in range(n):
        d["k"] = i
        d["k"]


def two_at_once(manager, pool, pairs, shared, n, runs):
    """Two pool children each make n pairs (`pairs(start, shared, n)`) at once, a manager Barrier
    starting both: their samples, all pairs per second, timed here."""
    start = manager.Barrier(2)

    def both(count):
        calls = [pool.apply_async(pairs, (start, shared, count)) for _ in range(2)]
        for c in calls:
            c.get()

    both(20)  # warm: both children connect

    def run():
        both(n)

    return timed(runs, run, 2 * n)


def case_contended(n, runs):
    """Two pool children each make n pairs on one lock at once (a manager Barrier starts both):
    all pairs per second, timed here."""
    with Manager() as manager, Pool(2) as pool:
        return {"samples": two_at_once(manager, pool, pairs_together, manager.Lock(), n, runs)}


def case_dict_contended(n, runs):
    """Two pool children each make n set/get pairs on one dict at once (a manager Barrier starts
    both): all pairs per second, timed here."""
    with Manager() as manager, Pool(2) as pool:
        return {"samples": two_at_once(manager, pool, dict_pairs_together, manager.dict(), n, runs)}


def case_dict(n, runs):
    with Manager() as manager, Pool(1) as pool:
        d = manager.dict()
        return {"samples": pool.apply(dict_pairs, (d, n, runs, common.WARMUP))}


def echo_server(path, ready):
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        ready.set()
        conn, _ = server.accept()
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)


def socket_pairs(path, n, runs, warmup):
    frame = bytes([1] * 16)
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)

        def run():
            for _ in range(n):
                s.sendall(frame)
                s.recv(65536)
                s.sendall(frame)
                s.recv(65536)

        return timed(runs, run, n, warmup)


def case_floor(n, runs):
    """The floor under a manager pair: two round trips on a bare socket to an echo process."""
    from multiprocessing import Event

    path = os.path.join(tempfile.mkdtemp(), "floor.sock")
    ready = Event()
    server = Process(target=echo_server, args=(path, ready))
    server.start()
    ready.wait()
    try:
        with Pool(1) as pool:
            return {"samples": pool.apply(socket_pairs, (path, n, runs, common.WARMUP))}
    finally:
        server.join(5)
        if server.is_alive():
            server.terminate()
        os.unlink(path)


def client_sink(address):
    with Client(address, authkey=AUTHKEY) as conn:
        sink(conn.recv, conn.recv, conn.send)


def case_listener(n, runs):
    with Listener(authkey=AUTHKEY) as listener:
        p = Process(target=client_sink, args=(listener.address,))
        p.start()
        with listener.accept() as conn:
            samples = one_way(conn.send, lambda i: conn.send(item(i)), conn.recv, n, runs)
            conn.send(None)
        p.join()
    return {"samples": samples}


if __name__ == "__main__":
    main({"lock": case_lock, "contended": case_contended, "dict": case_dict, "dictContended": case_dict_contended, "floor": case_floor, "listener": case_listener})
