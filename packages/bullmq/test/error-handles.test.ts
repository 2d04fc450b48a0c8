/**
 * A task's error that carries a queue or a pipe end (in a field, in its cause, or a thrown object
 * that is no Error) crossing Redis: the part stands in as the SerializationError a queue passed as
 * an argument or returned gets (it only connects processes of one machine), the task's class,
 * message and other fields kept. Before, from a worker whose local pool runs threads the task's
 * failure was lost (a SerializationError about its result: the queue's port was not transferred);
 * from one running processes the caller got a queue of the worker's machine, useless here.
 */
import { SerializationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tasks as t } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerHere } from './workers.js';

const CONTEXTS = ['thread', 'process'] as const;

/** The error a promise rejects with (fails when it resolves). */
async function rejection(p: PromiseLike<unknown>): Promise<Error & Record<string, any>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, any>;
  }
  throw new Error('resolved, expected a rejection');
}

function expectRefused(part: unknown, path: string, what: RegExp): void {
  expect(part).toBeInstanceOf(SerializationError);
  expect((part as SerializationError).path).toBe(path);
  expect((part as Error).message).toMatch(what);
}

describe.skipIf(redisMissing)("a task's error carrying a queue or pipe end, through Redis", () => {
  const on = useRedisPools({ db: 11 });
  const workers: Awaited<ReturnType<typeof startWorkerHere>>[] = [];

  beforeAll(async () => {
    for (const context of CONTEXTS) {
      workers.push(await startWorkerHere(on.redis.url, { context, prefix: `handles-${context}` }));
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.handle.stop()));
  }, 30_000);

  test.each(CONTEXTS)(
    'from a worker whose local pool runs in the %s context',
    { timeout: 30_000 },
    async (context) => {
      const pool = on.pool({ processes: 1, prefix: `handles-${context}` });
      // As a result: refused, the task's only answer.
      const returned = await rejection(pool.apply(t.throwHandle, ['result']));
      expectRefused(returned, 'result', /it is a Queue\. A Queue only connects processes of one machine/);
      // In a thrown error's field: that field alone stands in, worded as for the result.
      const inField = await rejection(pool.apply(t.throwHandle, ['queue']));
      expect(inField).toBeInstanceOf(RangeError);
      expect(inField).toMatchObject({ message: 'no reply', code: 'E_REPLY' });
      expectRefused(
        inField.reply,
        'error.reply',
        /it is a Queue\. A Queue only connects processes of one machine/,
      );
      const pipeEnd = await rejection(pool.apply(t.throwHandle, ['pipe']));
      expect(pipeEnd).toBeInstanceOf(RangeError);
      expectRefused(pipeEnd.reply, 'error.reply', /it is a Connection\. A Connection \(a Pipe end\)/);
      const inCause = await rejection(pool.apply(t.throwHandle, ['cause']));
      expect(inCause).toBeInstanceOf(TypeError);
      expect(inCause.message).toBe('no reply');
      // The cause is a plain object: the queue alone stands in, in its place.
      expectRefused((inCause.cause as { reply: unknown }).reply, 'error.cause.reply', /it is a Queue/);
      // A thrown object that is no Error: an Error saying why, its fields kept, the queue named.
      const thrown = await rejection(pool.apply(t.throwHandle, ['thrown']));
      expect(thrown.message).toMatch(
        /^A non-Error value was thrown: .*Cannot send error\.reply: it is a Queue/s,
      );
      expect(thrown.status).toBe(409);
      expectRefused(thrown.reply, 'error.reply', /it is a Queue/);
      expect(await pool.apply(t.square, [7])).toBe(49);
    },
  );
});
