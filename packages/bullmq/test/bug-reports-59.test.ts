/**
 * Public bug reports of Bull whose fault class this pool could have: pausing or closing did not wait
 * for the jobs under way, a job given up on kept running, and a failed job held back the jobs behind
 * it. Each case names its report and says in a line what went wrong there. Real Redis, a real worker
 * in this process (`startWorkerHere()`), every wait bounded.
 *
 * Reports covered here:
 * - OptimalBits/bull#1613: pausing the queue did not wait for the active jobs of sandboxed processors.
 * - OptimalBits/bull#718: a job that failed kept running in its sandboxed process.
 * - OptimalBits/bull#1822: after one job failed, delayed jobs were not picked up any more.
 */
import { TimeoutError } from '@multiproc/core';
import { describe, expect, test } from 'vitest';
import { tasks as t } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { range, runLogs, sleep, until, within } from './report-kit.js';
import { startWorkerHere } from './workers.js';

const runLog = runLogs('mp-bull-59-');

describe.skipIf(redisMissing)('bug reports (59): Bull, jobs under way when their caller stops', () => {
  const on = useRedisPools({ db: 11 });
  const steady = { lockDuration: 15_000, stalledInterval: 5000, ttl: 15_000 };

  // OptimalBits/bull#1613: queue.pause() resolved at once though sandboxed jobs were still active,
  // so they ran again after a restart. Here close() then join() waits for the call under way: it
  // gets its result first, and it ran once.
  test('bull#1613: join() after close() waits for the call under way, which gets its result', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const log = runLog();
      const p = on.pool({ processes: 1 });
      const order: string[] = [];
      const call = p
        .apply(t.markSleep, [log.path, 'long', 1200])
        .then((v: string) => order.push(`call ${v}`));
      expect(await until(() => log.lines().length === 1)).toBe(true);
      p.close();
      await within(
        p.join().then(() => order.push('joined')),
        30_000,
      );
      await call;
      expect(order).toEqual(['call long', 'joined']);
      expect(log.lines()).toEqual(['long']);
    } finally {
      await w.handle.stop();
    }
  });

  // OptimalBits/bull#718: a job that had failed went on using CPU and network in its sandboxed
  // process. Here a call given up on by its timeout rejects with TimeoutError, and its task stops:
  // the file it ticks into grows no more.
  test('bull#718: a call given up on by its timeout stops running', { timeout: 60_000 }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const log = runLog();
      const p = on.pool({ processes: 1 });
      const err = await within(
        p.apply(t.tickTo, [log.path], { timeout: 1500 }).catch((e: Error) => e),
        30_000,
      );
      expect(err).toBeInstanceOf(TimeoutError);
      // Stopped within a while (the worker recycles what ran it); then nothing more is written.
      let seen = -1;
      expect(
        await until(() => {
          const now = log.lines().length;
          const still = now === seen;
          seen = now;
          return still;
        }, 20_000),
      ).toBe(true);
      const settled = log.lines().length;
      await sleep(300);
      expect(log.lines().length).toBe(settled);
      expect(await within(p.apply(t.add, [2, 3]), 30_000)).toBe(5);
    } finally {
      await w.handle.stop();
    }
  });

  // OptimalBits/bull#1822: once one job failed (stalled more than allowed), the delayed jobs queued
  // behind it were not picked up. Here a call fails while ten wait behind it on a one-job worker:
  // all ten run.
  test('bull#1822: the calls queued behind a failing one all run', { timeout: 60_000 }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const failing = p.apply(t.failAfter, [300]).catch((e: Error) => e);
      const behind = range(10).map((i) => p.apply(t.add, [i, 100]));
      expect(await within(failing, 30_000)).toBeInstanceOf(Error);
      expect(await within(Promise.all(behind), 30_000)).toEqual(range(10).map((i) => i + 100));
    } finally {
      await w.handle.stop();
    }
  });
});
