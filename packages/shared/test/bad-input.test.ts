// Bad input to the primitives gets a named error that says what to do, and changes nothing.
import { describe, expect, it } from 'vitest';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  ByteChannel,
  Condition,
  describeValue,
  Event,
  encodeSymbol,
  Lock,
  LockError,
  RawArray,
  RawValue,
  RLock,
  readOptions,
  Semaphore,
  SharedArray,
  ValidationError,
  Value,
} from '../src/index.js';
import { startWorker } from './helpers.js';

const MAX_INT32 = 2 ** 31 - 1;

describe('Semaphore counts', () => {
  it('refuses a release past 2**31-1 with LockError and leaves the count unchanged', () => {
    const sem = new Semaphore(MAX_INT32);
    expect(() => sem.release()).toThrow(LockError);
    expect(() => sem.release()).toThrow(/would exceed 2\*\*31-1/);
    expect(sem.getValue()).toBe(MAX_INT32);
    const small = new Semaphore(2);
    expect(() => small.release(2 ** 31)).toThrow(LockError);
    expect(small.getValue()).toBe(2);
    // A permit can still be taken: the count was not corrupted.
    expect(small.tryAcquire()).toBe(true);
    small.release(MAX_INT32 - 1);
    expect(small.getValue()).toBe(MAX_INT32);
  });

  it('BoundedSemaphore still refuses a release past its initial value', () => {
    const sem = new BoundedSemaphore(1);
    expect(() => sem.release()).toThrow(/BoundedSemaphore released too many times/);
    expect(sem.getValue()).toBe(1);
  });

  it('new Semaphore("2") says a string was given', () => {
    expect(() => new Semaphore('2' as never)).toThrow(/got the string '2'/);
    expect(() => new Semaphore(2.5)).toThrow(/got the number 2\.5/);
  });
});

describe('RLock depth', () => {
  it('refuses a re-entry past 2**31-1 with LockError, and the lock still releases', () => {
    const r = new RLock();
    r.acquireSync();
    // The depth word (3) as the lock's shared memory holds it, set near its top.
    const words = new Int32Array((r as any)[encodeSymbol]({ target: 'thread' }).data as SharedArrayBuffer);
    words[3] = MAX_INT32;
    expect(() => r.acquireSync()).toThrow(LockError);
    expect(() => r.acquireSync()).toThrow(/2\*\*31-1 times/);
    words[3] = 1;
    r.release();
    expect(r.isOwned()).toBe(false);
  });
});

describe('SharedArray and RawArray sizes', () => {
  it('refuses a size above what shared memory holds with a ValidationError naming the maximum', () => {
    for (const make of [() => new SharedArray('d', 2 ** 53), () => new RawArray('d', 2 ** 53)]) {
      expect(make).toThrow(ValidationError);
      expect(make).toThrow(/at most 1125899906842623 items of 'd' \(2\*\*53-1 bytes\)/);
    }
  });

  it('turns a failed allocation into a ValidationError with the cause', () => {
    let caught: unknown;
    try {
      new RawArray('d', 2 ** 45); // 256 TiB: no machine gives it
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as Error).message).toMatch(/could not be allocated.*smaller size/);
    expect((caught as Error).cause).toBeInstanceOf(RangeError);
  });

  it('names a second argument that is neither a size nor values, and says what to pass', () => {
    for (const [given, shows] of [
      ['abc', /got the string 'abc'.*Buffer\.from\(text\)/],
      ['3', /got the string '3'\. For a size of 3 pass the number 3/],
      [3n, /got the bigint 3n\. Give the size as a number/],
      [{ a: 1 }, /got an object .*Object\.values\(obj\)/],
      [null, /a whole number of items.*got null/],
      [true, /got the boolean true/],
    ] as const) {
      for (const make of [
        () => new SharedArray('i', given as never),
        () => new RawArray('i', given as never),
      ]) {
        expect(make).toThrow(ValidationError);
        expect(make).toThrow(shows);
      }
    }
  });
});

describe('raw values', () => {
  it('get_lock on a RawValue or RawArray says it has no lock; on a synchronized one, to write getLock()', () => {
    expect(() => (new RawValue('i', 1) as any).get_lock).toThrow(/A raw value has no lock/);
    expect(() => (new Value('i', 1, { lock: false }) as any).get_lock).toThrow(/A raw value has no lock/);
    expect(() => (new RawArray('i', 2) as any).get_lock).toThrow(/A raw array has no lock/);
    expect(() => (new Value('i', 1) as any).get_lock).toThrow(/in multiproc write getLock\(\)/);
    expect(() => (new SharedArray('i', 2) as any).get_lock).toThrow(/in multiproc write getLock\(\)/);
  });
});

describe('ByteChannel options', () => {
  it('reads null as no options and refuses a multi that is not a boolean', () => {
    const ch = new ByteChannel(null);
    expect(ch.capacity).toBe(1 << 20);
    ch.close();
    expect(() => new ByteChannel({ multi: 'yes' as never })).toThrow(
      /multi must be true or false, got the string 'yes'/,
    );
    expect(() => new ByteChannel(5 as never)).toThrow(/options are an object/);
    expect(() => new ByteChannel({ capacity: '8' as never })).toThrow(/got the string '8'/);
  });

  it('holds one message of capacity bytes, each message taking its length plus 8, rounded to 8', () => {
    const ch = new ByteChannel({ capacity: 1024 });
    expect(ch.writeSync(new Uint8Array(1024), 0)).toBe(true);
    expect(ch.writeSync(new Uint8Array(1), 0)).toBe(false);
    ch.readSync(0);
    let n = 0;
    while (ch.writeSync(new Uint8Array(16), 0)) n++;
    expect(n).toBe(43); // 1032 bytes of ring / 24 per message
    ch.close();
  });
});

describe('Condition messages', () => {
  it('release() and notifyAll() without the lock name the call made', () => {
    const cond = new Condition();
    expect(() => cond.release()).toThrow(LockError);
    expect(() => cond.release()).toThrow(/^Condition\.release\(\): this thread does not hold/);
    expect(() => cond.notifyAll()).toThrow(
      /^Condition\.notifyAll\(\) needs its lock held by this thread: call acquire\(\) first/,
    );
    expect(() => cond.notify()).toThrow(
      /^Condition\.notify\(\) needs its lock held by this thread: call acquire\(\) first/,
    );
  });

  it('waitFor() and waitForSync() without the lock throw LockError before asking the predicate', async () => {
    for (const cond of [new Condition(), new Condition(new Lock())]) {
      let asked = 0;
      const predicate = () => ++asked > 0; // true at once: Python's wait_for would return it unchecked
      for (const timeout of [undefined, 0, 20]) {
        await expect(cond.waitFor(predicate, timeout)).rejects.toThrow(/^Condition\.waitFor\(\) needs/);
        await expect(cond.waitFor(predicate, timeout)).rejects.toBeInstanceOf(LockError);
        expect(() => cond.waitForSync(predicate, timeout)).toThrow(LockError);
      }
      expect(asked).toBe(0);
      await cond.acquire();
      expect(await cond.waitFor(predicate, 0)).toBe(true); // held: as before
      expect(cond.waitForSync(predicate, 0)).toBe(true);
      cond.release();
    }
  });
});

describe('readOptions() and describeValue()', () => {
  it('reads null and undefined as no options, and refuses a non-object naming its type', () => {
    expect(readOptions(null, ['a'], 'f()')).toEqual({});
    expect(readOptions(undefined, ['a'], 'f()')).toEqual({});
    const given = { a: 1 };
    expect(readOptions(given, ['a'], 'f()')).toBe(given);
    expect(() => readOptions(5 as never, ['a'], 'f()')).toThrow(
      'f(): options are an object (it takes { a }); got the number 5.',
    );
    expect(() => readOptions([1] as never, ['a'], 'f()')).toThrow(/got an array/);
    expect(() => readOptions({ b: 1 } as never, ['a'], 'f()')).toThrow(
      /Unknown option 'b' for f\(\): it takes a/,
    );
  });

  it('shows a value with its type', () => {
    expect(describeValue('2')).toBe("the string '2'");
    expect(describeValue(5)).toBe('the number 5');
    expect(describeValue(5n)).toBe('the bigint 5n');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue({})).toBe('an object {}');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue({ timout: 5 })).toBe('an object {"timout":5}');
    expect(describeValue([1, 2])).toBe('an array [1,2]');
    expect(describeValue(new Set())).toBe('a Set');
    expect(describeValue(Float64Array)).toBe('a function (Float64Array)');
    expect(describeValue({ k: 'x'.repeat(50) })).toMatch(/^an object \{"k":"x+\.\.\.$/);
  });
});

describe('a blocking wait that can never end', () => {
  // Unbounded, on memory never sent to another thread: only this thread could release or set it,
  // and it is the one blocked. Python blocks for ever; the async forms reject once the loop is dry.
  it('throws at once (LockError; a Barrier breaks), leaving the object as it was', () => {
    const lock = new Lock();
    lock.acquireSync();
    expect(() => lock.acquireSync()).toThrow(LockError);
    expect(() => lock.acquireSync()).toThrow(/can never end.*timeout/);
    lock.release();
    expect(lock.acquireSync()).toBe(true); // free: no wait, so nothing to refuse
    lock.release();
    for (const sem of [new Semaphore(0), new BoundedSemaphore(1)]) {
      sem.tryAcquire();
      expect(() => sem.acquireSync()).toThrow(LockError);
      sem.release();
      expect([sem.acquireSync(), sem.getValue()]).toEqual([true, 0]);
    }
    expect(() => new Event().waitSync()).toThrow(LockError);
    const cond = new Condition();
    cond.acquireSync();
    expect(() => cond.waitSync()).toThrow(LockError);
    expect(cond.lock.locked()).toBe(true); // still held by this thread, as after a wait
    expect(cond.waitSync(1)).toBe(false); // a bounded wait still waits
    cond.release();
    const bar = new Barrier(2);
    expect(() => bar.waitSync()).toThrow(BrokenBarrierError);
    expect([bar.broken, bar.nWaiting]).toEqual([true, 0]);
    bar.reset();
    expect(() => bar.waitSync()).toThrow(/could never be passed/);
    const ch = new ByteChannel({ capacity: 8 });
    expect(() => ch.readSync()).toThrow(LockError);
    ch.writeSync(new Uint8Array(8));
    expect(() => ch.writeSync(new Uint8Array(8))).toThrow(LockError);
    expect(ch.readSync()).toEqual(new Uint8Array(8));
    ch.close();
  });

  it('still blocks when the memory was sent to another thread, which can end it', async () => {
    const lock = new Lock();
    lock.acquireSync();
    startWorker('release-other', { lock });
    expect(lock.acquireSync()).toBe(true); // until the worker releases it (or at once, if it did)
    lock.release();
  });
});
