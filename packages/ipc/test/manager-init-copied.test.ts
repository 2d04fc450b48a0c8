// An object made in the program that serves the manager gets copies of what the caller passed, as
// one made from another process does (and Python's server unpickles them). Before, `manager.list(
// [inner])`, `dict({ k: inner })`, `Namespace({ k: inner })` and a registered factory's arguments
// kept the caller's own objects: a later `inner.a = 2` changed the served value without a call, and
// a function in them was accepted, then failed every read with "Cannot send result[0].f ... return
// data (plain values) from the task instead".
import { BaseManager, Manager, SerializationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { keptManagers } from './managers-kept.js';

const kept = keptManagers();

describe("what a manager's factories are given in the program that serves it", () => {
  it('is copied: a later change by the caller does not reach the served object', {
    timeout: 10_000,
  }, async () => {
    const m = kept(Manager());
    const inner = { a: 1 };
    const when = new Date(5);
    const l = m.list([inner, when]);
    const d = m.dict({ k: inner });
    const pairs = m.dict([['k', inner]]);
    const ns = m.Namespace({ k: inner });
    inner.a = 2;
    when.setTime(7);
    expect(await l.get(0)).toEqual({ a: 1 });
    expect(((await l.get(1)) as Date).getTime()).toBe(5);
    expect(await d.get('k')).toEqual({ a: 1 });
    expect(await pairs.get('k')).toEqual({ a: 1 });
    expect(await ns.get('k')).toEqual({ a: 1 });
    // A proxy among them still stands for its object.
    const sub = m.list([1]);
    await ((await m.dict({ sub }).get('sub')) as typeof sub).append(2);
    expect(await sub.copy()).toEqual([1, 2]);

    const b = kept(new BaseManager());
    b.register('Box', (v: { a: number }) => ({ get: () => v }));
    await b.start();
    const arg = { a: 1 };
    const box = await b.create<{ get(): { a: number } }>('Box', arg);
    arg.a = 2;
    expect(await box.get()).toEqual({ a: 1 });
  });

  it('refuses what cannot be sent at once, naming its path', { timeout: 10_000 }, async () => {
    const m = kept(Manager());
    const cb = () => 0;
    const made = await m.numberOfObjects();
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err as SerializationError;
      }
      throw new Error('accepted');
    };
    expect(refusal(() => m.list([{ cb }])).path).toBe('init[0].cb');
    expect(refusal(() => m.dict({ k: [Symbol('s')] })).path).toBe('init.k[0]');
    expect(refusal(() => m.Namespace({ k: { cb } }))).toBeInstanceOf(SerializationError);
    expect(await m.numberOfObjects()).toBe(made);
    const b = kept(new BaseManager());
    b.register('Box', (v: unknown) => ({ get: () => v }));
    await b.start();
    await expect(b.create('Box', { cb })).rejects.toMatchObject({
      name: 'SerializationError',
      path: 'args[0].cb',
    });
  });
});
