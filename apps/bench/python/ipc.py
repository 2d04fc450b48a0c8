"""IPC cases: one-way small objects over Pipe and Queue, 64 KiB send_bytes over Pipe, and a work
queue (2 producers x 2 consumers on one JoinableQueue).

The child loops: it receives a count n, receives n messages, answers "done". The parent times
from the count to the answer, so each sample is one-way throughput including the final wake-up.
"""
from multiprocessing import JoinableQueue, Pipe, Process, Queue

from common import item, main, one_way, sink, timed

KIB64 = 64 * 1024


def pipe_sink(conn):
    sink(conn.recv, conn.recv, conn.send)


def bytes_sink(conn):
    sink(conn.recv, conn.recv_bytes, conn.send)


def queue_sink(q, done):
    sink(q.get, q.get, done.put)


def case_pipe(n, runs):
    a, b = Pipe()
    p = Process(target=pipe_sink, args=(b,))
    p.start()
    samples = one_way(a.send, lambda i: a.send(item(i)), a.recv, n, runs)
    a.send(None)
    p.join()
    return {"samples": samples}


def case_queue(n, runs):
    q, done = Queue(), Queue()
    p = Process(target=queue_sink, args=(q, done))
    p.start()
    samples = one_way(q.put, lambda i: q.put(item(i)), done.get, n, runs)
    q.put(None)
    p.join()
    return {"samples": samples}


def case_bytes(n, runs):
    a, b = Pipe()
    p = Process(target=bytes_sink, args=(b,))
    p.start()
    buf = bytes(KIB64)
    samples = one_way(a.send, lambda _i: a.send_bytes(buf), a.recv, n, runs, n * KIB64)
    a.send(None)
    p.join()
    return {"samples": samples}


def work_producer(go, jobs, done, ident):
    while True:
        n = go.get()
        if n is None:
            return
        for i in range(n):
            jobs.put({"id": ident, "i": i, "name": "item", "value": 1.5})
        done.put(ident)


def work_consumer(jobs):
    while True:
        job = jobs.get()
        jobs.task_done()
        if job is None:
            return


def case_workqueue(n, runs, workers=2):
    jobs, go, done = JoinableQueue(), Queue(), Queue()
    procs = [Process(target=work_consumer, args=(jobs,)) for _ in range(workers)]
    procs += [Process(target=work_producer, args=(go, jobs, done, i)) for i in range(workers)]
    for p in procs:
        p.start()

    def one_round(count):
        for _ in range(workers):
            go.put(count)
        for _ in range(workers):
            done.get()
        jobs.join()

    one_round(100)
    samples = timed(runs, lambda: one_round(n), workers * n)
    for _ in range(workers):
        go.put(None)
        jobs.put(None)
    for p in procs:
        p.join()
    return {"samples": samples}


if __name__ == "__main__":
    main({"pipe": case_pipe, "queue": case_queue, "bytes": case_bytes, "workqueue": case_workqueue})
