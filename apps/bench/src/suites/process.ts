/**
 * Suite `process`: start + join of a trivial target (issue 4) against bare `new Worker()` /
 * `fork()` to exit and Python's `Process` (fork and spawn); and the CPU an idle parent uses while
 * it waits in `join()`. Each sample is the mean of `starts` start+join cycles.
 */

import { bareImportStart, type FloorImport } from '../floors.js';
import { nowMs, sampleRuns, sleep, waitUntil } from '../harness.js';
import { mpStartTasks, mpTasks, multiproc, needs } from '../mp.js';
import { pythonUnavailable, runPython } from '../python.js';
import { bareFork, bareWorker } from '../raw.js';
import type { BenchCase } from '../types.js';
import { importCases } from './import.js';
import { programCases } from './program.js';

const TITLE = 'start + join of a trivial target';
/** How long a replacement spare gets to boot between two timed starts. */
const SPARE_READY_MS = 400;

/**
 * The mean of `starts` timed calls. The harness's warm-up sample (the same for every row, Python's
 * included) keeps the parent's first start, with its lazy imports, out of the figures.
 */
async function meanOf(starts: number, once: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < starts; i++) total += await once();
  return total / starts;
}

function mpStart(context: 'thread' | 'process'): BenchCase {
  return {
    id: `process/start/multiproc-${context}`,
    suite: 'process',
    group: `process.start-${context}`,
    title: TITLE,
    impl: `multiproc Process (${context})`,
    kind: 'multiproc',
    unit: 'ms',
    better: 'lower',
    unavailable: needs(['Process', 'defineTasks']),
    measure: async ({ runs, warmup, sizes }) => {
      const mp = await multiproc();
      const tasks = await mpStartTasks();
      const once = async () => {
        const t0 = nowMs();
        const p = new mp.Process({ target: tasks.noop, context });
        p.start();
        await p.join();
        const ms = nowMs() - t0;
        if (p.exitCode !== 0) throw new Error(`exitCode ${p.exitCode}`);
        p.close?.();
        return ms;
      };
      return { samples: await sampleRuns({ runs, warmup }, () => meanOf(sizes.starts, once)) };
    },
  };
}

function bare(which: 'worker' | 'fork'): BenchCase {
  return {
    id: `process/start/bare-${which}`,
    suite: 'process',
    group: which === 'worker' ? 'process.start-thread' : 'process.start-process',
    title: TITLE,
    impl: which === 'worker' ? 'bare new Worker() to exit' : 'bare child_process.fork() to exit',
    kind: 'baseline',
    unit: 'ms',
    better: 'lower',
    measure: async ({ runs, warmup, sizes }) => {
      const once = which === 'worker' ? bareWorker : bareFork;
      return { samples: await sampleRuns({ runs, warmup }, () => meanOf(sizes.starts, once)) };
    },
  };
}

/**
 * The floor: a bare worker or child whose module imports the umbrella (what a task module does).
 * With `tinypool`, the same whose module imports a peer library instead: what importing any
 * library of that size adds to a bare start, so a target read against the bare row has a limit.
 */
function floor(runtime: 'thread' | 'process', what: FloorImport = 'umbrella'): BenchCase {
  const bareStart = runtime === 'thread' ? 'new Worker()' : 'fork()';
  return {
    id: `process/start/${what === 'umbrella' ? 'floor' : `${what}-floor`}-${runtime}`,
    suite: 'process',
    group: `process.start-${runtime}`,
    title: TITLE,
    impl:
      what === 'umbrella'
        ? `floor: bare ${bareStart} importing the umbrella, to exit`
        : `peer: bare ${bareStart} importing ${what}, to exit`,
    kind: 'baseline',
    unit: 'ms',
    better: 'lower',
    measure: async ({ runs, warmup, sizes }) => {
      return {
        samples: await sampleRuns({ runs, warmup }, () =>
          meanOf(sizes.starts, () => bareImportStart(runtime, what)),
        ),
      };
    },
  };
}

function python(method: 'fork' | 'spawn'): BenchCase {
  return {
    id: `process/start/python-${method}`,
    suite: 'process',
    group: 'process.start-process',
    title: TITLE,
    impl: `python Process (${method})`,
    kind: 'python',
    unit: 'ms',
    better: 'lower',
    unavailable: pythonUnavailable,
    measure: ({ runs, warmup, sizes }) =>
      runPython('process.py', 'start', { method, starts: sizes.starts, runs, warmup }),
  };
}

function warmSpare(context: 'thread' | 'process'): BenchCase {
  return {
    id: `process/start/multiproc-spare-${context}`,
    suite: 'process',
    group: `process.spare-${context}`,
    title: 'start + join while a warm spare is ready',
    impl: `multiproc Process (${context}, warm spare)`,
    kind: 'multiproc',
    unit: 'ms',
    better: 'lower',
    unavailable: needs(['Process', 'enableWarmStart', 'disableWarmStart']),
    measure: async ({ runs, warmup, sizes }) => {
      const mp = await multiproc();
      const tasks = await mpStartTasks();
      mp.enableWarmStart({ context, preload: [tasks.noop] });
      try {
        // Untimed: give the replacement spare time to boot and preload before each timed start.
        const once = async () => {
          await sleep(SPARE_READY_MS);
          const t0 = nowMs();
          const p = new mp.Process({ target: tasks.noop, context });
          p.start();
          await p.join();
          const ms = nowMs() - t0;
          if (p.exitCode !== 0) throw new Error(`exitCode ${p.exitCode}`);
          return ms;
        };
        return { samples: await sampleRuns({ runs, warmup }, () => meanOf(Math.min(sizes.starts, 5), once)) };
      } finally {
        mp.disableWarmStart();
      }
    },
  };
}

/** CPU used by this whole process (all threads) per wall ms, in percent of one core. */
export async function cpuPercentOver(ms: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = nowMs();
  await sleep(ms);
  const used = process.cpuUsage(c0);
  return ((used.user + used.system) / 1000 / (nowMs() - t0)) * 100;
}

const idleJoin: BenchCase = {
  id: 'process/idle-join/multiproc-thread',
  suite: 'process',
  group: 'process.idle-join',
  title: 'CPU used while join() waits on a sleeping target',
  impl: 'multiproc Process (thread)',
  kind: 'multiproc',
  unit: '%',
  better: 'lower',
  unavailable: needs(['Process', 'defineTasks']),
  measure: async ({ runs, warmup, sizes }) => {
    const mp = await multiproc();
    const tasks = await mpTasks();
    const samples = await sampleRuns({ runs, warmup }, async () => {
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const p = new mp.Process({ target: tasks.sleepMs, args: [sizes.idleMs + 300, flag.buffer] });
      p.start();
      const joined = p.join();
      await waitUntil(flag, 0, 1, () => p.exitCode !== null); // start-up is over: the target is asleep
      await sleep(20);
      const pct = await cpuPercentOver(sizes.idleMs);
      await joined;
      return pct;
    });
    return { samples };
  },
};

/** The `process` suite. */
export function processCases(): BenchCase[] {
  return [
    mpStart('thread'),
    bare('worker'),
    floor('thread'),
    floor('thread', 'tinypool'),
    mpStart('process'),
    bare('fork'),
    floor('process'),
    floor('process', 'tinypool'),
    python('fork'),
    python('spawn'),
    warmSpare('thread'),
    warmSpare('process'),
    idleJoin,
    ...importCases(),
    ...programCases(),
  ];
}
