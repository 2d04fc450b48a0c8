// A Pool, a Process, a manager, a pool call's AsyncResult or imap iterator, a Process's sentinel
// or a Listener sent to a worker would arrive as a plain object ({} or a few EventEmitter
// fields), and the task would fail later with `p.map is not a function`. Each is refused at the
// send instead, with a SerializationError naming its path and what to send, in both contexts
// (as Python refuses to pickle a pool).
import { Process, SerializationError } from '@multiproc/core';
import { Listener, Manager, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/host-bound-tasks.mjs';
import { poolMaker, serializationFailure } from './helpers.ts';

const makePool = poolMaker();

describe.each(matrix(import.meta.url))('a Pool or a Process sent in the %s context', (context) => {
  it('is refused naming its path, as an argument, an item and a result', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const asArg = await serializationFailure(pool.apply(t.echo, [pool]));
    expect(asArg.path).toBe('args[0]');
    expect(asArg.message).toMatch(/a Pool.*inside the task/);
    const proc = new Process({ target: t.echo, args: [1], context });
    const asItem = await serializationFailure(pool.map(t.echo, [1, { proc }]));
    expect(asItem.path).toBe('items[1].proc');
    expect(asItem.message).toMatch(/a Process/);
    expect((await serializationFailure(pool.apply(t.makePool, []))).path).toBe('result');
    const m = Manager();
    try {
      const manager = await serializationFailure(pool.apply(t.echo, [m]));
      expect(manager.path).toBe('args[0]');
      expect(manager.message).toMatch(/a manager.*its proxies/);
    } finally {
      m.shutdown();
    }
    expect(await pool.apply(t.echo, [7])).toBe(7); // the worker lives on
  });

  it('an AsyncResult, an imap iterator, a sentinel and a Listener are refused too', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const pending = pool.applyAsync(t.echo, [1]);
    const results = pool.imap(t.echo, [2]);
    const p = new Process({ target: t.echo, args: [3], context });
    p.start();
    const listener = new Listener();
    try {
      for (const [value, what] of [
        [pending, /an AsyncResult.*Await it here/],
        [results, /an imap\(\) iterator/],
        [p.sentinel, /sentinel/],
        [listener, /a Listener.*Connection/],
      ] as const) {
        const err = await serializationFailure(pool.apply(t.echo, [{ value }]));
        expect(err.path).toBe('args[0].value');
        expect(err.message).toMatch(what);
      }
      expect(await pending).toBe(1);
      for await (const v of results) expect(v).toBe(2);
    } finally {
      listener.close();
      await p.join();
    }
  });

  it('is refused by Process.start() and Queue.put()', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const p = new Process({ target: t.echo, args: [pool], context });
    const err = (() => {
      try {
        p.start();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as SerializationError).path).toBe('args[0]');
    const q = new Queue();
    try {
      const put = await Promise.resolve()
        .then(() => q.put({ pool }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(put).toBeInstanceOf(SerializationError);
      expect((put as SerializationError).path).toBe('value.pool');
    } finally {
      q.close();
    }
  });
});
