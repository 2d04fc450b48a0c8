"""Pool cases: map/imap throughput, CPU-bound speedup, start-up + first task."""
from multiprocessing import Pool

from common import budgeted, clock, main, per_second


def square(x):
    return x * x


def burn(n):
    x = 0
    for i in range(n):
        x = (x + i * i) % 1000003
    return x


def case_map(n, runs):
    with Pool(2) as pool:
        pool.map(square, range(1000))  # warm: workers started and imported
        samples = []
        for _ in budgeted(runs):
            t0 = clock()
            out = pool.map(square, range(n))
            samples.append(per_second(n, clock() - t0))
        assert out[-1] == (n - 1) * (n - 1)
    return {"samples": samples, "extra": {"chunksize": "default"}}


def case_imap(n, runs):
    with Pool(2) as pool:
        pool.map(square, range(1000))
        samples = []
        for _ in budgeted(runs):
            t0 = clock()
            total = 0
            for v in pool.imap(square, range(n)):
                total += v
            samples.append(per_second(n, clock() - t0))
    return {"samples": samples, "extra": {"chunksize": 1}}


def case_apply(n, runs):
    with Pool(2) as pool:
        pool.map(square, range(1000))
        samples = []
        for _ in budgeted(runs):
            t0 = clock()
            results = [pool.apply_async(square, (x,)) for x in range(n)]
            out = [r.get() for r in results]
            samples.append(per_second(n, clock() - t0))
        assert out[-1] == (n - 1) * (n - 1)
    return {"samples": samples}


def calibrate(task_ms):
    """Iterations of burn() that take about task_ms on one core."""
    n = 20000
    while True:
        t0 = clock()
        burn(n)
        elapsed = clock() - t0
        if elapsed > 0.05:
            return max(1, int(n * task_ms / 1000 / elapsed))
        n *= 2


def case_cpu(tasks, task_ms, runs):
    n = calibrate(task_ms)
    work = [n] * tasks
    with Pool(1) as one, Pool(2) as two:
        one.map(square, range(4))
        two.map(square, range(4), chunksize=1)
        samples = []
        for _ in budgeted(runs):
            t0 = clock()
            one.map(burn, work, chunksize=1)
            t1 = clock()
            two.map(burn, work, chunksize=1)
            t2 = clock()
            samples.append((t1 - t0) / (t2 - t1))
    return {"samples": samples, "extra": {"iterations": n}}


def case_startup(runs):
    samples = []
    for _ in budgeted(runs):
        t0 = clock()
        pool = Pool(2)
        pool.apply(square, (1,))
        samples.append((clock() - t0) * 1000)
        pool.terminate()
        pool.join()
    return {"samples": samples}


if __name__ == "__main__":
    main({"map": case_map, "imap": case_imap, "apply": case_apply, "cpu": case_cpu, "startup": case_startup})
