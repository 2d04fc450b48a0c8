"""Issue 19 experiment (by hand), the Python side of manager-cpu.mjs: a Manager().dict() set/get
pair and a Manager().Lock() acquire/release pair from a Pool(1) child, rounds interleaved; wall
rate and CPU per pair in the child (process_time) and in the manager's server process (/proc).
Usage: python3 experiments/manager-cpu.py [pairs per sample] [rounds]"""
import os
import statistics
import sys
import time
from multiprocessing import Manager, Pool

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def pairs(kind, obj, n):
    c0 = time.process_time()
    t0 = time.perf_counter()
    if kind == "dict":
        for i in range(n):
            obj["k"] = i
            obj["k"]
    else:
        for _ in range(n):
            obj.acquire()
            obj.release()
    return n / (time.perf_counter() - t0), (time.process_time() - c0) / n * 1e6


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with Manager() as manager, Pool(1) as pool:
        pid = manager._process.pid
        objs = {"dict": manager.dict(), "lock": manager.Lock()}
        seen = {k: ([], [], []) for k in objs}
        for kind in objs:
            pool.apply(pairs, (kind, objs[kind], 200))
        for _ in range(rounds):
            for kind, obj in objs.items():
                m0 = proc_cpu(pid)
                rate, child = pool.apply(pairs, (kind, obj, n))
                seen[kind][0].append(rate)
                seen[kind][1].append(child)
                seen[kind][2].append((proc_cpu(pid) - m0) / n * 1e6)
    print(f"{n} pairs x {rounds} rounds, medians: pairs/s, CPU us per pair in the child and the manager")
    for kind, (rate, child, mgr) in seen.items():
        print(f"{kind:14} {statistics.median(rate):10.2f} {statistics.median(child):8.2f} {statistics.median(mgr):8.2f}")
