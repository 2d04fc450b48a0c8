// String() of the shared values and arrays: a repr in the style of the primitives' (`<Lock(owner=None)>`),
// with the typecode and the contents, instead of `[object Object]`. Python: `repr(v)` gives
// `<Synchronized wrapper for c_int(5)>`, `repr(raw)` gives `c_int(5)`.
import { RawArray, RawValue, SharedArray, Value } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

describe('String() of shared values and arrays', () => {
  it('Value and RawValue: the typecode and the value (a bigint with its n)', () => {
    expect(String(new Value('i', 5))).toBe("<Value('i', 5)>");
    expect(`${new Value('d', 1.5, { lock: false })}`).toBe("<RawValue('d', 1.5)>");
    expect(String(new RawValue('q', -3n))).toBe("<RawValue('q', -3n)>");
    const v = new Value('i', 1);
    v.value = 7;
    expect(String(v)).toBe("<Value('i', 7)>");
  });

  it('SharedArray and RawArray: the typecode and the items, the first 100 of a long one', () => {
    expect(String(new SharedArray('i', [1, 2, 3]))).toBe("<SharedArray('i', [1, 2, 3])>");
    expect(String(new RawArray('Q', [1n, 2n]))).toBe("<RawArray('Q', [1n, 2n])>");
    expect(String(new SharedArray('d', 0, { lock: false }))).toBe("<RawArray('d', [])>");
    expect(String(new RawArray('f', [Number.NaN, 0.5]))).toBe("<RawArray('f', [NaN, 0.5])>");
    const long = String(new RawArray('b', 250));
    expect(long).toBe(`<RawArray('b', [${Array(100).fill('0').join(', ')}, ... 150 more items])>`);
  });
});
