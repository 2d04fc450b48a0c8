// Randomized: pools of 1-3 workers, maxTasksPerChild 1-4, mixes of apply/applyAsync/map/mapAsync/
// imap/imapUnordered calls of random chunk sizes and short durations, made one after another by
// one caller. Every call settles with all its results, right and (but imapUnordered's) in order;
// no worker serves more than maxTasksPerChild tasks; and the calls start in the order made as
// Python's do, whose workers take the tasks off one FIFO queue: each worker starts the jobs of
// the eagerly submitted calls in the order made (the lazy imap calls: their own items in order),
// and a one-worker pool runs them all in that order. The seed is in every failure message;
// ORDER_SEED=<n> runs that one again.
import type { Pool } from '@multiproc/core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { type OrderJob, type OrderRecord, orderTasks as t } from './fixtures/order-tasks.ts';
import { FULL_TESTS, poolMaker } from './helpers.ts';

const makePool = poolMaker();
const KINDS = ['apply', 'applyAsync', 'map', 'mapAsync', 'imap', 'imapUnordered'] as const;
type Kind = (typeof KINDS)[number];
interface PlannedCall {
  readonly kind: Kind;
  readonly chunksize: number;
  readonly jobs: OrderJob[];
}
interface Plan {
  readonly processes: number;
  readonly maxTasksPerChild: number;
  readonly calls: PlannedCall[];
}

/** mulberry32: a small seeded generator, so a failing plan can be run again. */
function generator(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/**
 * A random plan of calls whose tasks need at most `starts` worker starts: each worker serves
 * maxTasksPerChild tasks, and what bounds a round's time is starting their replacements (a child
 * took about 2 s under a load of 20).
 */
function plan(seed: number, starts: number): Plan {
  const int = generator(seed);
  const processes = 1 + int(3);
  const maxTasksPerChild = 1 + int(4);
  const calls: PlannedCall[] = [];
  for (let call = 0, count = 3 + int(4), tasks = 0; call < count; call++) {
    const kind = KINDS[int(KINDS.length)]!;
    const chunksize = 1 + int(3);
    const length = kind.startsWith('apply') ? 1 : 1 + int(6);
    tasks += Math.ceil(length / chunksize);
    if (call > 0 && tasks > starts * maxTasksPerChild) break;
    const ms = () => (int(2) === 0 ? 0 : 1 + int(4));
    calls.push({ kind, chunksize, jobs: Array.from({ length }, (_, i) => ({ call, i, ms: ms() })) });
  }
  return { processes, maxTasksPerChild, calls };
}

const eager = (kind: Kind) => !kind.startsWith('imap');
/** The task each planned job names: a chunk of a map call, or the call. */
const taskOf = (p: Plan, r: OrderJob) => `${r.call}/${Math.floor(r.i / p.calls[r.call]!.chunksize)}`;

/** Makes the calls of `p` one after another, without waiting; resolves to each call's results. */
function makeCalls(pool: Pool, p: Plan): Promise<OrderRecord[]>[] {
  return p.calls.map(({ kind, chunksize, jobs }) => {
    // A job that takes no time runs as a plain function, the others on a timer.
    const task = jobs.some((j) => j.ms > 0) ? t.stepAsync : t.step;
    switch (kind) {
      case 'apply':
        return pool.apply(task, [jobs[0]!]).then((r) => [r]);
      case 'applyAsync':
        return pool
          .applyAsync(task, [jobs[0]!])
          .get()
          .then((r) => [r]);
      case 'map':
        return pool.map(task, jobs, { chunksize });
      case 'mapAsync':
        return pool.mapAsync(task, jobs, { chunksize }).get();
      default: {
        const loop =
          kind === 'imap'
            ? pool.imap(task, jobs, { chunksize })
            : pool.imapUnordered(task, jobs, { chunksize });
        return (async () => {
          const got: OrderRecord[] = [];
          for await (const r of loop) got.push(r);
          return got;
        })();
      }
    }
  });
}

const byJob = (a: OrderJob, b: OrderJob) => a.call - b.call || a.i - b.i;

function check(p: Plan, results: OrderRecord[][]): void {
  for (const [call, { kind, jobs }] of p.calls.entries()) {
    const got = results[call]!.map(({ call, i, ms }) => ({ call, i, ms }));
    expect(kind === 'imapUnordered' ? got.sort(byJob) : got, `call ${call} (${kind})`).toEqual(jobs);
  }
  const byWorker = new Map<string, OrderRecord[]>();
  for (const r of results.flat()) byWorker.set(r.w, [...(byWorker.get(r.w) ?? []), r]);
  for (const [w, records] of byWorker) {
    records.sort((a, b) => a.n - b.n);
    const started = records.map((r) => `${r.call}.${r.i}`);
    expect(new Set(records.map((r) => r.n)).size, `worker ${w} counted a job twice: ${started}`).toBe(
      records.length,
    );
    expect(
      new Set(records.map((r) => taskOf(p, r))).size,
      `worker ${w} served ${started}`,
    ).toBeLessThanOrEqual(p.maxTasksPerChild);
    // One FIFO queue: what a worker takes off it comes in the order put on it.
    const made = records.filter((r) => eager(p.calls[r.call]!.kind));
    expect(
      made.map((r) => `${r.call}.${r.i}`),
      `worker ${w} started ${started}`,
    ).toEqual([...made].sort(byJob).map((r) => `${r.call}.${r.i}`));
    for (const call of new Set(records.map((r) => r.call))) {
      const own = records.filter((r) => r.call === call).map((r) => r.i);
      expect(own, `worker ${w} started call ${call}'s items as ${own}`).toEqual(
        [...own].sort((a, b) => a - b),
      );
    }
  }
  if (p.processes === 1) {
    // One worker at a time: each worker's jobs are one run of the eager jobs in the order made.
    const made = results
      .flat()
      .filter((r) => eager(p.calls[r.call]!.kind))
      .sort(byJob);
    const runs = made.map((r) => r.w).filter((w, k, all) => k === 0 || all[k - 1] !== w);
    expect(runs, `workers in the order made: ${made.map((r) => `${r.call}.${r.i}@${r.w}`)}`).toEqual([
      ...new Set(runs),
    ]);
  }
}

const seeds = (count: number) => {
  const fixed = Number(process.env.ORDER_SEED);
  if (Number.isInteger(fixed)) return [fixed];
  const base = Math.floor(Math.random() * 2 ** 31);
  return Array.from({ length: count }, (_, k) => base + k);
};

/** Makes the calls of `p` on a new pool, checks them (the failure names `label`), and ends the pool. */
async function round(
  context: 'thread' | 'process',
  p: Plan,
  label: string,
  now: (say: () => string) => void,
) {
  const pool = makePool({ context, processes: p.processes, maxTasksPerChild: p.maxTasksPerChild });
  const open = new Set(p.calls.keys());
  now(
    () => `${label}: ${JSON.stringify(p)}; calls not settled ${[...open]}; ${JSON.stringify(pool.stats())}`,
  );
  const calls = makeCalls(pool, p).map((c, k) => c.finally(() => open.delete(k)));
  const settled = await Promise.allSettled(calls);
  const failed = settled.find((s) => s.status === 'rejected');
  expect(failed, `${label}: ${JSON.stringify(p)}`).toBeUndefined();
  try {
    check(
      p,
      settled.map((s) => (s as PromiseFulfilledResult<OrderRecord[]>).value),
    );
  } catch (error) {
    (error as Error).message =
      `${label} (processes ${p.processes}, maxTasksPerChild ${p.maxTasksPerChild}, calls ${p.calls.map((c) => `${c.kind}[${c.jobs.length}/${c.chunksize}]`)}): ${(error as Error).message}`;
    throw error;
  }
  pool.close();
  await pool.join();
}

/** A plan of the calls `kinds` (each `kind[length/chunksize]`), jobs of `ms` each. */
function fixed(processes: number, maxTasksPerChild: number, kinds: string[], ms = 1): Plan {
  const calls = kinds.map((spec, call) => {
    const [, kind, length, chunksize] = /^(\w+)\[(\d+)\/(\d+)\]$/.exec(spec)!;
    const jobs = Array.from({ length: Number(length) }, (_, i) => ({ call, i, ms }));
    return { kind: kind as Kind, chunksize: Number(chunksize), jobs };
  });
  return { processes, maxTasksPerChild, calls };
}

// Rounds, and worker starts a round: the long tier runs more rounds.
describe.each([
  ['thread', FULL_TESTS ? 3 : 2, 6],
  ['process', FULL_TESTS ? 2 : 1, 4],
] as const)('%s context', (context, rounds, starts) => {
  it('random mixes of calls settle complete, in order, and start in the order made', {
    timeout: 60_000,
  }, async () => {
    // On a timeout too: the round's seed, and which calls had not settled.
    let now = () => 'no round';
    onTestFailed(() => console.log(`order stress (${context}) failed in ${now()}`));
    for (const seed of seeds(rounds)) {
      await round(context, plan(seed, starts), `seed ${seed}`, (say) => {
        now = say;
      });
    }
  });

  // A map sends its chunks a window at a time (4 a worker): a call made after it started before
  // the map's chunks beyond its window were sent, in workers retired after maxTasksPerChild or not.
  // Up to 6 worker starts a case: a child's start took 3 s and more under a load of 30.
  it.each([
    ['seed 1776459979', plan(1776459979, 6)],
    [
      'a map longer than its window, then other calls',
      fixed(1, 100, ['map[9/1]', 'apply[1/1]', 'mapAsync[3/1]']),
    ],
    ['the same, retiring workers', fixed(1, 2, ['mapAsync[7/1]', 'apply[1/1]', 'map[2/1]'])],
    ['two workers', fixed(2, 3, ['map[12/1]', 'apply[1/1]', 'apply[1/1]', 'mapAsync[3/1]'], 0)],
  ])('calls start in the order made: %s', { timeout: 60_000 }, async (label, p) => {
    let now = () => 'no round';
    onTestFailed(() => console.log(`order (${context}) failed in ${now()}`));
    await round(context, p, label, (say) => {
      now = say;
    });
  });

  // An async input's items come when they come: its later chunks hold up no later call, which its
  // input may even wait for. A generator is read at once: the call after it starts after it all.
  it('a map over an async input holds up no later call; over a generator, it does', {
    timeout: 10_000,
  }, async () => {
    const pool = makePool({ context, processes: 1 });
    let release!: () => void;
    const later = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* waits(): AsyncGenerator<OrderJob> {
      yield { call: 0, i: 0, ms: 0 };
      await later;
      yield { call: 0, i: 1, ms: 0 };
    }
    const waiting = pool.map(t.step, waits(), { chunksize: 1 });
    await pool.apply(t.step, [{ call: 1, i: 0, ms: 0 }]);
    release();
    expect((await waiting).map((r) => r.i)).toEqual([0, 1]);
    function* items(): Generator<OrderJob> {
      for (let i = 0; i < 9; i++) yield { call: 2, i, ms: 1 };
    }
    const [mapped, after] = await Promise.all([
      pool.map(t.stepAsync, items(), { chunksize: 1 }),
      pool.apply(t.step, [{ call: 3, i: 0, ms: 0 }]),
    ]);
    expect(after.n).toBe(Math.max(...mapped.map((r) => r.n)) + 1);
  });
});
