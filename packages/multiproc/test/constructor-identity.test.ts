// The callable members of `mp` and of context objects (Proxies around the classes, so that
// `mp.Pool()` works without `new`) are what their instances name as `constructor`, with one
// prototype shared with the class: `new mp.Pool().constructor === mp.Pool`, `mp.Pool.prototype ===
// Pool.prototype`, `mp.Pool()` without new, and `class X extends mp.Process` (Python's
// `_TestSubclassingProcess`) all hold together. The named exports stay the classes (to extend, or
// to test with `instanceof`); an instance's `constructor` is the callable member.
import * as core from '@multiproc/core';
import mp from '@multiproc/multiproc';
import * as shared from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';

const pools: { terminate(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

type Ctor = { prototype?: { constructor?: unknown } };
// The factories whose prototype is their class's (so that `instanceof` works with either).
const LENDERS: Record<string, string> = {
  Value: 'SynchronizedValue',
  SharedArray: 'SynchronizedArray',
  Array: 'SynchronizedArray',
  Manager: 'SyncManager',
};
// The members of `mp` that follow the start method (`mp.Lock()` is the default context's): a
// different object from the thread context's member, and the one the class's prototype names, so
// a thread context's Lock names `mp.Lock` as its constructor.
const FOLLOWING = new Set([
  'Barrier',
  'BoundedSemaphore',
  'Condition',
  'Event',
  'Lock',
  'RLock',
  'RawArray',
  'RawValue',
  'Semaphore',
  'SharedArray',
  'Array',
  'Value',
]);
const namespaces = {
  mp: mp as unknown as Record<string, unknown>,
  "getContext('thread')": mp.getContext('thread') as unknown as Record<string, unknown>,
  "getContext('process')": mp.getContext('process') as unknown as Record<string, unknown>,
};

describe.each(Object.entries(namespaces))('every class member of %s', (_label, ns) => {
  it('is the constructor its prototype names (so every instance names it)', () => {
    const members = new Set(Object.values(ns));
    const wrong: string[] = [];
    for (const [name, member] of Object.entries(ns)) {
      if (!/^[A-Z]/.test(name) || name.endsWith('Error') || typeof member !== 'function') continue;
      const prototype = (member as Ctor).prototype;
      if (typeof prototype !== 'object' || prototype === null) continue; // an async or arrow factory
      if (prototype.constructor === member) continue;
      if (FOLLOWING.has(name) && prototype.constructor === (mp as Record<string, unknown>)[name]) continue;
      // A factory lending its class's prototype: its objects name the class's member.
      const lender = LENDERS[name];
      if (lender && prototype.constructor === ns[lender] && members.has(ns[lender])) continue;
      wrong.push(name);
    }
    expect(wrong).toEqual([]);
  });
});

describe('an instance of a callable member', () => {
  it.each(['mp', "getContext('thread')", "getContext('process')"] as const)(
    'Pool of %s: made with new or called, names the member as its constructor',
    (label) => {
      const Pool = namespaces[label].Pool as typeof mp.Pool;
      for (const pool of [new Pool({ processes: 1 }), Pool({ processes: 1 })]) {
        pools.push(pool);
        expect(pool.constructor).toBe(Pool);
        expect(Object.getPrototypeOf(pool)).toBe(Pool.prototype);
        expect(pool).toBeInstanceOf(Pool);
        expect(pool).toBeInstanceOf(mp.Pool);
        expect(pool).toBeInstanceOf(core.Pool);
      }
    },
  );

  it('mp.Pool shares its prototype with the class; a pool made from the class names mp.Pool too', () => {
    expect(mp.Pool.prototype).toBe(core.Pool.prototype);
    const pool = new core.Pool({ processes: 1 });
    pools.push(pool);
    expect(pool.constructor).toBe(mp.Pool);
    expect(pool).toBeInstanceOf(mp.Pool);
  });

  it('Queue, Lock, Process: made with new or called, name the member', () => {
    const q = mp.Queue<number>();
    const lock = new mp.Lock();
    const p = mp.Process({ target: tasks.square, args: [2] });
    expect([q.constructor, lock.constructor, p.constructor]).toEqual([mp.Queue, mp.Lock, mp.Process]);
    expect(new shared.Lock().constructor).toBe(mp.Lock);
    expect(mp.getContext('thread').Lock().constructor).toBe(mp.Lock);
    q.close();
  });

  it('a subclass of mp.Process names itself, and runs (Python: _TestSubclassingProcess)', async () => {
    class Squarer extends mp.Process {
      tag = 'squarer';
    }
    const p = new Squarer({ target: tasks.square, args: [3] });
    expect(p.constructor).toBe(Squarer);
    expect(p).toBeInstanceOf(mp.Process);
    expect(p).toBeInstanceOf(core.Process);
    expect(Object.getPrototypeOf(Squarer.prototype)).toBe(mp.Process.prototype);
    expect(p.tag).toBe('squarer');
    p.start();
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });
});
