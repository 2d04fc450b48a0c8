// A Proxy reads like its target, so the codec passes it and structured clone refuses it only when
// it is posted. The SerializationError is the same in both contexts: its cause is the
// DataCloneError structured clone gives (a child's process.send() throws a plain Error), and its
// path names the Proxy: `args[1].q[0]`, `items[1]` for a map item, `result.x[1]` for a result,
// `result[1]` for the result of a map's item 1.
// A SharedArrayBuffer in a Map sent to a process names the entry's key (`.get(1)`), as the codec
// names Map entries everywhere.

import { ContextError, Process } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/unsendable-tasks.mjs';
import { poolMaker, serializationFailure } from './helpers.ts';

const makePool = poolMaker();

function expectDataCloneCause(err: Error): void {
  expect(err.cause).toBeInstanceOf(DOMException);
  expect((err.cause as DOMException).name).toBe('DataCloneError');
}

describe.each(matrix(import.meta.url))('a Proxy in the %s context', (context) => {
  it('as a result: SerializationError naming it, cause a DataCloneError, the worker lives on', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const top = await serializationFailure(pool.apply(t.proxyResult, []));
    expect(top.path).toBe('result');
    expectDataCloneCause(top);
    const nested = await serializationFailure(pool.apply(t.nestedProxyResult, []));
    expect(nested.path).toBe('result.x[1]');
    expectDataCloneCause(nested);
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  it('among map results: SerializationError named result[i], not a crash; the worker lives on', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const before = await pool.apply(t.workerId, []);
    // Numbers in an array, packed numbers (a thread's side lane), other items; with chunks of one
    // item, of the whole input, and sized by the pool.
    const inputs = [() => [0, 1, 2], () => new Float64Array([0, 1, 2]), () => [0, 1, 2].map((i) => ({ i }))];
    for (const input of inputs) {
      for (const chunksize of [1, 3, undefined]) {
        const err = await serializationFailure(pool.map(t.proxyAt1, input(), { chunksize }));
        expect(err.path).toBe('result[1]');
        expect((err as { taskIndex?: number }).taskIndex).toBe(1);
        expectDataCloneCause(err);
        const nested = await serializationFailure(pool.map(t.nestedProxyAt1, input(), { chunksize }));
        expect(nested.path).toBe('result[1].x[1]');
      }
    }
    // An imap yields the results before it, then fails there.
    for (const chunksize of [1, 3]) {
      const seen: unknown[] = [];
      const looped = (async () => {
        for await (const v of pool.imap(t.proxyAt1, [0, 1, 2], { chunksize })) seen.push(v);
      })();
      expect((await serializationFailure(looped)).path).toBe('result[1]');
      expect(seen).toEqual([0]);
    }
    expect(await pool.apply(t.workerId, [])).toBe(before);
  });

  it('as an argument: named by its path, cause a DataCloneError', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const proxy = new Proxy({ a: 1 }, {});
    const err = await serializationFailure(pool.apply(t.echo, [1, { q: [proxy] }]));
    expect(err.path).toBe('args[1].q[0]');
    expectDataCloneCause(err);
    const p = new Process({ target: t.echo, args: [{ m: new Map([['k', proxy]]) }], context });
    let thrown: unknown;
    try {
      p.start();
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error).name).toBe('SerializationError');
    expect((thrown as { path: string }).path).toBe('args[0].m.get("k")');
    expectDataCloneCause(thrown as Error);
  });

  it('as a map, starmap or imap item: named items[i]…, never args', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const proxy = new Proxy({ a: 1 }, {});
    const mapped = await serializationFailure(pool.map(t.echo, [1, proxy]));
    expect(mapped.path).toBe('items[1]');
    expectDataCloneCause(mapped);
    const inChunk = pool.map(t.echo, [1, 2, 3, { q: new Map([[1, proxy]]) }], { chunksize: 2 });
    expect((await serializationFailure(inChunk)).path).toBe('items[3].q.get(1)');
    expect((await serializationFailure(pool.starmap(t.echo, [[1], [proxy]]))).path).toBe('items[1][0]');
    const seen: unknown[] = [];
    const looped = (async () => {
      for await (const v of pool.imap(t.echo, [1, 2, proxy], { chunksize: 1 })) seen.push(v);
    })();
    expect((await serializationFailure(looped)).path).toBe('items[2]');
    expect(seen).toEqual([1, 2]);
    expect(await pool.map(t.echo, [1, 2])).toEqual([1, 2]);
  });
});

describe('shared memory in a Map sent to a process', () => {
  it('names the entry by its primitive key, as the codec names Map entries', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context: 'process' });
    const sab = new SharedArrayBuffer(8);
    for (const [key, name] of [
      ['sab', '"sab"'],
      [1, '1'],
      [2n, '2n'],
      [true, 'true'],
      [null, 'null'],
    ] as const) {
      const err = await pool.apply(t.echo, [new Map<unknown, unknown>([[key, sab]])]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ContextError);
      expect((err as Error).message).toContain(`args[0].get(${name})`);
    }
    const set = await pool.apply(t.echo, [new Set([1, sab])]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((set as Error).message).toContain('args[0].<item>');
  });
});
