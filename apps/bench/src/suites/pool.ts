/**
 * Suite `pool`, throughput half: map of a trivial task over 100k items (issue 6). multiproc's own
 * `map`/`imap`/`applyAsync` against the Node peers (one call per item, and hand-batched chunks)
 * and Python's `Pool`, all with 2 workers, warm (workers started before the clock runs).
 */
import { nowMs, perSecond, sampleRuns } from '../harness.js';
import { endPool, mpTasks, multiproc, needs } from '../mp.js';
import { chunk, createPeer, type PeerName, range } from '../peers.js';
import { pythonUnavailable, runPython } from '../python.js';
import type { BenchCase, CaseContext, Measurement } from '../types.js';
import { rawPackedMapCase } from './raw-pool.js';

const PEERS: PeerName[] = ['tinypool', 'piscina', 'workerpool'];
/** One-call-per-item runs take seconds each; three samples are enough to see the spread. */
const SLOW_RUNS = 3;

function check(out: number[], n: number): void {
  if (out.length !== n || out[n - 1] !== (n - 1) * (n - 1)) throw new Error('wrong results');
}

/** Runs `body` against a warm multiproc pool of 2 in `context`, then ends the pool. */
async function withMpPool(
  context: 'thread' | 'process',
  body: (pool: any, tasks: Record<string, any>) => Promise<Measurement>,
): Promise<Measurement> {
  const mp = await multiproc();
  const tasks = await mpTasks();
  const pool = new mp.Pool({ processes: 2, context });
  try {
    await pool.map(tasks.square, range(1000));
    return await body(pool, tasks);
  } finally {
    await endPool(pool);
  }
}

async function withPeer(
  name: PeerName,
  runtime: 'thread' | 'process',
  body: (peer: ReturnType<typeof createPeer>) => Promise<Measurement>,
): Promise<Measurement> {
  const peer = createPeer(name, 2, runtime);
  try {
    await Promise.all([peer.call('squareBatch', range(1000)), peer.call('squareBatch', range(1000))]);
    return await body(peer);
  } finally {
    await peer.destroy();
  }
}

function mpMapCase(context: 'thread' | 'process'): BenchCase {
  return {
    id: `pool/map/multiproc-${context}`,
    suite: 'pool',
    group: context === 'thread' ? 'pool.map' : 'pool.map-process',
    title: 'map(square) over the items, warm pool of 2',
    impl: `multiproc (${context}, auto chunksize)`,
    kind: 'multiproc',
    unit: 'items/s',
    better: 'higher',
    unavailable: needs(['Pool', 'defineTasks']),
    measure: ({ runs, warmup, sizes }: CaseContext) =>
      withMpPool(context, async (pool, tasks) => {
        const n = sizes.poolItems;
        const input = range(n);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          const out = (await pool.map(tasks.square, input)) as number[];
          const ms = nowMs() - t0;
          check(out, n);
          return perSecond(n, ms);
        });
        return { samples };
      }),
  };
}

function peerBatchedCase(name: PeerName, runtime: 'thread' | 'process'): BenchCase {
  const suffix = runtime === 'thread' ? '' : ' child_process';
  return {
    id: `pool/map/${name}-batched${runtime === 'thread' ? '' : '-process'}`,
    suite: 'pool',
    group: runtime === 'thread' ? 'pool.map' : 'pool.map-process',
    title: 'map(square) over the items, warm pool of 2',
    impl: `${name}${suffix} (hand-batched chunks)`,
    kind: 'peer',
    unit: 'items/s',
    better: 'higher',
    measure: ({ runs, warmup, sizes }) =>
      withPeer(name, runtime, async (peer) => {
        const n = sizes.poolItems;
        const input = range(n);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          const parts = await Promise.all(chunk(input, sizes.batch).map((c) => peer.call('squareBatch', c)));
          const out = (parts as number[][]).flat();
          const ms = nowMs() - t0;
          check(out, n);
          return perSecond(n, ms);
        });
        return { samples, extra: { chunk: sizes.batch } };
      }),
  };
}

function peerPerItemCase(name: PeerName): BenchCase {
  return {
    id: `pool/per-item/${name}`,
    suite: 'pool',
    group: 'pool.per-item',
    title: 'one call per item (no chunking), pool of 2',
    impl: name === 'workerpool' ? `${name} exec()` : `${name} run()`,
    kind: 'peer',
    unit: 'items/s',
    better: 'higher',
    maxRuns: SLOW_RUNS,
    measure: ({ runs, warmup, sizes }) =>
      withPeer(name, 'thread', async (peer) => {
        const n = sizes.perItemItems;
        const input = range(n);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          const out = await Promise.all(input.map((x) => peer.item(x)));
          const ms = nowMs() - t0;
          check(out, n);
          return perSecond(n, ms);
        });
        return { samples };
      }),
  };
}

const mpApplyAsync: BenchCase = {
  id: 'pool/per-item/multiproc-applyAsync',
  suite: 'pool',
  group: 'pool.per-item',
  title: 'one call per item (no chunking), pool of 2',
  impl: 'multiproc applyAsync()',
  kind: 'multiproc',
  unit: 'items/s',
  better: 'higher',
  maxRuns: SLOW_RUNS,
  unavailable: needs(['Pool', 'defineTasks']),
  measure: ({ runs, warmup, sizes }) =>
    withMpPool('thread', async (pool, tasks) => {
      const n = sizes.perItemItems;
      const input = range(n);
      const samples = await sampleRuns({ runs, warmup }, async () => {
        const t0 = nowMs();
        const out = (await Promise.all(input.map((x) => pool.applyAsync(tasks.square, [x])))) as number[];
        const ms = nowMs() - t0;
        check(out, n);
        return perSecond(n, ms);
      });
      return { samples };
    }),
};

const mpImap: BenchCase = {
  id: 'pool/imap/multiproc-thread',
  suite: 'pool',
  group: 'pool.imap',
  title: 'imap(square) over the items, default options, warm pool of 2',
  impl: 'multiproc (thread)',
  kind: 'multiproc',
  unit: 'items/s',
  better: 'higher',
  unavailable: needs(['Pool', 'defineTasks']),
  measure: ({ runs, warmup, sizes }) =>
    withMpPool('thread', async (pool, tasks) => {
      const n = sizes.poolItems;
      const input = range(n);
      const samples = await sampleRuns({ runs, warmup }, async () => {
        const t0 = nowMs();
        let count = 0;
        for await (const _ of pool.imap(tasks.square, input)) count++;
        const ms = nowMs() - t0;
        if (count !== n) throw new Error(`imap yielded ${count} of ${n}`);
        return perSecond(n, ms);
      });
      return { samples };
    }),
};

const PYTHON_CASES = {
  map: {
    group: 'pool.map',
    title: 'map(square) over the items, warm pool of 2',
    impl: 'Pool.map (default chunksize)',
  },
  imap: {
    group: 'pool.imap',
    title: 'imap(square) over the items, default options, warm pool of 2',
    impl: 'Pool.imap (default chunksize)',
  },
  apply: {
    group: 'pool.per-item',
    title: 'one call per item (no chunking), pool of 2',
    impl: 'Pool.apply_async()',
  },
} as const;

function pythonCase(which: keyof typeof PYTHON_CASES): BenchCase {
  const { group, title, impl } = PYTHON_CASES[which];
  return {
    id: which === 'apply' ? 'pool/per-item/python' : `pool/${which}/python`,
    suite: 'pool',
    group,
    title,
    impl: `python ${impl}`,
    kind: 'python',
    unit: 'items/s',
    better: 'higher',
    ...(which === 'map' ? {} : { maxRuns: SLOW_RUNS }),
    unavailable: pythonUnavailable,
    measure: ({ runs, warmup, sizes }) =>
      runPython('pool.py', which, {
        n: which === 'apply' ? sizes.perItemItems : sizes.poolItems,
        runs,
        warmup,
      }),
  };
}

/** The throughput cases of the `pool` suite. */
export function poolThroughputCases(): BenchCase[] {
  return [
    mpMapCase('thread'),
    pythonCase('map'),
    ...PEERS.map((p) => peerBatchedCase(p, 'thread')),
    rawPackedMapCase(),
    mpMapCase('process'),
    peerBatchedCase('tinypool', 'process'),
    mpImap,
    pythonCase('imap'),
    mpApplyAsync,
    pythonCase('apply'),
    ...PEERS.map(peerPerItemCase),
  ];
}
