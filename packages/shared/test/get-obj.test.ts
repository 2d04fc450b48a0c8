// getObj(): Python's get_obj() of a synchronized Value/Array, the raw object over the same memory.
import { RawArray, RawValue, SharedArray, ValidationError, Value } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.js';

describe('getObj()', () => {
  it('gives a RawValue over the value memory, for every typecode', () => {
    for (const [code, x] of [
      ['i', 5],
      ['d', 2.5],
      ['q', 7n],
      ['B', 200],
    ] as const) {
      const v = new Value(code, undefined);
      const raw = v.getObj();
      expect(raw).toBeInstanceOf(RawValue);
      expect(raw).not.toBeInstanceOf(Value);
      expect(raw.typecode).toBe(code);
      raw.value = x as never;
      expect(v.value).toBe(x);
      expect(raw.view.buffer).toBe(v.view.buffer);
      expect(() => (raw as unknown as { getLock(): unknown }).getLock()).toThrow(TypeError);
    }
  });

  it('gives a RawArray over the array memory, with its length', () => {
    const arr = new SharedArray('d', [1, 2, 3]);
    const raw = arr.getObj();
    expect(raw).toBeInstanceOf(RawArray);
    expect(raw).not.toBeInstanceOf(SharedArray);
    expect(raw.length).toBe(3);
    raw[0] = 7;
    raw.set(-1, 9);
    expect(arr.toArray()).toEqual([7, 2, 9]);
    expect(() => raw.set(3, 1)).toThrow(ValidationError);
  });

  it('works on the same memory in another thread, under the lock it was taken from', async () => {
    const arr = new SharedArray('i', 1);
    const v = new Value('i', 0);
    const data = { raw: arr.getObj(), rawValue: v.getObj(), lock: arr.getLock() };
    const workers = [startWorker('raw-bump', data), startWorker('raw-bump', data)];
    await Promise.all(workers.map((w) => nextMessage(w)));
    expect(arr.get(0)).toBe(2000);
    expect(v.value).toBe(2000);
  }, 20_000);

  it('names getObj() for the Python spelling, and value/view on the raw forms', () => {
    const read = (o: object) => () => (o as Record<string, unknown>).get_obj;
    expect(read(new Value('i', 1))).toThrow(/getObj\(\)/);
    expect(read(new SharedArray('i', 1))).toThrow(/getObj\(\)/);
    expect(read(new RawValue('i', 1))).toThrow(/value/);
    expect(read(new RawArray('i', 1))).toThrow(/view/);
  });
});
