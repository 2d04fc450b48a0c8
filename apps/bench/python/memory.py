"""Peak RSS growth of the parent while Pool.imap consumes a long generator.

One run per invocation: ru_maxrss is a lifetime peak, so each sample needs a fresh interpreter.
The baseline is the resident size after the pool is started and warm.
"""
import resource
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
        t0 = clock()
        total = 0
        for v in pool.imap(square, (i for i in range(n)), chunksize):
            total += v
        elapsed = clock() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    growth_mb = max(0, peak - baseline) / 1e6
    return {"samples": [growth_mb], "extra": {"chunksize": chunksize, "seconds": elapsed}}


if __name__ == "__main__":
    main({"imap": case_imap})
