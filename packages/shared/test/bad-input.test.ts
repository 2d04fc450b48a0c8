// Bad input to the primitives gets a named error that says what to do, and changes nothing.
import { describe, expect, it } from 'vitest';
import {
  BoundedSemaphore,
  ByteChannel,
  Condition,
  describeValue,
  encodeSymbol,
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
