"""Process start + join of a trivial target, with the fork and spawn start methods."""
import multiprocessing as mp

from common import budgeted, clock, main


def noop():
    pass


def case_start(method, starts, runs):
    ctx = mp.get_context(method)
    samples = []
    for _ in budgeted(runs):
        t0 = clock()
        for _ in range(starts):
            p = ctx.Process(target=noop)
            p.start()
            p.join()
        samples.append((clock() - t0) * 1000 / starts)
    return {"samples": samples, "extra": {"method": method}}


if __name__ == "__main__":
    main({"start": case_start})
