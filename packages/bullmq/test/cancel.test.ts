/**
 * A map-style call stopped by its `timeout` or `signal` cancels its jobs: those not started are
 * removed from the queue, the running ones are stopped on their workers. Nothing runs for nobody.
 */
import { TimeoutError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

const STEADY = ['--lock-duration', '15000', '--stalled-interval', '5000', '--ttl', '15000'];
/** Longer than any test's timeout: a job left running would make `join()` time the test out. */
const LONG = 120_000;
const JOBS = 6;

describe.skipIf(redisMissing)('cancelling map-style calls', () => {
  let redis: RedisServer;
  let w: WorkerProcess;

  beforeAll(async () => {
    redis = await startRedis({ db: 6 });
    w = await startWorkerProcess(redis.url, ['--concurrency', '2', ...STEADY]);
  }, 60_000);
  afterAll(async () => {
    await w?.stop('SIGKILL');
    await redis?.stop();
  });

  /**
   * Runs `call` (6 jobs of LONG ms, one item each, on a worker that runs 2 at a time) with
   * `options`, and checks: it rejects with `expected`, the running jobs are cancelled on the
   * worker, the queued ones never start, and `join()` settles.
   */
  const stopsItsJobs = async (
    call: (p: Pool, items: number[], options: object) => Promise<unknown>,
    options: (controller: AbortController) => object,
    expected: (error: unknown) => void,
  ) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, processes: 2 });
    const queue = p.keyPrefix.split(':').at(-2)!;
    const ours = (event: string) =>
      w.lines.filter((l) => l.includes(` ${event} `) && l.includes(`pool=${queue} `));
    const controller = new AbortController();
    const outcome = call(p, Array(JOBS).fill(LONG), { chunksize: 1, ...options(controller) }).catch(
      (e: unknown) => e,
    );
    await w.waitFor(new RegExp(`job started .*pool=${queue} `));
    controller.abort();
    expected(await outcome);
    p.close();
    await p.join();
    const jobOf = (line: string) => /job=(\S+)/.exec(line)![1];
    const started = ours('job started').map(jobOf);
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThan(JOBS);
    for (const job of started) await w.waitFor(new RegExp(`job cancelled .*pool=${queue} job=${job} `));
    expect(ours('job completed')).toEqual([]);
  };
  const timeout = () => ({ timeout: 1500 });
  const signal = (c: AbortController) => ({ signal: c.signal });
  const timedOut = (e: unknown) => expect(e).toBeInstanceOf(TimeoutError);
  const aborted = (e: unknown) => expect((e as Error).name).toBe('AbortError');
  const drain = async (it: AsyncIterable<unknown>) => {
    for await (const _ of it);
  };

  test('map with timeout: rejects with TimeoutError, removes the queued jobs and stops the running ones', async () => {
    await stopsItsJobs((p, items, o) => p.map(tasks.sleep, items, o), timeout, timedOut);
  }, 60_000);

  test('mapAsync with signal: rejects with AbortError, removes the queued jobs and stops the running ones', async () => {
    await stopsItsJobs((p, items, o) => p.mapAsync(tasks.sleep, items, o).get(), signal, aborted);
  }, 60_000);

  test('starmap with timeout: rejects with TimeoutError, removes the queued jobs and stops the running ones', async () => {
    await stopsItsJobs(
      (p, items, o) =>
        p.starmap(
          tasks.sleep,
          items.map((x) => [x]),
          o,
        ),
      timeout,
      timedOut,
    );
  }, 60_000);

  test('imap with timeout: rejects with TimeoutError, removes the queued jobs and stops the running ones', async () => {
    await stopsItsJobs((p, items, o) => drain(p.imap(tasks.sleep, items, o)), timeout, timedOut);
  }, 60_000);

  test('imapUnordered with signal: rejects with AbortError, removes the queued jobs and stops the running ones', async () => {
    await stopsItsJobs((p, items, o) => drain(p.imapUnordered(tasks.sleep, items, o)), signal, aborted);
  }, 60_000);
});
