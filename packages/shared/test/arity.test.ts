// Every public method (and constructor) of the shared primitives refuses arguments it does not
// take, as Python raises TypeError, instead of ignoring them: `lock.release(5)`, `new Event(1)`,
// `ev.set(5)` and `new RawValue('i', 0, { lock: true })` were accepted silently. Sync methods
// throw, Promise-returning ones reject; nothing is done. Also: `{ block: null }` is the default.
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  RawArray,
  RawValue,
  RLock,
  Semaphore,
  SharedArray,
  ValidationError,
  Value,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

type Any = (...args: unknown[]) => unknown;

/** Calls `obj[method]` with `count` arguments; 'threw', 'rejected' (both ValidationError) or 'ok'. */
async function outcome(obj: object, method: string, count: number): Promise<string> {
  const args = Array.from({ length: count }, (_, i) => (i === 0 ? 5 : undefined));
  let result: unknown;
  try {
    result = ((obj as Record<string, Any>)[method] as Any).apply(obj, args);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/takes .*, but was given \d+ arguments?/);
    return 'threw';
  }
  if (result instanceof Promise) {
    const err = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err === undefined) return 'ok';
    expect(err).toBeInstanceOf(ValidationError);
    return 'rejected';
  }
  return 'ok';
}

// [what, make, method, most arguments it takes, returns a promise]
const METHODS: [string, () => object, string, number, boolean][] = [];
for (const [name, make] of [
  ['Lock', () => new Lock()],
  ['RLock', () => new RLock()],
  ['Semaphore', () => new Semaphore(1)],
  ['BoundedSemaphore', () => new BoundedSemaphore(1)],
] as const) {
  METHODS.push(
    [name, make, 'acquire', 1, true],
    [name, make, 'acquireSync', 1, false],
    [name, make, 'tryAcquire', 0, false],
    [name, make, 'release', name.endsWith('Semaphore') ? 1 : 0, false],
    [name, make, 'locked', 0, false],
    [name, make, 'withLock', 2, true],
  );
}
METHODS.push(
  ['RLock', () => new RLock(), 'isOwned', 0, false],
  ['Semaphore', () => new Semaphore(1), 'getValue', 0, false],
  ['Event', () => new Event(), 'isSet', 0, false],
  ['Event', () => new Event(), 'set', 0, false],
  ['Event', () => new Event(), 'clear', 0, false],
  ['Event', () => new Event(), 'wait', 1, true],
  ['Event', () => new Event(), 'waitSync', 1, false],
  ['Condition', () => new Condition(), 'acquire', 1, true],
  ['Condition', () => new Condition(), 'acquireSync', 1, false],
  ['Condition', () => new Condition(), 'release', 0, false],
  ['Condition', () => new Condition(), 'withLock', 2, true],
  ['Condition', () => new Condition(), 'wait', 1, true],
  ['Condition', () => new Condition(), 'waitSync', 1, false],
  ['Condition', () => new Condition(), 'waitFor', 2, true],
  ['Condition', () => new Condition(), 'waitForSync', 2, false],
  ['Condition', () => new Condition(), 'notify', 1, false],
  ['Condition', () => new Condition(), 'notifyAll', 0, false],
  ['Barrier', () => new Barrier(2), 'wait', 1, true],
  ['Barrier', () => new Barrier(2), 'waitSync', 1, false],
  ['Barrier', () => new Barrier(2), 'abort', 0, false],
  ['Barrier', () => new Barrier(2), 'reset', 0, false],
  ['Value', () => new Value('i', 0), 'getLock', 0, false],
  ['Value', () => new Value('i', 0), 'getObj', 0, false],
  ['Value', () => new Value('i', 0), 'get', 0, false],
  ['Value', () => new Value('i', 0), 'set', 1, false],
  ['SharedArray', () => new SharedArray('i', 2), 'get', 1, false],
  ['SharedArray', () => new SharedArray('i', 2), 'set', 2, false],
  ['SharedArray', () => new SharedArray('i', 2), 'slice', 2, false],
  ['SharedArray', () => new SharedArray('i', 2), 'setSlice', 2, false],
  ['SharedArray', () => new SharedArray('i', 2), 'toArray', 0, false],
  ['SharedArray', () => new SharedArray('i', 2), 'getLock', 0, false],
  ['SharedArray', () => new SharedArray('i', 2), 'getObj', 0, false],
);

describe('a method given more arguments than it takes', () => {
  it.each(METHODS)('%s.%s() refuses one more than %i', async (_name, make, method, most, async) => {
    expect(await outcome(make(), method, most + 1)).toBe(async ? 'rejected' : 'threw');
  });

  it('does nothing: a held lock stays held, an event stays clear, a barrier stays whole', () => {
    const lock = new Lock();
    lock.acquireSync();
    expect(() => (lock.release as Any)(5)).toThrow(ValidationError);
    expect(lock.locked()).toBe(true);
    lock.release();
    const ev = new Event();
    expect(() => (ev.set as Any).call(ev, true)).toThrow(/Event\.set\(\) takes no argument/);
    expect(ev.isSet()).toBe(false);
    const bar = new Barrier(2);
    expect(() => (bar.abort as Any).call(bar, 5)).toThrow(ValidationError);
    expect(bar.broken).toBe(false);
    expect(() => (lock.tryAcquire as Any).call(lock, 100)).toThrow(/acquire\(\{ timeout \}\)/);
    expect(lock.locked()).toBe(false);
  });
});

describe('a constructor given more arguments than it takes', () => {
  const ctor =
    (C: unknown, ...args: unknown[]) =>
    () =>
      new (C as new (...a: unknown[]) => unknown)(...args);
  it.each([
    ['Lock', ctor(Lock, 5)],
    ['Lock', ctor(Lock, { x: 1 })],
    ['RLock', ctor(RLock, 5)],
    ['Event', ctor(Event, 1)],
    ['Semaphore', ctor(Semaphore, 1, 2)],
    ['BoundedSemaphore', ctor(BoundedSemaphore, 1, 2)],
    ['Condition', ctor(Condition, new Lock(), 2)],
    ['Barrier', ctor(Barrier, 2, {}, 100)],
    ['Value', ctor(Value, 'i', 0, {}, 1)],
    ['SharedArray', ctor(SharedArray, 'i', 2, {}, 1)],
    ['RawArray', ctor(RawArray, 'i', 2, { lock: true })],
  ])('new %s() throws ValidationError', (_name, make) => {
    expect(make).toThrow(ValidationError);
  });

  it("RawValue has no lock (Python's RawValue takes no lock argument): { lock } is refused, saying to use Value", () => {
    expect(ctor(RawValue, 'i', 0, { lock: true })).toThrow(
      /a RawValue has no lock.*new Value\(typecode, value, \{ lock \}\)/,
    );
    expect(ctor(RawValue, 'i', 0)).not.toThrow();
    expect(new Value('i', 0, { lock: false })).toBeInstanceOf(RawValue); // the documented way
  });
});

describe('{ block: null } (Python: block=None) is the default, as null is for every option', () => {
  it('Lock.acquire({ block: null }) waits as with no block', async () => {
    const lock = new Lock();
    expect(await lock.acquire({ block: null })).toBe(true);
    expect(lock.acquireSync({ block: null, timeout: 0 })).toBe(false);
    lock.release();
    await expect(lock.acquire({ block: 'no' as never })).rejects.toThrow(
      /block must be true or false, got the string 'no'/,
    );
  });
});

describe("Python's acquire(block, timeout) is translated", () => {
  it.each([
    ['Lock', () => new Lock()],
    ['RLock', () => new RLock()],
    ['Semaphore', () => new Semaphore(1)],
    ['BoundedSemaphore', () => new BoundedSemaphore(1)],
    ['Condition', () => new Condition()],
  ] as const)(
    '%s.acquire(true, 0.5) and acquireSync(true, 0.5) say which form to write',
    async (_name, make) => {
      const primitive = make() as unknown as Record<'acquire' | 'acquireSync', Any>;
      const err = await (async () => primitive.acquire.call(primitive, true, 0.5))().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(
        /Python's acquire\(block, timeout\) is acquire\(\{ timeout \}\) here, in ms, and acquire\(False\) is acquire\(\{ block: false \}\)\.$/,
      );
      expect(() => primitive.acquireSync.call(primitive, true, 0.5)).toThrow(
        /Python's acquire\(block, timeout\) is acquireSync\(\{ timeout \}\) here, in ms/,
      );
    },
  );
});
