"""Python's side of bytes-cpu.mjs: Pipe.send_bytes of 64 KiB, each side's CPU time per message.
python3 experiments/bytes-cpu.py [samples=5] [messages=4096]"""
import sys, time
from multiprocessing import Pipe, Process


def sink(conn):
    while True:
        n = conn.recv()
        if n is None:
            return
        t = time.process_time()
        for _ in range(n):
            conn.recv_bytes()
        conn.send(time.process_time() - t)


if __name__ == '__main__':
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    a, b = Pipe()
    p = Process(target=sink, args=(b,))
    p.start()
    buf = bytes(65536)
    rows = []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        a.send(n)
        for _ in range(n):
            a.send_bytes(buf)
        child = a.recv()
        dt, pc = time.perf_counter() - t0, time.process_time() - c0
        rows.append((n * 65536 / dt / 2**30, pc * 1e6 / n, child * 1e6 / n))
    a.send(None)
    p.join()
    med = lambda k: sorted(r[k] for r in rows)[len(rows) // 2]
    print({'gibs': round(med(0), 3), 'senderCpuUs': round(med(1), 1), 'readerCpuUs': round(med(2), 1)})
