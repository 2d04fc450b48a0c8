/**
 * Public bug reports of Node's worker pools and of Bull and BullMQ whose fault class this pool could
 * have: a task's error whose parts throw while they are read (lost whole before), jobs beyond the
 * workers' concurrency, calls pending when the pool is terminated. Each case names its report and
 * says in a line what went wrong there. Real Redis, real workers (in this process, `startWorker()`),
 * every wait bounded.
 */
import { PoolClosedError, SerializationError } from '@multiproc/core';
import { describe, expect, test } from 'vitest';
import { tasks as t } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerHere } from './workers.js';

/** The error a promise rejects with (fails when it resolves). */
async function rejection(p: PromiseLike<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('resolved, expected a rejection');
}

describe.skipIf(redisMissing)('bug reports (52): Bull, BullMQ and Node pools', () => {
  const on = useRedisPools({ db: 10 });
  const steady = { lockDuration: 15_000, stalledInterval: 5000, ttl: 15_000 };

  // nodejs/node#26145: an error whose `stack` getter threw could not be sent back from a worker.
  // Through Redis too, the task's class and message arrive; the stack says it could not be read.
  test('node#26145: a task error whose stack getter throws arrives as itself, its stack saying so', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const err = await rejection(p.apply(t.throwStackGetter, []));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe('no stack here');
      expect(err.stack).toContain('stack could not be read');
    } finally {
      await w.handle.stop();
    }
  });

  // poolifier/poolifier#2633 asked for the worker's error unchanged: one field whose getter throws
  // replaced the whole error before. The field alone stands in, named; message and code are kept.
  test('poolifier#2633: a task error with a field whose getter throws keeps its message and code; the field is named', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const err = await rejection(p.apply(t.throwFieldGetter, []));
      expect(err).not.toBeInstanceOf(SerializationError);
      expect(err.message).toBe('the job failed');
      expect(err.code).toBe('E_JOB');
      expect(err.detail).toBeInstanceOf(SerializationError);
      expect((err.detail as SerializationError).path).toBe('error.detail');
    } finally {
      await w.handle.stop();
    }
  });

  // Session 53: a `name` or `message` getter that threw, or a key list that could not be read, lost
  // the whole error (a SerializationError). Through Redis, as through the local pool, what can be
  // read arrives: the class, its name, the message or a text saying why not, the standard fields.
  test('a task error whose name, message or key list throws arrives with what can be read', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const noName = await rejection(p.apply(t.throwUnreadable, ['name']));
      expect(noName).toBeInstanceOf(RangeError);
      expect(noName).toMatchObject({ name: 'QuotaError', message: 'over quota' });
      expect((noName.cause as Error).message).toBe('name getter threw');
      const noMessage = await rejection(p.apply(t.throwUnreadable, ['message']));
      expect(noMessage).toBeInstanceOf(TypeError);
      expect(noMessage.message).toMatch(/^\(its message could not be read: .*message getter threw\)$/);
      expect(noMessage.code).toBe('E_MSG');
      const noKeys = await rejection(p.apply(t.throwUnreadable, ['keys']));
      expect(noKeys).toBeInstanceOf(SyntaxError);
      expect(noKeys).toMatchObject({ message: 'keys hidden', code: 'E_KEYS' });
      expect(noKeys.extra).toBeUndefined();
    } finally {
      await w.handle.stop();
    }
  });

  // taskforcesh/bullmq#2366: with sandboxed processors, jobs beyond the concurrency failed at once
  // instead of waiting. Eight calls at once on a worker of concurrency 1 all resolve.
  test('bullmq#2366: eight calls at once on one worker of concurrency 1 wait their turn and resolve', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => p.apply(t.sleep, [i * 10])));
      expect(results).toEqual(Array.from({ length: 8 }, (_, i) => i * 10));
    } finally {
      await w.handle.stop();
    }
  });

  // python/cpython#101267: every failed future shared one exception object, whose traceback grew
  // with every raise. Before, the calls pending at terminate() shared one PoolClosedError here: its
  // stack named the line that awaited another call. Each now rejects with an error of its own.
  test('gh-101267: calls pending at terminate() each reject with their own PoolClosedError', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const p = on.pool({ processes: 1 });
      const pending = [0, 1, 2].map(() => rejection(p.apply(t.sleep, [30_000])));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await p.terminate();
      const errors = await Promise.all(pending);
      for (const e of errors) expect(e).toBeInstanceOf(PoolClosedError);
      expect(new Set(errors).size).toBe(3);
      // Each names the line that awaited it (its index in the Promise.all), not another call's.
      for (const [i, e] of errors.entries()) expect(e.stack).toContain(`Promise.all (index ${i})`);
    } finally {
      await w.handle.stop();
    }
  });
});
