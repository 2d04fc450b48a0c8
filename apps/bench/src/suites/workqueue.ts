/**
 * The work queue, the most common use of a Queue (issue 13): 2 producers and 2 consumers share one
 * JoinableQueue, each producer putting n small objects, each consumer taking them one `get()` at a
 * time and marking each done. One sample: both producers told to go, both done, then `join()`.
 * The workers live for the whole case, so start-up is not timed. Against Python's
 * `JoinableQueue` with 4 processes, timed the same way.
 */
import { nowMs, perSecond, sampleRuns } from '../harness.js';
import { mpTasks, multiproc, needs } from '../mp.js';
import { pythonUnavailable, runPython } from '../python.js';
import type { BenchCase } from '../types.js';

type Ctx = 'thread' | 'process';
const WORKERS = 2;

function base(id: string, impl: string, kind: BenchCase['kind']) {
  return {
    id: `ipc/workqueue/${id}`,
    suite: 'ipc' as const,
    group: 'ipc.workqueue',
    title: `work queue: ${WORKERS} producers x ${WORKERS} consumers, small objects`,
    impl,
    kind,
    unit: 'items/s' as const,
    better: 'higher' as const,
  };
}

function mpWorkQueue(ctx: Ctx): BenchCase {
  return {
    ...base(`multiproc-${ctx}`, `multiproc JoinableQueue (${ctx})`, 'multiproc'),
    unavailable: needs(['JoinableQueue', 'Queue', 'Process']),
    measure: async ({ runs, warmup, sizes }) => {
      const mp = await multiproc();
      const tasks = await mpTasks();
      const jobs = new mp.JoinableQueue();
      const go = new mp.Queue();
      const done = new mp.Queue();
      const workers = [
        ...Array.from(
          { length: WORKERS },
          () => new mp.Process({ target: tasks.workConsumer, args: [jobs], context: ctx }),
        ),
        ...Array.from(
          { length: WORKERS },
          (_, id) => new mp.Process({ target: tasks.workProducer, args: [go, jobs, done, id], context: ctx }),
        ),
      ];
      for (const w of workers) w.start();
      const round = async (n: number) => {
        for (let i = 0; i < WORKERS; i++) await go.put(n);
        for (let i = 0; i < WORKERS; i++) await done.get();
        await jobs.join();
      };
      try {
        await round(100); // every worker is up
        const n = sizes.roundTrips;
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          await round(n);
          return perSecond(WORKERS * n, nowMs() - t0);
        });
        for (let i = 0; i < WORKERS; i++) {
          await go.put(null);
          await jobs.put(null);
        }
        for (const w of workers) await w.join();
        return { samples };
      } finally {
        for (const w of workers) if (w.isAlive()) await w.terminate();
      }
    },
  };
}

const pythonWorkQueue: BenchCase = {
  ...base('python', `python JoinableQueue (${WORKERS}+${WORKERS} processes)`, 'python'),
  unavailable: pythonUnavailable,
  measure: ({ runs, warmup, sizes }) =>
    runPython('ipc.py', 'workqueue', { n: sizes.roundTrips, runs, warmup }),
};

/** The work-queue cases of the `ipc` suite. */
export function workQueueCases(): BenchCase[] {
  return [mpWorkQueue('thread'), mpWorkQueue('process'), pythonWorkQueue];
}
