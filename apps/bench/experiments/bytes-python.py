"""Issue 13 experiment (by hand): Python's Pipe.send_bytes of 64 KiB, sized like the other scripts."""
import time
from multiprocessing import Pipe, Process

SIZE, N = 65536, 8192


def sink(b):
    while True:
        n = b.recv()
        if n is None:
            return
        for _ in range(n):
            b.recv_bytes()
        b.send("done")


if __name__ == "__main__":
    a, b = Pipe()
    p = Process(target=sink, args=(b,))
    p.start()
    buf, samples = bytes(SIZE), []
    for _ in range(5):
        t0 = time.perf_counter()
        a.send(N)
        for _ in range(N):
            a.send_bytes(buf)
        a.recv()
        samples.append(N * SIZE / 2**30 / (time.perf_counter() - t0))
    a.send(None)
    p.join()
    print(f"python Pipe send_bytes: {sorted(samples)[2]:.2f} GiB/s")
