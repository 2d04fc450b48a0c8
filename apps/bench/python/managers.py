"""Manager and connection cases: a manager Lock's acquire/release pairs and a manager dict's
set/get pairs, made from a child process; the floor under them (two round trips on a bare
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

from common import budgeted, clock, main, per_second

AUTHKEY = b"bench"


def item(i):
    return {"id": i, "name": "item", "value": 1.5}


def lock_pairs(lock, n, runs):
    samples = []
    for _ in budgeted(runs):
        t0 = clock()
        for _ in range(n):
            lock.acquire()
            lock.release()
        samples.append(per_second(n, clock() - t0))
    return samples


def dict_pairs(d, n, runs):
    samples = []
    for _ in budgeted(runs):
        t0 = clock()
        for i in range(n):
            d["k"] = i
            d["k"]
        samples.append(per_second(n, clock() - t0))
    return samples


def case_lock(n, runs):
    with Manager() as manager, Pool(1) as pool:
        lock = manager.Lock()
        return {"samples": pool.apply(lock_pairs, (lock, n, runs))}


def case_dict(n, runs):
    with Manager() as manager, Pool(1) as pool:
        d = manager.dict()
        return {"samples": pool.apply(dict_pairs, (d, n, runs))}


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


def socket_pairs(path, n, runs):
    frame = bytes([1] * 16)
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        samples = []
        for _ in budgeted(runs):
            t0 = clock()
            for _ in range(n):
                s.sendall(frame)
                s.recv(65536)
                s.sendall(frame)
                s.recv(65536)
            samples.append(per_second(n, clock() - t0))
    return samples


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
            return {"samples": pool.apply(socket_pairs, (path, n, runs))}
    finally:
        server.join(5)
        if server.is_alive():
            server.terminate()
        os.unlink(path)


def client_sink(address):
    with Client(address, authkey=AUTHKEY) as conn:
        while True:
            n = conn.recv()
            if n is None:
                return
            for _ in range(n):
                conn.recv()
            conn.send("done")


def case_listener(n, runs):
    with Listener(authkey=AUTHKEY) as listener:
        p = Process(target=client_sink, args=(listener.address,))
        p.start()
        with listener.accept() as conn:
            samples = []
            for _ in budgeted(runs):
                t0 = clock()
                conn.send(n)
                for i in range(n):
                    conn.send(item(i))
                conn.recv()
                samples.append(per_second(n, clock() - t0))
            conn.send(None)
        p.join()
    return {"samples": samples}


if __name__ == "__main__":
    main({"lock": case_lock, "dict": case_dict, "floor": case_floor, "listener": case_listener})
