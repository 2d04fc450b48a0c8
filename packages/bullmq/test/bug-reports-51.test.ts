/**
 * Public bug reports of Bull and BullMQ whose fault class this pool could have: a worker stopped
 * gracefully while jobs run (results lost, jobs left stalled or run twice), the same call made again
 * after the first completed (a job id reused), and many jobs that finish at once (a completed job's
 * result read after it was removed). Each case names its report and says in a line what went wrong
 * there. Real Redis, real workers (in this process, `startWorker()`), every wait bounded.
 */
import { describe, expect, test } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { runLogs } from './report-kit.js';
import { startWorkerHere } from './workers.js';

const runLog = runLogs('mp-bull-51-');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(10);
  return check();
}

describe.skipIf(redisMissing)('bug reports (51): Bull and BullMQ', () => {
  const on = useRedisPools({ db: 9 });
  // Slow enough on a loaded machine that no running job is taken back as stalled.
  const steady = { lockDuration: 15_000, stalledInterval: 5000, ttl: 15_000 };

  // OptimalBits/bull#1615: a graceful close() while a long job ran let the job finish, but its
  // result was never stored ("Missing lock for job"): the job stayed active. Here the caller gets it.
  test('bull#1615: stop() while a job runs waits for it, and the call gets its result', {
    timeout: 60_000,
  }, async () => {
    const log = runLog();
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const call = p.apply(tasks.markSleep, [log.path, 'long', 1500]);
      expect(await until(() => log.lines().length === 1)).toBe(true);
      const stopped = w.handle.stop();
      expect(await call).toBe('long');
      await stopped;
      expect(log.lines()).toEqual(['long']);
    } finally {
      await w.handle.stop();
    }
  });

  // taskforcesh/bullmq#834: a job that failed while its worker was closing was never moved to
  // failed: it stayed active. Here the call rejects with the task's own error.
  test('bullmq#834: stop() while a job that fails later runs: the call rejects with that error', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const call = p.apply(tasks.failAfter, [1200]).then(
        () => 'resolved',
        (e: Error) => e,
      );
      expect(await until(() => w.log.lines.some((l) => l.includes('job started')))).toBe(true);
      const stopped = w.handle.stop();
      const err = await call;
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toBe('failed after 1200 ms');
      await stopped;
    } finally {
      await w.handle.stop();
    }
  });

  // taskforcesh/bullmq#3045 (PR #3059): a job fetched while the worker was closing was not processed
  // and ended stalled. Jobs a stopping worker holds run there or on the next worker, each once.
  test('bullmq#3045: a worker stopped mid-map: every item runs exactly once, on it or on the next worker', {
    timeout: 90_000,
  }, async () => {
    const log = runLog();
    const first = await startWorkerHere(on.redis.url, { concurrency: 2, ...steady, grace: 5000 });
    const p = on.pool({ processes: 2 });
    const tags = ['a', 'b', 'c', 'd', 'e', 'f'];
    const call = p.starmap(
      tasks.markSleep,
      tags.map((tag) => [log.path, tag, 600] as [string, string, number]),
      { chunksize: 1 },
    );
    expect(await until(() => log.lines().length >= 1)).toBe(true);
    const stopped = first.handle.stop();
    const second = await startWorkerHere(on.redis.url, { concurrency: 2, ...steady });
    try {
      expect(await call).toEqual(tags);
      await stopped;
      expect(log.lines().sort()).toEqual(tags);
    } finally {
      await Promise.all([first.handle.stop(), second.handle.stop()]);
    }
  });

  // OptimalBits/bull#1828: adding a job with the id of one already completed silently dropped it.
  // The same call (same task, same arguments) made again after the first completed runs again.
  test('bull#1828: the same call made three times in a row runs three times', {
    timeout: 60_000,
  }, async () => {
    const log = runLog();
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      for (let i = 0; i < 3; i++) expect(await p.apply(tasks.markSleep, [log.path, 'same', 0])).toBe('same');
      expect(log.lines().filter((l) => l === 'same')).toHaveLength(3);
    } finally {
      await w.handle.stop();
    }
  });

  // taskforcesh/bullmq#801 and OptimalBits/bull#1491: a job that returned at once made
  // waitUntilFinished() fail ("Missing key for job"), and a result was read after removeOnComplete
  // had removed the job (returnvalue of null). Here 60 calls that return at once, and a map of 200
  // one-item chunks, all get their own results.
  test('bullmq#801 / bull#1491: jobs that finish at once all deliver their own results', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 4, ...steady });
    try {
      const p = on.pool({ processes: 4 });
      const nones = await Promise.all(Array.from({ length: 60 }, () => p.apply(tasks.none, [])));
      expect(nones).toEqual(Array(60).fill(undefined));
      const xs = Array.from({ length: 200 }, (_, i) => i);
      expect(await p.map(tasks.square, xs, { chunksize: 1 })).toEqual(xs.map((x) => x * x));
    } finally {
      await w.handle.stop();
    }
  });
});
