/**
 * Suite `shared` (issue 3): uncontended lock pairs, locked increments from 2 workers, the ring
 * buffer at 64 B and 64 KiB, and the CPU an idle lock waiter uses. Peers: Python's `Lock`/`Value`,
 * a raw `Atomics` lock and a raw `MessagePort`.
 */
import { Bench } from 'tinybench';
import { median, nowMs, perSecond, type SamplePlan, sampleRuns, sleep, waitUntil } from '../harness.js';
import { createByteChannel, mpTasks, multiproc, needs } from '../mp.js';
import { pythonUnavailable, runPython } from '../python.js';
import { oneWay, startPortPeer } from '../raw.js';
import type { BenchCase, Measurement } from '../types.js';
import { codecCases } from './codec.js';
import { cpuPercentOver } from './process.js';

const BATCH = 10_000;

/**
 * In-process rate with tinybench: each tinybench iteration runs `fn` (a batch of `BATCH`
 * operations); one tinybench run per sample. The p99 is the rate at the p99 batch latency.
 */
async function tinybenchRate(plan: SamplePlan, timeMs: number, fn: () => void): Promise<Measurement> {
  const samples: number[] = [];
  const p99s: number[] = [];
  for (let run = -plan.warmup; run < plan.runs; run++) {
    const bench = new Bench({ time: timeMs, warmupTime: Math.ceil(timeMs / 3), iterations: 8 });
    bench.add('batch', fn);
    await bench.run();
    const result = bench.tasks[0]!.result;
    if (result.state !== 'completed') throw new Error(`tinybench: ${result.state}`);
    if (run < 0) continue; // a warm-up run of the harness, on top of tinybench's own warm-up
    samples.push(perSecond(BATCH, result.latency.mean));
    p99s.push(perSecond(BATCH, result.latency.p99));
  }
  return { samples, p99: median(p99s), extra: { batch: BATCH } };
}

const LOCK = { suite: 'shared' as const, group: 'shared.lock', title: 'uncontended acquire/release pairs' };

const mpLock: BenchCase = {
  ...LOCK,
  id: 'shared/lock/multiproc',
  impl: 'multiproc Lock acquireSync/release',
  kind: 'multiproc',
  unit: 'pairs/s',
  better: 'higher',
  unavailable: needs(['Lock']),
  measure: async ({ runs, warmup, sizes }) => {
    const lock = new (await multiproc()).Lock();
    return tinybenchRate({ runs, warmup }, sizes.benchTimeMs, () => {
      for (let i = 0; i < BATCH; i++) {
        lock.acquireSync();
        lock.release();
      }
    });
  },
};

const atomicsLock: BenchCase = {
  ...LOCK,
  id: 'shared/lock/raw-atomics',
  impl: 'raw Atomics CAS lock',
  kind: 'baseline',
  unit: 'pairs/s',
  better: 'higher',
  measure: ({ runs, warmup, sizes }) => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    return tinybenchRate({ runs, warmup }, sizes.benchTimeMs, () => {
      for (let i = 0; i < BATCH; i++) {
        if (Atomics.compareExchange(cell, 0, 0, 1) !== 0) throw new Error('lock held');
        if (Atomics.exchange(cell, 0, 0) === 2) Atomics.notify(cell, 0, 1);
      }
    });
  },
};

const pythonLock: BenchCase = {
  ...LOCK,
  id: 'shared/lock/python',
  impl: 'python Lock acquire/release',
  kind: 'python',
  unit: 'pairs/s',
  better: 'higher',
  unavailable: pythonUnavailable,
  measure: ({ runs, warmup, sizes }) => runPython('shared.py', 'lock', { n: sizes.lockPairs, runs, warmup }),
};

const INCR = {
  suite: 'shared' as const,
  group: 'shared.incr',
  title: "2 workers, locked increments of Value('i')",
};

const mpIncr: BenchCase = {
  ...INCR,
  id: 'shared/incr/multiproc',
  impl: 'multiproc Value + getLock(), 2 threads',
  kind: 'multiproc',
  unit: 'incs/s',
  better: 'higher',
  maxRuns: 3,
  unavailable: needs(['Process', 'Value', 'defineTasks']),
  measure: async ({ runs, warmup, sizes }) => {
    const mp = await multiproc();
    const tasks = await mpTasks();
    const n = sizes.increments;
    let correct = true;
    const samples = await sampleRuns({ runs, warmup }, async () => {
      const v = new mp.Value('i', 0);
      const gate = new Int32Array(new SharedArrayBuffer(12)); // ready, go, done
      const workers = [0, 1].map(
        () =>
          new mp.Process({ target: tasks.lockedIncrements, args: [v, n, gate.buffer], context: 'thread' }),
      );
      for (const w of workers) w.start();
      try {
        const gone = () => workers.some((w) => w.exitCode !== null);
        await waitUntil(gate, 0, 2, gone);
        const t0 = nowMs();
        Atomics.store(gate, 1, 1);
        Atomics.notify(gate, 1);
        await waitUntil(gate, 2, 2, gone);
        const ms = nowMs() - t0;
        await Promise.all(workers.map((w) => w.join()));
        correct &&= v.value === 2 * n;
        return perSecond(2 * n, ms);
      } finally {
        for (const w of workers) if (w.isAlive()) await w.terminate();
      }
    });
    return { samples, extra: { correctTotal: correct } };
  },
};

const pythonIncr: BenchCase = {
  ...INCR,
  id: 'shared/incr/python',
  impl: 'python Value + get_lock(), 2 processes',
  kind: 'python',
  unit: 'incs/s',
  better: 'higher',
  maxRuns: 3,
  unavailable: pythonUnavailable,
  measure: ({ runs, warmup, sizes }) => runPython('shared.py', 'incr', { n: sizes.increments, runs, warmup }),
};

/** The ByteChannel case; `reuse`: the reader reads every message into one buffer (`into`). */
function ring(size: 64 | 65536, reuse = false): BenchCase {
  const small = size === 64;
  return {
    id: `shared/ring-${small ? '64b' : '64k'}/multiproc${reuse ? '-into' : ''}`,
    suite: 'shared',
    group: small ? 'shared.ring-64b' : 'shared.ring-64k',
    title: `${small ? '64-byte' : '64 KiB'} messages between two threads`,
    impl: reuse ? 'multiproc ByteChannel, reader reuses a buffer (into)' : 'multiproc ByteChannel',
    kind: 'multiproc',
    unit: small ? 'msgs/s' : 'B/s',
    better: 'higher',
    unavailable: needs(['Process', 'defineTasks'], ['ByteChannel']),
    measure: async ({ runs, warmup, sizes }) => {
      const mp = await multiproc();
      const tasks = await mpTasks();
      const data = await createByteChannel(1 << 20);
      const answers = await createByteChannel(64);
      const sink = new mp.Process({
        target: tasks.channelSink,
        args: [data, answers, reuse],
        context: 'thread',
      });
      sink.start();
      try {
        await answers.read(); // ready
        const buf = new Uint8Array(size);
        const n = small ? sizes.ringSmallMsgs : sizes.bigMsgs;
        const head = new Uint8Array(new Int32Array([n]).buffer);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          await data.write(head);
          for (let i = 0; i < n; i++) if (!data.tryWrite(buf)) await data.write(buf);
          const answer = (await answers.read()) as Uint8Array;
          const ms = nowMs() - t0;
          if (new Float64Array(answer.slice().buffer)[0] !== n * size)
            throw new Error('sink saw the wrong byte count');
          return perSecond(small ? n : n * size, ms);
        });
        data.close();
        await sink.join();
        return { samples };
      } finally {
        if (sink.isAlive()) await sink.terminate();
      }
    },
  };
}

function ringPort(size: 64 | 65536): BenchCase {
  const small = size === 64;
  return {
    id: `shared/ring-${small ? '64b' : '64k'}/messageport`,
    suite: 'shared',
    group: small ? 'shared.ring-64b' : 'shared.ring-64k',
    title: `${small ? '64-byte' : '64 KiB'} messages between two threads`,
    impl: 'raw MessagePort (Uint8Array copied)',
    kind: 'baseline',
    unit: small ? 'msgs/s' : 'B/s',
    better: 'higher',
    measure: async ({ runs, warmup, sizes }) => {
      const peer = await startPortPeer('sink');
      try {
        const buf = new Uint8Array(size);
        const n = small ? sizes.ringSmallMsgs : sizes.bigMsgs;
        const samples = await sampleRuns({ runs, warmup }, async () =>
          perSecond(small ? n : n * size, await oneWay(peer, n, () => buf)),
        );
        return { samples };
      } finally {
        await peer.close();
      }
    },
  };
}

const idleWaiter: BenchCase = {
  id: 'shared/idle-waiter/multiproc',
  suite: 'shared',
  group: 'shared.idle-waiter',
  title: 'CPU used by a thread blocked in acquireSync()',
  impl: 'multiproc Lock',
  kind: 'multiproc',
  unit: '%',
  better: 'lower',
  unavailable: needs(['Process', 'Lock', 'defineTasks']),
  measure: async ({ runs, warmup, sizes }) => {
    const mp = await multiproc();
    const tasks = await mpTasks();
    const samples = await sampleRuns({ runs, warmup }, async () => {
      await sleep(100); // let background work of earlier cases (GC) settle: the window is process-wide
      const lock = new mp.Lock();
      lock.acquireSync();
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const waiter = new mp.Process({
        target: tasks.waitLock,
        args: [lock, sizes.idleMs * 20, flag.buffer],
        context: 'thread',
      });
      waiter.start();
      try {
        // The worker raises the flag just before it blocks; a failed start must not pass as idle.
        await waitUntil(flag, 0, 1, () => waiter.exitCode !== null);
        await sleep(50); // past the lock's bounded spin: only waiting is left
        const pct = await cpuPercentOver(sizes.idleMs);
        lock.release();
        await waiter.join();
        return pct;
      } finally {
        if (waiter.isAlive()) await waiter.terminate();
      }
    });
    return { samples };
  },
};

/** The `shared` suite. */
export function sharedCases(): BenchCase[] {
  return [
    mpLock,
    atomicsLock,
    pythonLock,
    mpIncr,
    pythonIncr,
    ring(64),
    ringPort(64),
    ring(65536),
    ring(65536, true),
    ringPort(65536),
    idleWaiter,
    ...codecCases(),
  ];
}
