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


def main(cases):
    name = sys.argv[1]
    params = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    result = cases[name](**params)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


MIN_SAMPLES = 3
SAMPLE_BUDGET_S = 20.0


def budgeted(runs):
    """Yields up to `runs` times; after MIN_SAMPLES, stops once SAMPLE_BUDGET_S has passed.

    The same rule as the Node harness, so a slow case keeps the whole bench under 10 minutes.
    """
    started = clock()
    for i in range(runs):
        if i >= MIN_SAMPLES and clock() - started > SAMPLE_BUDGET_S:
            return
        yield i
