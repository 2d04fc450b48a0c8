/**
 * A value nested deeper than the local pool's codec takes (1000 levels) is refused at the sender
 * with `SerializationError` naming its path, as on the local pool, instead of overflowing a stack
 * here (a `RangeError`) or on the worker (where the job failed as `WorkerCrashedError`).
 */
import { SerializationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere } from './workers.js';

/** `{ c: { c: … 0 } }`, `levels` objects deep. */
function nested(levels: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = { c: value };
  return value;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error as SerializationError,
  );

describe.skipIf(redisMissing)('a value nested deeper than 1000 levels', () => {
  let redis: RedisServer;
  let worker: Awaited<ReturnType<typeof startWorkerHere>>;
  let pool: Pool;

  beforeAll(async () => {
    redis = await startRedis({ db: 10 });
    worker = await startWorkerHere(redis.url, { concurrency: 2 });
    pool = new Pool({ connection: redis.url, secret: SECRET, processes: 2 });
  }, 60_000);
  afterAll(async () => {
    await pool?.terminate();
    await worker?.handle.stop();
    await redis?.stop();
  }, 30_000);

  test('as an argument or a map item: SerializationError naming the path and the limit; the pool goes on', {
    timeout: 30_000,
  }, async () => {
    // The argument list counts as a level: 999 below it is the most that goes.
    expect(await pool.apply(tasks.echo, [nested(999)])).toEqual(nested(999));
    const deepArg = await failure(pool.apply(tasks.echo, [nested(3000)]));
    expect(deepArg).toBeInstanceOf(SerializationError);
    expect(deepArg.path).toMatch(/^args\[0\](\.c)+$/);
    expect(deepArg.message).toMatch(/1000/);
    // A map item is held by the list, which the local pool does not count: 1000 below it go.
    expect(await pool.map(tasks.echo, [1, nested(1000)])).toEqual([1, nested(1000)]);
    for (const call of [
      () => pool.map(tasks.echo, [1, nested(2000)]),
      async () => {
        for await (const _ of pool.imap(tasks.echo, [1, nested(1001)]));
      },
    ]) {
      const deepItem = await failure(call());
      expect(deepItem).toBeInstanceOf(SerializationError);
      expect(deepItem.path).toMatch(/^items\[1\](\.c)+$/);
    }
    expect(await pool.apply(tasks.square, [3])).toBe(9);
  });

  test('a thrown value nested deeper than 1000 levels: named as thrown, each repeated step said once with its count', {
    timeout: 30_000,
  }, async () => {
    const deep = await failure(pool.apply(tasks.throwNested, [1001]));
    expect(deep).toBeInstanceOf(SerializationError);
    // Not the error record's own field names (`error.props.n.n…`): the thrown value's, as written.
    expect(deep.path).toMatch(/^error(\.n)+$/);
    expect(deep.message).not.toMatch(/props/);
    expect(deep.message).toMatch(
      /^Cannot send error\.n\.n\.n… \(\.n \d+ times\): the thrown value is nested more than 1000 levels deep, which the pool cannot rebuild/,
    );
    expect(deep.message).toContain(`(.n ${deep.path.split('.').length - 1} times)`);
    expect(await pool.apply(tasks.square, [4])).toBe(16);
  });

  test('a platform object Redis cannot carry (a Blob, Headers): SerializationError naming its path; a URL arrives', {
    timeout: 30_000,
  }, async () => {
    // v8's serializer turns them into {} (a Blob too on Node 22+): refused, never sent as {}.
    const blob = await failure(pool.apply(tasks.echo, [{ file: new Blob(['q']) }]));
    expect(blob).toBeInstanceOf(SerializationError);
    expect(blob.path).toBe('args[0].file');
    expect(blob.message).toMatch(/a Blob, a platform object/);
    const headers = await failure(pool.map(tasks.echo, [1, new Headers()]));
    expect(headers).toBeInstanceOf(SerializationError);
    expect(headers.path).toBe('items[1]');
    const cause = await failure(pool.apply(tasks.echo, [new Error('e', { cause: new Blob(['q']) })]));
    expect(cause.path).toBe('args[0].cause');
    const field = await failure(
      pool.apply(tasks.echo, [Object.assign(new Error('e'), { file: new Blob(['q']) })]),
    );
    expect([field.path, field.message]).toEqual([
      'args[0].file',
      expect.stringMatching(/^Cannot send args\[0\]\.file: /),
    ]);
    // The codec carries a URL (its text), as the local pool does: in arguments, items, results.
    const url = new URL('http://example.com/a?b=1');
    expect(await pool.map(tasks.echo, [1, url])).toEqual([1, url]);
    // As an error's cause too, on every Node version (its error record sends it through the codec).
    const withCause = (await pool.apply(tasks.echo, [new Error('e', { cause: url })])) as Error;
    expect(withCause.cause).toBeInstanceOf(URL);
    expect(String(withCause.cause)).toBe(url.href);
    const thrown = await failure(pool.apply(tasks.throwIt, [new Error('e', { cause: url })]));
    expect(thrown.cause).toBeInstanceOf(URL);
    const result = await pool.apply(tasks.urlOf, ['http://example.com/']);
    expect(result).toBeInstanceOf(URL);
    expect(await pool.apply(tasks.square, [3])).toBe(9);
  });
});
