/**
 * Suite `pool`, the other half: CPU-bound speedup (8 tasks of ~150 ms, 1 worker vs 2) and pool
 * start-up + first task, for multiproc in both contexts, the Node peers and Python.
 */
import { bareUmbrellaPool } from '../floors.js';
import { nowMs, type SamplePlan, sampleRuns } from '../harness.js';
import { endPool, mpStartTasks, mpTasks, multiproc, needs } from '../mp.js';
import { fixtureUrl } from '../paths.js';
import { createPeer, type PeerName } from '../peers.js';
import { pythonUnavailable, runPython } from '../python.js';
import type { BenchCase, Sizes } from '../types.js';

const SLOW_RUNS = 3;

/** Iterations of `burn` that take about `ms` on one core of this machine (measured here). */
async function calibrate(ms: number): Promise<number> {
  const { burn } = (await import(fixtureUrl('square-task.cjs').href)) as { burn: (n: number) => number };
  let n = 100_000;
  for (;;) {
    const t0 = nowMs();
    burn(n);
    const elapsed = nowMs() - t0;
    if (elapsed > 50) return Math.max(1, Math.round((n * ms) / elapsed));
    n *= 2;
  }
}

/** Speedup samples: time on one worker divided by time on two, same work each run. */
async function speedups(
  plan: SamplePlan,
  sizes: Sizes,
  one: (work: number[]) => Promise<unknown>,
  two: (work: number[]) => Promise<unknown>,
): Promise<number[]> {
  const work = new Array<number>(sizes.cpuTasks).fill(await calibrate(sizes.cpuTaskMs));
  return sampleRuns(plan, async () => {
    const t0 = nowMs();
    await one(work);
    const t1 = nowMs();
    await two(work);
    return (t1 - t0) / (nowMs() - t1);
  });
}

const CPU_TITLE = 'CPU-bound tasks of ~150 ms: speedup of 2 workers over 1';

function mpCpu(context: 'thread' | 'process'): BenchCase {
  return {
    id: `pool/cpu/multiproc-${context}`,
    suite: 'pool',
    group: 'pool.cpu',
    title: CPU_TITLE,
    impl: `multiproc (${context})`,
    kind: 'multiproc',
    unit: 'x',
    better: 'higher',
    maxRuns: SLOW_RUNS,
    unavailable: needs(['Pool', 'defineTasks']),
    measure: async ({ runs, warmup, sizes }) => {
      const mp = await multiproc();
      const tasks = await mpTasks();
      const one = new mp.Pool({ processes: 1, context });
      const two = new mp.Pool({ processes: 2, context });
      try {
        await one.map(tasks.noop, [0]);
        await two.map(tasks.noop, [0, 1], { chunksize: 1 });
        const run = (pool: any) => (work: number[]) => pool.map(tasks.burn, work, { chunksize: 1 });
        return { samples: await speedups({ runs, warmup }, sizes, run(one), run(two)) };
      } finally {
        await Promise.all([endPool(one), endPool(two)]);
      }
    },
  };
}

function peerCpu(name: PeerName): BenchCase {
  return {
    id: `pool/cpu/${name}`,
    suite: 'pool',
    group: 'pool.cpu',
    title: CPU_TITLE,
    impl: name,
    kind: 'peer',
    unit: 'x',
    better: 'higher',
    maxRuns: SLOW_RUNS,
    measure: async ({ runs, warmup, sizes }) => {
      const one = createPeer(name, 1);
      const two = createPeer(name, 2);
      try {
        await Promise.all([one.call('noop', 0), two.call('noop', 0), two.call('noop', 0)]);
        const run = (peer: typeof one) => (work: number[]) =>
          Promise.all(work.map((n) => peer.call('burn', n)));
        return { samples: await speedups({ runs, warmup }, sizes, run(one), run(two)) };
      } finally {
        await Promise.all([one.destroy(), two.destroy()]);
      }
    },
  };
}

const pythonCpu: BenchCase = {
  id: 'pool/cpu/python',
  suite: 'pool',
  group: 'pool.cpu',
  title: CPU_TITLE,
  impl: 'python Pool',
  kind: 'python',
  unit: 'x',
  better: 'higher',
  maxRuns: SLOW_RUNS,
  unavailable: pythonUnavailable,
  measure: ({ runs, warmup, sizes }) =>
    runPython('pool.py', 'cpu', { tasks: sizes.cpuTasks, task_ms: sizes.cpuTaskMs, runs, warmup }),
};

const STARTUP_TITLE = 'pool of 2 created and first trivial task answered';

function mpStartup(context: 'thread' | 'process'): BenchCase {
  return {
    id: `pool/startup/multiproc-${context}`,
    suite: 'pool',
    group: context === 'thread' ? 'pool.startup' : 'pool.startup-process',
    title: STARTUP_TITLE,
    impl: `multiproc (${context})`,
    kind: 'multiproc',
    unit: 'ms',
    better: 'lower',
    unavailable: needs(['Pool', 'defineTasks']),
    measure: async ({ runs, warmup }) => {
      const mp = await multiproc();
      const tasks = await mpStartTasks();
      const samples = await sampleRuns({ runs, warmup }, async () => {
        const t0 = nowMs();
        const pool = new mp.Pool({ processes: 2, context });
        await pool.apply(tasks.noop, []);
        const ms = nowMs() - t0;
        await endPool(pool);
        return ms;
      });
      return { samples };
    },
  };
}

function peerStartup(
  name: PeerName,
  runtime: 'thread' | 'process' = 'thread',
  inheritEnv = false,
): BenchCase {
  return {
    id: `pool/startup/${name}${runtime === 'thread' ? '' : '-process'}${inheritEnv ? '-env' : ''}`,
    suite: 'pool',
    group: runtime === 'thread' ? 'pool.startup' : 'pool.startup-process',
    title: STARTUP_TITLE,
    impl: `${runtime === 'thread' ? name : `${name} child_process`}${inheritEnv ? ', env inherited' : ''}`,
    kind: 'peer',
    unit: 'ms',
    better: 'lower',
    measure: async ({ runs, warmup }) => {
      const samples = await sampleRuns({ runs, warmup }, async () => {
        const t0 = nowMs();
        const peer = createPeer(name, 2, runtime, inheritEnv);
        await peer.call('noop', 0);
        const ms = nowMs() - t0;
        await peer.destroy();
        return ms;
      });
      return { samples };
    },
  };
}

/** The floor: 2 bare workers that import the umbrella, the first ready answers one number. */
function floorStartup(runtime: 'thread' | 'process'): BenchCase {
  return {
    id: `pool/startup/floor-${runtime}`,
    suite: 'pool',
    group: runtime === 'thread' ? 'pool.startup' : 'pool.startup-process',
    title: STARTUP_TITLE,
    impl: `floor: 2 bare ${runtime === 'thread' ? 'new Worker()' : 'fork()'} importing the umbrella`,
    kind: 'baseline',
    unit: 'ms',
    better: 'lower',
    measure: async ({ runs, warmup }) => {
      return { samples: await sampleRuns({ runs, warmup }, () => bareUmbrellaPool(runtime)) };
    },
  };
}

const pythonStartup: BenchCase = {
  id: 'pool/startup/python',
  suite: 'pool',
  group: 'pool.startup-process',
  title: STARTUP_TITLE,
  impl: 'python Pool(2), default start method',
  kind: 'python',
  unit: 'ms',
  better: 'lower',
  unavailable: pythonUnavailable,
  measure: ({ runs, warmup }) => runPython('pool.py', 'startup', { runs, warmup }),
};

/** CPU-bound and start-up cases of the `pool` suite. */
export function poolStartupCases(): BenchCase[] {
  return [
    mpCpu('thread'),
    mpCpu('process'),
    peerCpu('tinypool'),
    peerCpu('piscina'),
    pythonCpu,
    mpStartup('thread'),
    peerStartup('tinypool'),
    peerStartup('piscina'),
    peerStartup('workerpool'),
    floorStartup('thread'),
    mpStartup('process'),
    peerStartup('tinypool', 'process'),
    peerStartup('tinypool', 'process', true),
    floorStartup('process'),
    pythonStartup,
  ];
}
