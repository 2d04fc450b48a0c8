"""IPC cases: one-way small objects over Pipe and Queue, 64 KiB send_bytes over Pipe.

The child loops: it receives a count n, receives n messages, answers "done". The parent times
from the count to the answer, so each sample is one-way throughput including the final wake-up.
"""
from multiprocessing import Pipe, Process, Queue

from common import budgeted, clock, main, per_second

KIB64 = 64 * 1024


def item(i):
    return {"id": i, "name": "item", "value": 1.5}


def pipe_sink(conn):
    while True:
        n = conn.recv()
        if n is None:
            return
        for _ in range(n):
            conn.recv()
        conn.send("done")


def bytes_sink(conn):
    while True:
        n = conn.recv()
        if n is None:
            return
        for _ in range(n):
            conn.recv_bytes()
        conn.send("done")


def queue_sink(q, done):
    while True:
        n = q.get()
        if n is None:
            return
        for _ in range(n):
            q.get()
        done.put("done")


def case_pipe(n, runs):
    a, b = Pipe()
    p = Process(target=pipe_sink, args=(b,))
    p.start()
    samples = []
    for _ in budgeted(runs):
        t0 = clock()
        a.send(n)
        for i in range(n):
            a.send(item(i))
        a.recv()
        samples.append(per_second(n, clock() - t0))
    a.send(None)
    p.join()
    return {"samples": samples}


def case_queue(n, runs):
    q, done = Queue(), Queue()
    p = Process(target=queue_sink, args=(q, done))
    p.start()
    samples = []
    for _ in budgeted(runs):
        t0 = clock()
        q.put(n)
        for i in range(n):
            q.put(item(i))
        done.get()
        samples.append(per_second(n, clock() - t0))
    q.put(None)
    p.join()
    return {"samples": samples}


def case_bytes(n, runs):
    a, b = Pipe()
    p = Process(target=bytes_sink, args=(b,))
    p.start()
    buf = bytes(KIB64)
    samples = []
    for _ in budgeted(runs):
        t0 = clock()
        a.send(n)
        for _ in range(n):
            a.send_bytes(buf)
        a.recv()
        samples.append(per_second(n * KIB64, clock() - t0))
    a.send(None)
    p.join()
    return {"samples": samples}


if __name__ == "__main__":
    main({"pipe": case_pipe, "queue": case_queue, "bytes": case_bytes})
