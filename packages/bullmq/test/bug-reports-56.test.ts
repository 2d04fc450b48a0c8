/**
 * Public bug reports of BullMQ and Bull whose fault class this pool could have: a job removed
 * behind the waiter's back, jobs that finish before anyone listens, a result removed on completion,
 * a worker closed while it held fetched jobs. Each case names its report and says in a line what
 * went wrong there. Real Redis, real workers (in this process, `startWorker()`), every wait
 * bounded. The removed-job fault this session found has its CI guard in `removed-jobs.test.ts`.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { RedisConnectionError } from '../dist/index.js';
import { tasks as t } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerHere } from './workers.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `p`'s outcome, or 'still waiting' once `ms` passed. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([p, sleep(ms).then(() => 'still waiting' as const)]);
}

describe.skipIf(redisMissing)('bug reports (56): BullMQ and Bull', () => {
  const on = useRedisPools({ db: 13 });

  // taskforcesh/bullmq#2341: waitUntilFinished() hung for ever once the job was removed. Here the
  // whole queue goes (obliterate), jobs, events and all: the waiting call still rejects.
  test('bullmq#2341: a call whose queue was obliterated under it rejects with RedisConnectionError', {
    timeout: 60_000,
  }, async () => {
    const p = on.pool({ processes: 1, noWorkerWarning: false });
    const call = p.apply(t.add, [1, 2]).catch((e: unknown) => e);
    const redis = new Redis(on.redis.url);
    try {
      let keys: string[] = [];
      for (let i = 0; i < 100 && keys.length === 0; i++) {
        keys = await redis.keys('multiproc:pool-*:wait');
        if (keys.length === 0) await sleep(50);
      }
      const queue = new Queue(keys[0]!.split(':')[1]!, { prefix: 'multiproc', connection: redis });
      await queue.obliterate({ force: true });
      await queue.close();
      expect(await within(call, 15_000)).toBeInstanceOf(RedisConnectionError);
    } finally {
      redis.disconnect();
    }
  });

  // taskforcesh/bullmq#383, OptimalBits/bull#2504: a job that finished before the waiter listened
  // (or was removed on completion) left its waiter hanging. 300 instant calls, all answered.
  test('bullmq#383 + bull#2504: 300 calls of an instant task all resolve', { timeout: 60_000 }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 4 });
    try {
      const p = on.pool({ processes: 4 });
      const out = await within(
        Promise.all(Array.from({ length: 300 }, (_, i) => p.apply(t.add, [i, 1]))),
        45_000,
      );
      expect(out).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    } finally {
      await w.handle.stop();
    }
  });

  // OptimalBits/bull#1371: Job#finished() never settled for a job removed on completion. Results
  // held in keys of their own (over 64 KiB), read after the job is gone, over several of the
  // pool's looks for removed jobs: none is taken for removed.
  test('bull#1371: large results of jobs removed on completion all arrive, none taken for removed', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 2 });
    try {
      const p = on.pool({ processes: 2 });
      const calls = [
        ...Array.from({ length: 6 }, () => p.apply(t.big, [1])),
        ...Array.from({ length: 10 }, (_, i) => p.apply(t.slowSquare, [i, 500])),
      ];
      const out = (await within(Promise.all(calls), 45_000)) as unknown[];
      expect(out.slice(0, 6).map((s) => (s as string).length)).toEqual(Array(6).fill(1024 * 1024));
      expect(out.slice(6)).toEqual(Array.from({ length: 10 }, (_, i) => i * i));
    } finally {
      await w.handle.stop();
    }
  });

  // taskforcesh/bullmq#3349 (#3059, #3045): a worker closed while it held fetched jobs left them
  // stalled. Every call completes, with its own result, on the worker that takes over.
  test('bullmq#3349: a worker stopped while its jobs run; every call completes on the next worker', {
    timeout: 60_000,
  }, async () => {
    const first = await startWorkerHere(on.redis.url, { concurrency: 2 });
    const p = on.pool({ processes: 2 });
    const calls = Array.from({ length: 6 }, (_, i) => p.apply(t.slowSquare, [i, 300]));
    await first.log.waitFor(/./, 10_000).catch(() => {});
    await sleep(400);
    const stopping = first.handle.stop({ grace: 5000 });
    const second = await startWorkerHere(on.redis.url, { concurrency: 2 });
    try {
      expect(await within(Promise.all(calls), 45_000)).toEqual([0, 1, 4, 9, 16, 25]);
      await within(stopping, 15_000);
    } finally {
      await second.handle.stop();
    }
  });
});
