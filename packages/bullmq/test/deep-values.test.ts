/**
 * A value nested deeper than the local pool's codec takes (1000 levels) is refused at the sender
 * with `SerializationError` naming its path, as on the local pool, instead of overflowing a stack
 * here (a `RangeError`) or on the worker (where the job failed as `WorkerCrashedError`). A value
 * a task throws comes back as from the local pool.
 */
import { SerializationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere } from './workers.js';

/** `{ c: { c: … 0 } }`, `levels` objects deep (`{ n: … }` with key `n`). */
function nested(levels: number, key = 'c'): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = { [key]: value };
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

  test('a thrown value nested 1000 levels deep arrives as itself; 1001 as the local pool gives it: an Error saying why, its fields kept', {
    timeout: 30_000,
  }, async () => {
    // The local pool counts a thrown value's nesting from the value, not from the error record
    // that carries it; through Redis the record's own levels counted too, and 1000 to about 2000
    // levels failed the call with SerializationError where the local pool gave the value or an Error.
    const thrown = (levels: number) => pool.apply(tasks.throwNested, [levels]).catch((e: unknown) => e);
    expect(await thrown(1000)).toEqual(nested(1000, 'n'));
    const deep = (await thrown(1001)) as Error & { n: unknown };
    expect(deep).not.toBeInstanceOf(SerializationError);
    expect([deep.constructor, deep.name]).toEqual([Error, 'Error']);
    expect(deep.message).toMatch(/^A non-Error value was thrown: /);
    expect(deep.message).toMatch(
      /\(it cannot be sent back: Cannot send error\.n\.n\.n… \(\.n 1000 times\): the value is nested more than 1000 levels deep/,
    );
    expect(deep.n).toEqual(nested(1000, 'n'));
    // An error's field as deep as its own value may be: its record's levels do not count either.
    const field = (await pool.apply(tasks.throwDeepField, [1000]).catch((e: unknown) => e)) as Error & {
      data: unknown;
    };
    expect([field.constructor, field.message]).toEqual([Error, 'deep field']);
    expect(field.data).toEqual(nested(1000));
    // Deeper, that field alone is the SerializationError naming it, as from the local pool.
    const deeper = (await pool.apply(tasks.throwDeepField, [1001]).catch((e: unknown) => e)) as Error & {
      data: SerializationError;
    };
    expect([deeper.constructor, deeper.message]).toEqual([Error, 'deep field']);
    expect(deeper.data).toBeInstanceOf(SerializationError);
    expect(deeper.data.path).toMatch(/^error\.data(\.c)+$/);
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
