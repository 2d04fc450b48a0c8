"""Shared-memory cases: Lock acquire/release pairs; 2 processes doing locked Value increments."""
from multiprocessing import Barrier, Lock, Process, Value

from common import budgeted, clock, lock_pairs, main, per_second


def case_lock(n, runs):
    return {"samples": lock_pairs(Lock(), n, runs)}


def increment(v, n, start):
    start.wait()  # the clock starts once both processes are up, as in the Node case
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def case_incr(n, runs):
    samples = []
    correct = True
    for _ in budgeted(runs):
        v = Value("i", 0)
        start = Barrier(3)
        procs = [Process(target=increment, args=(v, n, start)) for _ in range(2)]
        for p in procs:
            p.start()
        start.wait()
        t0 = clock()
        for p in procs:
            p.join()
        samples.append(per_second(2 * n, clock() - t0))
        correct = correct and v.value == 2 * n
    return {"samples": samples, "extra": {"correctTotal": correct}}


if __name__ == "__main__":
    main({"lock": case_lock, "incr": case_incr})
