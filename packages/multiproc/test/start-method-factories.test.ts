// The default namespace's shared-memory factories are the default context's, as Python's
// module-level `multiprocessing.Lock()` is `get_context().Lock()`: after setStartMethod('process')
// (and in a 'process' worker) `mp.Lock()` is what `getContext('process').Lock()` returns, so a
// child process can take it; while the start method is 'thread' (or unset) it is the shared-memory
// class, as before. Read at each call: an object keeps the kind it was made with.
import * as ipc from '@multiproc/ipc';
import mp, { ContextError, getContext, Pool, setStartMethod } from '@multiproc/multiproc';
import * as shared from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/follow-tasks.mjs';

type Member = (...args: unknown[]) => object;
const ns = mp as unknown as Record<string, Member>;
const processCtx = getContext('process') as unknown as Record<string, Member>;

/** Each following member, its arguments, and the class of what it makes in the thread context. */
const FACTORIES: [name: string, args: unknown[], threadClass: abstract new (...a: never[]) => object][] = [
  ['Lock', [], shared.Lock],
  ['RLock', [], shared.RLock],
  ['Semaphore', [2], shared.Semaphore],
  ['BoundedSemaphore', [2], shared.BoundedSemaphore],
  ['Event', [], shared.Event],
  ['Condition', [], shared.Condition],
  ['Barrier', [2], shared.Barrier],
  ['Value', ['i', 1], shared.SynchronizedValue],
  ['RawValue', ['d', 1.5], shared.RawValue],
  ['Array', ['i', 3], shared.SynchronizedArray],
  ['SharedArray', ['i', [1, 2]], shared.SynchronizedArray],
  ['RawArray', ['d', 2], shared.RawArray],
];

/** Each form of a call: `mp.X(...)` and `new mp.X(...)`. */
const made = (name: string, args: unknown[]): object[] => [
  ns[name]!(...args),
  new (ns[name] as unknown as new (...a: unknown[]) => object)(...args),
];

afterEach(() => {
  setStartMethod(null, { force: true });
});

describe('mp.Lock(), mp.Value(), … follow setStartMethod()', () => {
  it('make shared-memory objects while the start method is unset or thread, proxies once it is process', () => {
    const before = made('Lock', []);
    for (const [name, args, threadClass] of FACTORIES) {
      for (const object of made(name, args)) {
        expect(object, name).toBeInstanceOf(threadClass);
        expect(object, name).toBeInstanceOf(ns[name]!);
        expect(object, name).not.toBeInstanceOf(ipc.BaseProxy);
      }
    }
    setStartMethod('process');
    for (const [name, args, threadClass] of FACTORIES) {
      for (const object of made(name, args)) {
        expect(object, name).toBeInstanceOf(ipc.BaseProxy);
        expect(object, name).toBeInstanceOf(processCtx[name]!);
        expect(object, name).toBeInstanceOf(ns[name]!);
        expect(object, name).not.toBeInstanceOf(threadClass);
      }
    }
    expect(mp.Lock()).toBeInstanceOf(ipc.LockProxy);
    expect(mp.Lock().constructor.name).toBe('LockProxy');
    // Made before: still a thread Lock, naming mp.Lock.
    for (const lock of before) {
      expect(lock).toBeInstanceOf(shared.Lock);
      expect(lock.constructor).toBe(mp.Lock);
    }
    // A subclass constructs its class, whatever the start method.
    class MyLock extends mp.Lock {}
    const mine = new MyLock();
    expect(mine).toBeInstanceOf(shared.Lock);
    expect(mine.constructor).toBe(MyLock);
    expect(mine).toBeInstanceOf(MyLock);
    expect(mp.Lock()).not.toBeInstanceOf(MyLock);
    // { force: true } switches back.
    setStartMethod('thread', { force: true });
    expect(mp.Lock()).toBeInstanceOf(shared.Lock);
    expect(mp.Lock().constructor).toBe(mp.Lock);
    setStartMethod('process', { force: true });
    expect(mp.Value('d', 0.5)).toBeInstanceOf(ipc.SynchronizedValueProxy);
    setStartMethod(null, { force: true });
    expect(mp.Value('d', 0.5)).toBeInstanceOf(shared.SynchronizedValue);
  });

  it('keep the class’s prototype and statics, and Array the same member as SharedArray', () => {
    for (const [name] of FACTORIES) {
      const cls = (shared as unknown as Record<string, { prototype: unknown; name: string }>)[
        name === 'Array' ? 'SharedArray' : name
      ]!;
      expect(ns[name]!.prototype, name).toBe(cls.prototype);
      expect(ns[name]!.name, name).toBe(cls.name);
    }
    expect(mp.Array).toBe(mp.SharedArray);
    // A thread context's object names mp's member too (one prototype names one constructor).
    expect(getContext('thread').Lock().constructor).toBe(mp.Lock);
    expect(new shared.Lock().constructor).toBe(mp.Lock);
  });

  it('made after setStartMethod(process), can be passed to a process Process and used there', {
    timeout: 60_000,
  }, async () => {
    const early = mp.Value('i', 0);
    setStartMethod('process');
    const lock = mp.Lock();
    // Typed as the thread classes (TypeScript cannot know the start method): getContext('process') has the proxies' types.
    const total = new mp.Value('i', 0) as unknown as ipc.SynchronizedValueProxy<number>;
    const workers = [1, 2].map(() => mp.Process({ target: tasks.add, args: [lock, total, 1, 20] }));
    for (const p of workers) p.start();
    for (const p of workers) await p.join(30_000);
    expect(workers.map((p) => p.exitCode)).toEqual([0, 0]);
    expect(await total.get()).toBe(40);
    // Made before setStartMethod(): still shared memory, refused by a child process as before.
    expect(() => mp.Process({ target: tasks.add, args: [lock, early, 1, 1] }).start()).toThrow(ContextError);

    const event = mp.Event();
    const barrier = mp.Barrier(2);
    const array = mp.Array('i', 3);
    const p = new mp.Process({ target: tasks.touch, args: [event, barrier, array, mp.BoundedSemaphore(1)] });
    p.start();
    await barrier.wait(30_000);
    await p.join(30_000);
    expect(p.exitCode).toBe(0);
    expect(await event.isSet()).toBe(true);
    expect(await array.get(1)).toBe(42);
  });

  it('in a process worker, make process objects (its start method is process), usable by its own children', {
    timeout: 60_000,
  }, async () => {
    await using pool = new Pool({ processes: 1, context: 'process' });
    expect(await pool.apply(tasks.ownKind)).toEqual({
      startMethod: 'process',
      lock: 'LockProxy',
      exitCode: 0,
      value: 10,
    });
  });

  it('in a thread worker, make shared-memory objects, even when the program set process', {
    timeout: 60_000,
  }, async () => {
    setStartMethod('process');
    await using pool = new Pool({ processes: 1, context: 'thread' });
    expect(await pool.apply(tasks.ownKind)).toEqual({
      startMethod: 'thread',
      lock: 'Lock',
      exitCode: 0,
      value: 10,
    });
  });
});
