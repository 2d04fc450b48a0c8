/**
 * Public bug reports of BullMQ and Bull whose fault class this pool could have: a worker whose
 * processor threw stopped taking jobs, a worker started late ran a job another was running, a job that kills every worker it runs on looped for ever (or
 * broke the jobs beside it), a worker never resumed after a Redis outage longer than its blocking
 * wait, and callers waiting on jobs added in a burst were answered an hour and a half late. Each
 * case names its report and says in a line what went wrong there. Real Redis, real workers (in
 * this process with `startWorkerHere()`, or `multiproc-worker` processes where one must die),
 * every wait bounded.
 */
import { WorkerCrashedError } from '@multiproc/core';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks as t } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { range, runLogs, sleep, until, within } from './report-kit.js';
import { SECRET, startWorkerHere, startWorkerProcess, type WorkerProcess } from './workers.js';

const runLog = runLogs('mp-bull-57-');

describe.skipIf(redisMissing)('bug reports (57): BullMQ and Bull, workers in this process', () => {
  const on = useRedisPools({ db: 14 });
  const steady = { lockDuration: 15_000, stalledInterval: 5000, ttl: 15_000 };

  // taskforcesh/bullmq#502: after a processor failed, the worker took no more jobs; every later
  // job stalled. Here a task that throws fails its call only, and the worker runs the next ten.
  test('bullmq#502: after a task throws, the same worker runs the next calls', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const err = await p.apply(t.typeError, []).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(TypeError);
      expect(await within(Promise.all(range(10).map((i) => p.apply(t.add, [i, 1]))), 30_000)).toEqual(
        range(10).map((i) => i + 1),
      );
    } finally {
      await w.handle.stop();
    }
  });

  // OptimalBits/bull#91, OptimalBits/bull#210: a worker brought online while another processed a
  // long job picked that job up too, and it ran twice. Here a second worker starts while the first
  // runs a 1.5 s job: the job runs once, and the call gets its result.
  test('bull#91 + bull#210: a worker started while another runs a job does not run it again', {
    timeout: 60_000,
  }, async () => {
    const log = runLog();
    const first = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    let second: Awaited<ReturnType<typeof startWorkerHere>> | undefined;
    try {
      const p = on.pool({ processes: 2 });
      const call = p.apply(t.markSleep, [log.path, 'long', 1500]);
      expect(await until(() => log.lines().length === 1)).toBe(true);
      second = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
      expect(await within(call, 30_000)).toBe('long');
      expect(await within(p.apply(t.add, [1, 2]), 30_000)).toBe(3);
      expect(log.lines()).toEqual(['long']);
    } finally {
      await second?.handle.stop();
      await first.handle.stop();
    }
  });

  // taskforcesh/bullmq#3298: callers waiting on jobs added in a burst (over 10 in 100 ms) were
  // answered 1.5 hours later, all at once. Here 60 calls made in one tick are all answered promptly.
  test('bullmq#3298: 60 calls made in one tick are all answered', { timeout: 60_000 }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 4, ...steady });
    try {
      const p = on.pool({ processes: 4 });
      const out = await within(Promise.all(range(60).map((i) => p.apply(t.slowSquare, [i, 20]))), 45_000);
      expect(out).toEqual(range(60).map((i) => i * i));
    } finally {
      await w.handle.stop();
    }
  });
});

describe.skipIf(redisMissing)('bug reports (57): BullMQ and Bull, worker processes that die', () => {
  const on = useRedisPools({ db: 15 });
  const started: WorkerProcess[] = [];
  const worker = async (...args: string[]) => {
    const w = await startWorkerProcess(on.redis.url, [
      '--concurrency',
      '1',
      '--max-stalled-count',
      '1',
      ...args,
    ]);
    started.push(w);
    return w;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
  }, 30_000);

  // taskforcesh/bullmq#4220, taskforcesh/bullmq#892, OptimalBits/bull#2188: a job that stalled
  // every time looped for ever (or failed without the retries it had, or broke the jobs beside it).
  // Here a job whose worker dies each time it runs it is run at most max-stalled-count + 1 times,
  // then its call rejects with WorkerCrashedError; a call made beside it completes.
  test('bullmq#4220 + bull#2188: a job that loses every worker it runs on fails its call; others complete', {
    timeout: 90_000,
  }, async () => {
    const log = runLog();
    const p = on.pool({ processes: 1 });
    let w = await worker();
    const poison = p.apply(t.markSleep, [log.path, 'poison', 60_000]).then(
      () => 'resolved',
      (e: Error) => e,
    );
    for (let run = 1; run <= 2; run++) {
      expect(await until(() => log.lines().length === run, 30_000)).toBe(true);
      await w.stop('SIGKILL');
      w = await worker();
    }
    const err = await within(poison, 30_000);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(await within(p.apply(t.add, [2, 3]), 30_000)).toBe(5);
    expect(log.lines()).toEqual(['poison', 'poison']);
  });
});

// A shared REDIS_URL server cannot be stopped and restarted by a test.
describe.skipIf(redisMissing || process.env.REDIS_URL)('bug reports (57): a Redis outage', () => {
  let redis: RedisServer | undefined;
  let w: WorkerProcess | undefined;
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
    await w?.stop('SIGKILL');
    await redis?.stop();
  }, 30_000);

  // taskforcesh/bullmq#4585 (#648, #2964, #36), OptimalBits/bull#1873: after Redis was down for
  // longer than the worker's blocking wait (drainDelay + 1 s), the worker never took a job again,
  // though it looked alive. Here an idle worker outlives an 8 s outage and serves a pool made after.
  test('bullmq#4585 + bull#1873: an idle worker serves new calls after an 8 s Redis outage', {
    timeout: 90_000,
  }, async () => {
    redis = await startRedis({ persistent: true });
    w = await startWorkerProcess(redis.url, [
      '--concurrency',
      '1',
      '--lock-duration',
      '15000',
      '--stalled-interval',
      '5000',
      '--ttl',
      '15000',
    ]);
    const before = new Pool({ connection: redis.url, secret: SECRET });
    pools.push(before);
    expect(await before.apply(t.square, [3])).toBe(9);
    await sleep(500); // the worker is back in its blocking wait for jobs
    await redis.kill();
    await sleep(8000);
    await redis.restart();
    const after = new Pool({ connection: redis.url, secret: SECRET });
    pools.push(after);
    expect(await within(after.apply(t.square, [4]), 45_000)).toBe(16);
  });
});
