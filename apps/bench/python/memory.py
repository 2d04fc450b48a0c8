"""Peak RSS growth of the parent while Pool.imap consumes a long generator.

The peak is sampled from /proc/self/statm every 5 ms by a thread: ru_maxrss cannot be used, since
Linux carries it across fork and exec, so a child started by a large parent would report the
parent's size. The baseline is the resident size after the pool is started and warm.
"""
import resource
import threading
from multiprocessing import Pool

from common import clock, main


def square(x):
    return x * x


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def case_imap(n, chunksize):
    with Pool(2) as pool:
        pool.map(square, range(1000))
        baseline = rss_bytes()
        peak = [baseline]
        stop = threading.Event()

        def sample():
            while not stop.wait(0.005):
                peak[0] = max(peak[0], rss_bytes())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = clock()
        total = 0
        for v in pool.imap(square, (i for i in range(n)), chunksize):
            total += v
        elapsed = clock() - t0
        stop.set()
        sampler.join()
        peak = max(peak[0], rss_bytes())
    growth_mb = max(0, peak - baseline) / 1e6
    return {"samples": [growth_mb], "extra": {"chunksize": chunksize, "seconds": elapsed}}


if __name__ == "__main__":
    main({"imap": case_imap})
