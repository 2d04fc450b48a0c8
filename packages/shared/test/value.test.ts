import { inspect } from 'node:util';
import {
  ContextError,
  encodeValue,
  Lock,
  RawArray,
  RawValue,
  RLock,
  SharedArray,
  SynchronizedArray,
  SynchronizedValue,
  type Typecode,
  ValidationError,
  Value,
} from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

describe('Value and RawValue', () => {
  it('hold each typecode, with bigint for q/Q', () => {
    const cases: [Typecode, number | bigint][] = [
      ['b', -128],
      ['B', 255],
      ['h', -32768],
      ['H', 65535],
      ['i', -(2 ** 31)],
      ['I', 2 ** 32 - 1],
      ['l', 2 ** 31 - 1],
      ['L', 0],
      ['q', -(2n ** 63n)],
      ['Q', 2n ** 64n - 1n],
      ['f', 1.5],
      ['d', Math.PI],
    ];
    for (const [code, x] of cases) {
      const v = new Value(code, x as never);
      expect(v.value).toBe(x);
      expect(v.typecode).toBe(code);
    }
    expect(new Value('q').value).toBe(0n);
    expect(new RawValue('d').value).toBe(0);
  });

  it('reject bad typecodes and values that do not fit', () => {
    expect(() => new Value('x' as Typecode, 0)).toThrow(ValidationError);
    expect(() => new Value('b', 300)).toThrow(ValidationError);
    expect(() => new Value('B', -1)).toThrow(ValidationError);
    expect(() => new Value('i', 1.5)).toThrow(ValidationError);
    expect(() => new Value('q', 1 as never)).toThrow(ValidationError);
    expect(() => new Value('Q', -1n)).toThrow(ValidationError);
    expect(() => new RawValue('d', 'x' as never)).toThrow(ValidationError);
    const v = new Value('h', 0);
    expect(() => {
      v.value = 40_000;
    }).toThrow(ValidationError);
  });

  it('carry a Lock, the lock given, or none with { lock: false }', () => {
    const v = new Value('i', 1);
    expect(v).toBeInstanceOf(Value);
    expect(v).toBeInstanceOf(SynchronizedValue);
    expect(v.getLock()).toBeInstanceOf(Lock);
    const r = new RLock();
    expect(new Value('i', 1, { lock: r }).getLock()).toBe(r);
    const raw = new Value('i', 1, { lock: false });
    expect(raw).toBeInstanceOf(RawValue);
    expect('getLock' in raw).toBe(false);
    expectTypeOf(raw).toEqualTypeOf<RawValue<'i'>>();
    expectTypeOf(new Value('q').value).toEqualTypeOf<bigint>();
    expect(() => new Value('i', 0, { lock: {} as Lock })).toThrow(ValidationError);
  });

  it('cannot be sent to a child process', () => {
    expect(() => encodeValue([new Value('i')], 'process', 'args')).toThrow(ContextError);
    expect(() => encodeValue([new RawValue('i')], 'process', 'args')).toThrow(/args\[0\]/);
  });
});

describe('SharedArray and RawArray', () => {
  it('index from either end and reject out-of-range indexes', () => {
    const arr = new SharedArray('i', [1, 2, 3]);
    expect(arr.length).toBe(3);
    expect(arr.get(0)).toBe(1);
    expect(arr.get(-1)).toBe(3);
    expect(arr.get(-3)).toBe(1);
    arr.set(-2, 20);
    expect(arr.toArray()).toEqual([1, 20, 3]);
    for (const bad of [3, -4, 1.5, Number.NaN]) {
      expect(() => arr.get(bad)).toThrow(ValidationError);
      expect(() => arr.set(bad, 0)).toThrow(ValidationError);
    }
    expect(() => arr.set(0, 2 ** 31)).toThrow(ValidationError);
  });

  it('setSlice writes a run from start (negative from the end), all or nothing', () => {
    const arr = new SharedArray('i', 5);
    arr.setSlice(1, [7, 8, 9]);
    expect(arr.slice()).toEqual([0, 7, 8, 9, 0]);
    arr.setSlice(-2, new Set([5, 6]));
    expect(arr.slice()).toEqual([0, 7, 8, 5, 6]);
    arr.setSlice(5, []);
    expect(() => arr.setSlice(3, [1, 2, 3])).toThrow(ValidationError);
    expect(() => arr.setSlice(-6, [1])).toThrow(ValidationError);
    expect(() => arr.setSlice(0.5, [1])).toThrow(ValidationError);
    expect(() => arr.setSlice(0, [1, 2 ** 31])).toThrow(ValidationError);
    expect(arr.slice()).toEqual([0, 7, 8, 5, 6]); // the refused writes left nothing behind
  });

  it('slice like Python, iterate, and expose the typed view', () => {
    const arr = new RawArray('d', 4);
    expect(arr.toArray()).toEqual([0, 0, 0, 0]);
    arr.view.set([1, 2, 3, 4]);
    expect(arr.slice(1, 3)).toEqual([2, 3]);
    expect(arr.slice(-2)).toEqual([3, 4]);
    expect(arr.slice(2, 100)).toEqual([3, 4]);
    expect([...arr]).toEqual([1, 2, 3, 4]);
    expect(arr.view).toBeInstanceOf(Float64Array);
    expect(new RawArray('Q', [1n, 2n]).toArray()).toEqual([1n, 2n]);
    expect(new RawArray('b', 0).length).toBe(0);
    expect(() => new RawArray('b', [1, 200])).toThrow(ValidationError);
    expect(() => new RawArray('b', -1)).toThrow(ValidationError);
    expect(() => new RawArray('z' as Typecode, 1)).toThrow(ValidationError);
  });

  it('carry a lock unless { lock: false }', () => {
    const arr = new SharedArray('i', 2);
    expect(arr).toBeInstanceOf(SharedArray);
    expect(arr).toBeInstanceOf(SynchronizedArray);
    expect(arr.getLock()).toBeInstanceOf(Lock);
    const raw = new SharedArray('i', 2, { lock: false });
    expect(raw).toBeInstanceOf(RawArray);
    expect('getLock' in raw).toBe(false);
  });

  it('bracket access reads and writes the shared memory, or throws; never a silent own property', () => {
    const arr = new SharedArray('i', [1, 2, 3]);
    arr[0] = 10;
    arr[-1] = 30;
    expect(arr.get(0)).toBe(10);
    expect([arr[0], arr[1], arr[-1]]).toEqual([10, 2, 30]);
    // Only the structured-clone guard (src/clone-guard.ts) is an own field.
    expect(Object.keys(arr)).toEqual(['multiproc']);
    expect(() => {
      arr[3] = 1;
    }).toThrow(ValidationError);
    expect(() => {
      arr[0] = 1.5;
    }).toThrow(ValidationError);
    expect(() => arr[-4]).toThrow(ValidationError);
    expect(arr.toArray()).toEqual([10, 2, 30]);
  });

  it('show their contents in console.log and JSON, and name the multiproc spelling of get_lock()', () => {
    expect(inspect(new SharedArray('d', [1.5, 2]))).toBe("SharedArray('d', [ 1.5, 2 ])");
    expect(inspect(new RawArray('Q', [1n]))).toBe("RawArray('Q', [ 1n ])");
    expect(inspect(new Value('i', 5))).toBe("Value('i', 5)");
    expect(inspect({ v: new RawValue('q', 3n) })).toBe("{ v: RawValue('q', 3n) }");
    expect(JSON.stringify({ a: new SharedArray('i', [1, 2]), v: new Value('d', 0.5) })).toBe(
      '{"a":[1,2],"v":0.5}',
    );
    const v = new Value('i', 1) as unknown as Record<string, () => unknown>;
    expect(() => v.get_lock!()).toThrow(ValidationError);
    expect(() => v.get_lock!()).toThrow(/getLock\(\)/);
  });

  it('share memory and lock with a worker thread', async () => {
    const arr = new SharedArray('i', 1);
    const value = new Value('i', 0, { lock: arr.getLock() });
    const w = startWorker('array-bump', { arr, value });
    expect(await nextMessage(w)).toBe('done');
    expect(arr.toArray()).toEqual([1000]);
    expect(value.value).toBe(1000);
  });
});
