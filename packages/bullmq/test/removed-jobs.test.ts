/**
 * A job removed from Redis behind the pool's back (taskforcesh/bullmq#2341: BullMQ's own
 * `waitUntilFinished()` waits for ever then): `Job.remove()` or `Queue.drain()` on the pool's
 * queue, by hand or from a dashboard. The call fails with `RedisConnectionError` naming the job,
 * instead of waiting for ever and holding the program; the pool goes on. Before, both calls waited
 * for ever. Real Redis, a worker started here, every wait bounded.
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

/** The pool's queue as an operator reaches it: by its name, read from Redis. */
async function poolQueue(url: string): Promise<{ queue: Queue; done: () => Promise<void> }> {
  const redis = new Redis(url);
  let keys: string[] = [];
  for (let i = 0; i < 100 && keys.length === 0; i++) {
    keys = await redis.keys('multiproc:pool-*:meta');
    if (keys.length === 0) await sleep(50);
  }
  expect(keys).toHaveLength(1);
  const queue = new Queue(keys[0]!.split(':')[1]!, { prefix: 'multiproc', connection: redis });
  return {
    queue,
    done: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** Waits until the pool's queue holds `n` waiting jobs. */
async function waiting(queue: Queue, n: number): Promise<void> {
  for (let i = 0; i < 400 && (await queue.getWaitingCount()) < n; i++) await sleep(25);
  expect(await queue.getWaitingCount()).toBe(n);
}

describe.skipIf(redisMissing)('a job removed from Redis behind the pool', () => {
  const on = useRedisPools({ db: 12 });

  test('Job.remove(): the call rejects at once with RedisConnectionError; the next call runs', {
    timeout: 60_000,
  }, async () => {
    const p = on.pool({ processes: 1, noWorkerWarning: false });
    const call = p.apply(t.add, [1, 2]).catch((e: unknown) => e);
    const { queue, done } = await poolQueue(on.redis.url);
    try {
      await waiting(queue, 1);
      for (const job of await queue.getWaiting()) await job.remove();
      const err = await within(call, 5000);
      expect(err).toBeInstanceOf(RedisConnectionError);
      expect((err as Error).message).toMatch(/removed from Redis/);
      const w = await startWorkerHere(on.redis.url, { concurrency: 1 });
      try {
        expect(await within(p.apply(t.add, [2, 3]), 15_000)).toBe(5);
      } finally {
        await w.handle.stop();
      }
    } finally {
      await done();
    }
  });

  test('Queue.drain(): every call whose job it removed rejects; the others complete', {
    timeout: 60_000,
  }, async () => {
    const p = on.pool({ processes: 1, noWorkerWarning: false });
    const calls = [p.apply(t.add, [1, 1]), p.apply(t.add, [2, 2])].map((c) => c.catch((e: unknown) => e));
    const { queue, done } = await poolQueue(on.redis.url);
    try {
      await waiting(queue, 2);
      await queue.drain();
      const later = p.apply(t.add, [3, 3]);
      const w = await startWorkerHere(on.redis.url, { concurrency: 1 });
      try {
        for (const call of calls) expect(await within(call, 15_000)).toBeInstanceOf(RedisConnectionError);
        expect(await within(later, 15_000)).toBe(6);
      } finally {
        await w.handle.stop();
      }
    } finally {
      await done();
    }
  });

  // Each sweep looks at every job out (one EXISTS per 5000 keys), so the calls of a drained queue
  // fail within two sweeps however many jobs are out. Before, a sweep looked at 1000 jobs and a
  // batch was judged at the next one: 4000 jobs out took five sweeps (8-10 s).
  test('Queue.drain() with 4000 jobs out: every call rejects within two sweeps', {
    timeout: 60_000,
  }, async () => {
    const p = on.pool({ processes: 1, noWorkerWarning: false });
    const n = 4000;
    let rejected = 0;
    const calls = Array.from({ length: n }, (_, i) =>
      p.apply(t.add, [i, i]).catch((e: unknown) => {
        expect(e).toBeInstanceOf(RedisConnectionError);
        rejected++;
      }),
    );
    const { queue, done } = await poolQueue(on.redis.url);
    try {
      await waiting(queue, n);
      await queue.drain();
      const start = Date.now();
      while (rejected < n && Date.now() - start < 6000) await sleep(50);
      expect(rejected).toBe(n);
      await Promise.all(calls);
    } finally {
      await done();
    }
  });
});
