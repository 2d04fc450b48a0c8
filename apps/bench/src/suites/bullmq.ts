/**
 * Suite `bullmq` (issue 17): the BullMQ pool across Redis.
 *
 * - Trivial tasks: `map(square)` over 100k items through 2 `multiproc-worker` processes (one task
 *   at a time each), against a raw BullMQ setup with one job per item on 2 worker processes
 *   (BullMQ's default concurrency 1, and concurrency 8), measured on fewer items (it is slow).
 * - Sleep-bound tasks (50 ms each): items/s with 1, 2, 4 and 8 `multiproc-worker` processes of
 *   one task each, the closest stand-in for adding machines that one machine allows.
 *
 * Each case starts its own private Redis and processes, warms the pool, then takes its samples.
 */
import { BENCH_SECRET, type BullmqSetup, bullmqUnavailable, startBullmqSetup } from '../bullmq-setup.js';
import { nowMs, perSecond, sampleRuns } from '../harness.js';
import { fixtureUrl } from '../paths.js';
import { range } from '../peers.js';
import type { BenchCase, Measurement } from '../types.js';

/** Samples of the slow cases (each takes seconds). */
const SLOW_RUNS = 3;
export const SLEEP_WORKERS = [1, 2, 4, 8] as const;

async function benchTasks(): Promise<Record<string, any>> {
  return ((await import(fixtureUrl('bullmq-tasks.mjs').href)) as { tasks: Record<string, any> }).tasks;
}

/** What the case running now is doing (one case runs at a time), for a timed-out case's note. */
let stage = 'idle';

/** Awaits `work`, noting it as the stage of the case. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  stage = what;
  return await work();
}

async function withSetup(body: (setup: BullmqSetup) => Promise<Measurement>): Promise<Measurement> {
  const setup = await step('starting redis-server', startBullmqSetup);
  try {
    return await body(setup);
  } finally {
    await step('stopping the processes and redis-server', () => setup.close());
  }
}

/** Starts `n` multiproc-worker processes of one task each, noting the stage. */
function startWorkers(setup: BullmqSetup, n: number): Promise<void> {
  return step(`starting ${n} multiproc-worker processes`, () => setup.workers(n, ['--concurrency', '1']));
}

/** A BullMQ pool on `setup` that has seen `workers` worker processes attach. */
async function openPool(setup: BullmqSetup, workers: number, processes: number): Promise<any> {
  const { Pool } = await import('@multiproc/bullmq');
  const pool = new Pool({ connection: setup.url, secret: BENCH_SECRET, processes });
  let attached = 0;
  await step(
    `waiting for ${workers} workers to attach to the pool`,
    () =>
      new Promise<void>((resolve) =>
        pool.on('workerCreate', () => {
          if (++attached === workers) resolve();
        }),
      ),
  );
  return pool;
}

async function closePool(pool: any): Promise<void> {
  pool.close();
  await step('joining the pool', () => pool.join());
}

function check(out: number[], n: number): void {
  if (out.length !== n || out[n - 1] !== (n - 1) * (n - 1)) throw new Error('wrong results');
}

/**
 * Each case starts redis-server and up to 8 worker processes before its first sample: 15 s seen
 * for the first case's whole run at a load of 20 on 2 cores (the workers' start 13 s of it), 28 s
 * for 8 workers at 40, past the 30 s `--quick` bound though nothing was stuck.
 */
const QUICK_TIMEOUT_MS = 120_000;

const base = {
  suite: 'bullmq' as const,
  unavailable: bullmqUnavailable,
  stage: () => stage,
  quickTimeoutMs: QUICK_TIMEOUT_MS,
};

function mapCase(kind: 'map' | 'imap'): BenchCase {
  return {
    ...base,
    id: `bullmq/${kind}/multiproc`,
    group: 'bullmq.map',
    title: 'square over the items through Redis, 2 worker processes',
    impl: `multiproc BullMQ pool ${kind}${kind === 'imap' ? ' (generator, adaptive chunks)' : ' (auto chunksize)'}`,
    kind: 'multiproc',
    unit: 'items/s',
    better: 'higher',
    measure: ({ runs, warmup, sizes }) =>
      withSetup(async (setup) => {
        await startWorkers(setup, 2);
        const tasks = await benchTasks();
        const pool = await openPool(setup, 2, 2);
        try {
          await step('warming the pool up (map of 1000 items)', () => pool.map(tasks.square, range(1000)));
          const n = sizes.poolItems;
          const input = range(n);
          let sample = 0;
          const samples = await sampleRuns({ runs, warmup }, async () => {
            stage = `${kind} sample ${++sample} (${n} items)`;
            const t0 = nowMs();
            let out: number[];
            if (kind === 'map') out = await pool.map(tasks.square, input);
            else {
              out = [];
              for await (const v of pool.imap(tasks.square, input.values())) out.push(v);
            }
            const ms = nowMs() - t0;
            check(out, n);
            return perSecond(n, ms);
          });
          return { samples, extra: { items: n } };
        } finally {
          await closePool(pool);
        }
      }),
  };
}

function rawCase(concurrency: number): BenchCase {
  return {
    ...base,
    id: concurrency === 1 ? 'bullmq/map/raw-bullmq' : `bullmq/map/raw-bullmq-c${concurrency}`,
    group: 'bullmq.map',
    title: 'square over the items through Redis, 2 worker processes',
    impl: `raw BullMQ, one job per item, 2 processes x concurrency ${concurrency}`,
    kind: 'baseline',
    unit: 'items/s',
    better: 'higher',
    maxRuns: SLOW_RUNS,
    measure: ({ runs, warmup, sizes }) =>
      withSetup(async (setup) => {
        const name = 'raw';
        await step('starting 2 raw BullMQ worker processes', () => setup.rawWorkers(2, name, concurrency));
        const { Queue, QueueEvents } = await import('bullmq');
        const connection = { url: setup.url };
        const queue = new Queue(name, { connection });
        const events = new QueueEvents(name, { connection });
        await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
        let onDone = () => {};
        events.on('completed', () => onDone());
        try {
          const n = sizes.bullmqRawItems;
          const samples = await sampleRuns({ runs, warmup }, async (run) => {
            stage = `sample ${run + 1}`;
            let done = 0;
            const finished = new Promise<void>((resolve) => {
              onDone = () => {
                if (++done === n) resolve();
              };
            });
            const t0 = nowMs();
            for (let i = 0; i < n; i += 1000) {
              const jobs = range(Math.min(1000, n - i)).map((j) => ({
                name: 'square',
                data: i + j,
                opts: { jobId: `r${run}-${i + j}`, removeOnComplete: true },
              }));
              await queue.addBulk(jobs);
            }
            await finished;
            return perSecond(n, nowMs() - t0);
          });
          return { samples, extra: { items: n } };
        } finally {
          await Promise.all([events.close(), queue.close()]);
        }
      }),
  };
}

function sleepCase(workers: number): BenchCase {
  return {
    ...base,
    id: `bullmq/sleep/workers-${workers}`,
    group: 'bullmq.sleep',
    title: 'map(sleep 50 ms) through Redis: throughput by worker processes',
    impl: `multiproc BullMQ pool, ${workers} worker process${workers === 1 ? '' : 'es'} of 1 task`,
    kind: 'multiproc',
    unit: 'items/s',
    better: 'higher',
    maxRuns: SLOW_RUNS,
    measure: ({ runs, warmup, sizes }) =>
      withSetup(async (setup) => {
        await startWorkers(setup, workers);
        const tasks = await benchTasks();
        const pool = await openPool(setup, workers, workers);
        try {
          await step('warming the pool up', () =>
            pool.map(tasks.sleep, range(workers).fill(1), { chunksize: 1 }),
          );
          const input = range(sizes.sleepItems).fill(sizes.sleepMs);
          let sample = 0;
          const samples = await sampleRuns({ runs, warmup }, async () => {
            stage = `sample ${++sample}`;
            const t0 = nowMs();
            await pool.map(tasks.sleep, input);
            return perSecond(input.length, nowMs() - t0);
          });
          return { samples, extra: { items: input.length, ms: sizes.sleepMs } };
        } finally {
          await closePool(pool);
        }
      }),
  };
}

/** The cases of the suite, in the order they run. */
export function bullmqCases(): BenchCase[] {
  return [mapCase('map'), mapCase('imap'), rawCase(1), rawCase(8), ...SLEEP_WORKERS.map(sleepCase)];
}
