// A thread Value's get() and set(x): the names the process context's and a manager's Value use, so
// `await v.get()` and `await v.set(x)` work in both contexts (as SharedArray's get(i) does).
import { RawValue, ValidationError, Value } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

describe('Value.get() and Value.set()', () => {
  it('read and write what .value does, for a Value and a RawValue', async () => {
    const v = new Value('i', 5);
    expect(v.get()).toBe(5);
    v.set(7);
    expect(v.value).toBe(7);
    v.value = 9;
    expect(await v.get()).toBe(9);
    await v.set(10);
    expect(v.value).toBe(10);
    const q = new RawValue('q', 1n);
    q.set(2n ** 40n);
    expect(q.get()).toBe(2n ** 40n);
    const d = new Value('d', 0, { lock: false });
    d.set(2.5);
    expect(d.get()).toBe(2.5);
  });

  it('share memory with getObj() and the view', () => {
    const v = new Value('h', 1);
    v.getObj().set(-3);
    expect(v.get()).toBe(-3);
    expect(v.view[0]).toBe(-3);
  });

  it('refuse a value that does not fit, and a wrong number of arguments, with ValidationError', () => {
    const v = new Value('B', 1);
    expect(() => v.set(256)).toThrow(ValidationError);
    expect(() => v.set(1.5)).toThrow(ValidationError);
    expect(v.get()).toBe(1);
    expect(() => (v.get as (x: number) => number)(1)).toThrow(ValidationError);
    expect(() => (v.set as () => void)()).toThrow(/Value\.set\(\) takes one value/);
    expect(() => (new RawValue('i').set as (a: number, b: number) => void)(1, 2)).toThrow(
      /RawValue\.set\(\)/,
    );
  });
});
