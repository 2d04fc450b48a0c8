"""Shared helpers for the bench's Python cases.

Each script is run as ``python3 <script> <case> '<json params>'`` and prints one JSON line,
``{"samples": [...], "extra": {...}}``, as its last line of output. Timing happens here, in
Python, around exactly the work the matching Node case times.
"""
import json
import sys
import time


def per_second(count, seconds):
    return count / seconds if seconds > 0 else float("inf")


def clock():
    return time.perf_counter()


# Warm-up samples each case takes first and discards (the harness's --warmup, sent as the
# "warmup" parameter). Set by main() before the case runs, so a Pool worker forked by the case
# sees it too.
WARMUP = 0


def main(cases):
    """Runs one case. With a "runs" parameter, it takes WARMUP more samples and drops the first ones."""
    global WARMUP
    name = sys.argv[1]
    params = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    WARMUP = params.pop("warmup", 0)
    result = cases[name](**params)
    if "runs" in params:
        result["samples"] = result["samples"][WARMUP:]
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


MIN_SAMPLES = 3
SAMPLE_BUDGET_S = 20.0


def budgeted(runs, warmup=None):
    """Yields WARMUP + up to `runs` times; after MIN_SAMPLES kept ones, stops once SAMPLE_BUDGET_S
    has passed since the warm-up.

    The same rule as the Node harness, so a slow case keeps the whole bench under 10 minutes.
    Every loop over budgeted() appends one sample per turn; main() drops the warm-up ones. Code
    that runs in a Pool worker passes `warmup` itself, since a worker started by spawn or
    forkserver does not see main()'s WARMUP.
    """
    warmup = WARMUP if warmup is None else warmup
    for i in range(warmup):
        yield i
    started = clock()
    for i in range(runs):
        if i >= MIN_SAMPLES and clock() - started > SAMPLE_BUDGET_S:
            return
        yield warmup + i


def timed(runs, body, count, warmup=None):
    """Runs body() up to `runs` times (budgeted); one sample a run: `count` per second."""
    samples = []
    for _ in budgeted(runs, warmup):
        t0 = clock()
        body()
        samples.append(per_second(count, clock() - t0))
    return samples


def item(i):
    """The small object of every one-way case, the same shape the Node cases send."""
    return {"id": i, "name": "item", "value": 1.5}


def one_way(send_count, send_item, wait_done, n, runs, count=None):
    """The parent's side of a one-way case: the count n, n items, then the sink's answer.

    Timed from the count to the answer, so each sample includes the final wake-up.
    """

    def run():
        send_count(n)
        for i in range(n):
            send_item(i)
        wait_done()

    return timed(runs, run, count or n)


def sink(get_count, take, done):
    """The child's side of one_way(): takes n items per count, answers "done"; None ends it."""
    while True:
        n = get_count()
        if n is None:
            return
        for _ in range(n):
            take()
        done("done")


def lock_pairs(lock, n, runs, warmup=None):
    """n acquire/release pairs on any lock, timed as one sample a run."""

    def run():
        for _ in range(n):
            lock.acquire()
            lock.release()

    return timed(runs, run, n, warmup)
