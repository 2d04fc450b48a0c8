// A task that throws (or rejects with) something that is not an Error: the call rejects with that
// very value, sent back as results are, so `catch (e) { if (e === 'retry') … }` works as with a
// direct call (piscina does the same). A value that cannot be sent gives an Error saying why.
import { Pool } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/thrown-values.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

function makePool(context: 'thread' | 'process', options: Record<string, unknown> = {}): Pool {
  const pool = new Pool({ processes: 1, context, ...options });
  pools.push(pool);
  return pool;
}

const caught = (call: PromiseLike<unknown>) =>
  Promise.resolve(call).then(
    () => 'resolved',
    (e: unknown) => e,
  );

describe.each(matrix(import.meta.url))('non-Error throws in %s context', (context) => {
  it.each([
    ['a string', 'retry'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { status: 409, detail: { ids: [1, 2] } }],
    ['a bigint', 7n],
    ['an array', ['a', 1]],
  ])(
    'apply rejects with the thrown %s itself, also when an async task rejects with it',
    async (_, value) => {
      const pool = makePool(context);
      expect(await caught(pool.apply(tasks.throwIt, [value]))).toEqual(value);
      expect(await caught(pool.apply(tasks.rejectWith, [value]))).toEqual(value);
    },
    20_000,
  );

  it('Promise.reject() with no value rejects with undefined', async () => {
    const pool = makePool(context);
    expect(await caught(pool.apply(tasks.rejectUndefined, []))).toBe(undefined);
  }, 20_000);

  it('sends the thrown value as results travel: a Date, a Buffer and a plain object keep their types', async () => {
    const pool = makePool(context);
    const date = await caught(pool.apply(tasks.throwNamed, ['date']));
    expect(date).toBeInstanceOf(Date);
    expect((date as Date).getTime()).toBe(0);
    const buffer = await caught(pool.apply(tasks.throwNamed, ['buffer']));
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect(String(buffer)).toBe('hi');
  }, 20_000);

  it.each(['function', 'symbol', 'holder', 'proxy'])(
    'a thrown %s that cannot be sent rejects with an Error that shows it and says why, and the worker lives on',
    async (which) => {
      const pool = makePool(context);
      const error = await caught(pool.apply(tasks.throwNamed, [which]));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/A non-Error value was thrown: .*cannot be sent back/);
      if (which === 'holder' || which === 'proxy') expect(error).toMatchObject({ status: 409 });
      expect(await pool.apply(tasks.noop, [])).toBe('ran');
    },
    20_000,
  );

  it('map, imap and applyAsync reject with the thrown value; the items before it are kept by imap', async () => {
    const pool = makePool(context);
    expect(await caught(pool.map(tasks.itemOrThrow, ['a', 'bad', 'c'], { chunksize: 1 }))).toBe('retry');
    expect(await caught(pool.map(tasks.itemOrThrow, ['a', 'bad', 'c'], { chunksize: 3 }))).toBe('retry');
    const seen: unknown[] = [];
    const imap = (async () => {
      for await (const v of pool.imap(tasks.itemOrThrow, ['a', 'bad', 'c'])) seen.push(v);
    })();
    expect(await caught(imap)).toBe('retry');
    expect(seen).toEqual(['a']);
    let viaCallback: unknown = 'unset';
    const r = pool.applyAsync(tasks.throwIt, [0], {
      errorCallback: (e: unknown) => {
        viaCallback = e;
      },
    });
    expect(await caught(r.get(10_000))).toBe(0);
    expect(viaCallback).toBe(0);
  }, 30_000);

  it('an initializer that throws a plain object rejects the calls with that object', async () => {
    const pool = makePool(context, { initializer: tasks.initThrows });
    expect(await caught(pool.apply(tasks.noop, []))).toEqual({ init: 'failed' });
  }, 20_000);
});
