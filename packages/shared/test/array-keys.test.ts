// SharedArray/RawArray indexes, as Python's sequence protocol reads them: bracket access with a
// key that reads as a number but is not an integer index (`a[1.5]`, `a[NaN]`, `a['0x1']`) throws
// ValidationError as get()/set() do (Python: TypeError/IndexError) instead of reading or making a
// local property the other threads never see; slice() and setSlice() name what they take; and
// JSON.stringify() of a 'q'/'Q' array gives decimal strings, as a 'q' Value does.
import { RawArray, SharedArray, type Typecode, ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

const NOT_INDEXES: readonly (string | number)[] = [
  1.5,
  -0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e21,
  '0x1',
  '0b1',
  ' 1',
  '1 ',
  '+1',
  '01',
  '-0',
  '1e0',
  '1.0',
];

describe('bracket access with a key that is not an integer index', () => {
  for (const make of [() => new SharedArray('i', [1, 2, 3]), () => new RawArray('d', [1, 2, 3])]) {
    const name = make().constructor.name;
    it(`${name}: reads and writes throw ValidationError and leave no local property`, () => {
      const arr = make() as unknown as Record<string | number, unknown> & RawArray<Typecode>;
      for (const key of NOT_INDEXES) {
        expect(() => {
          arr[key] = 9;
        }, String(key)).toThrow(ValidationError);
        expect(() => arr[key], String(key)).toThrow(ValidationError);
      }
      expect(() => arr[1.5]).toThrow(/integer/);
      expect(() => arr['0x1']).toThrow(/the string '0x1'/);
      expect(arr.toArray()).toEqual([1, 2, 3]);
      expect(Object.keys(arr)).toEqual(['multiproc']);
    });

    it(`${name}: integer indexes, out of range ones and ordinary names keep their meaning`, () => {
      const arr = make() as unknown as Record<string | symbol, unknown> & RawArray<Typecode>;
      arr[-1] = 30;
      arr['0'] = 10;
      expect([arr[0], arr['1'], arr[-1]]).toEqual([10, 2, 30]);
      for (const key of [3, -4, 2 ** 53, '99999999999999999999']) {
        expect(() => arr[key as number]).toThrow(/out of range/);
        expect(() => {
          arr[key as number] = 1;
        }).toThrow(/out of range/);
      }
      // Names that are not numbers are ordinary properties (read as undefined, or set locally).
      for (const key of ['', ' ', 'foo', 'NaNa', 'Infinityx', 'then', Symbol('s')]) {
        expect(arr[key as string]).toBeUndefined();
      }
      arr.tag = 'mine';
      expect(arr.tag).toBe('mine');
      expect(arr.length).toBe(3);
      expect(typeof arr.get).toBe('function');
    });
  }
});

describe('slice() and setSlice() bounds', () => {
  const arr = new SharedArray('i', [1, 2, 3, 4, 5]);

  it('slice() takes integers (negative from the end) or undefined/null (Python: None)', () => {
    expect(arr.slice(undefined, 2)).toEqual([1, 2]);
    expect(arr.slice(null, -3)).toEqual([1, 2]);
    expect(arr.slice(-2, null)).toEqual([4, 5]);
    expect(arr.slice(3, 100)).toEqual([4, 5]);
    expect(arr.slice(-100, 1)).toEqual([1]);
    expect(arr.slice(2 ** 53, 2 ** 60)).toEqual([]);
  });

  it('slice() refuses a bound that is not an integer, naming what it takes', () => {
    for (const [start, end] of [
      [1.5, undefined],
      ['x', undefined],
      [Number.NaN, 2],
      [0, Number.POSITIVE_INFINITY],
      [1n, undefined],
      [true, undefined],
      [0, '3'],
      [{}, undefined],
    ] as const) {
      expect(() => arr.slice(start as never, end as never), `${String(start)}, ${String(end)}`).toThrow(
        ValidationError,
      );
    }
    expect(() => arr.slice(1n as never)).toThrow(/integer.*undefined or null.*the bigint 1n/s);
    expect(() => arr.slice(0, 2.5)).toThrow(/end.*the number 2\.5/s);
  });

  it('setSlice() names a start that is not an integer and values that are not iterable', () => {
    expect(() => arr.setSlice(1n as never, [9])).toThrow(ValidationError);
    expect(() => arr.setSlice(1n as never, [9])).toThrow(/start.*integer.*the bigint 1n/s);
    expect(() => arr.setSlice(0, 5 as never)).toThrow(ValidationError);
    expect(() => arr.setSlice(0, 5 as never)).toThrow(/iterable.*the number 5/s);
    expect(() => arr.setSlice(0, null as never)).toThrow(ValidationError);
    expect(arr.toArray()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('toJSON()', () => {
  it("gives a 'q'/'Q' array's items as decimal strings, as RawValue('q') does", () => {
    expect(JSON.stringify(new SharedArray('q', [5n, -(2n ** 63n)]))).toBe('["5","-9223372036854775808"]');
    expect(JSON.stringify(new RawArray('Q', [2n ** 64n - 1n]))).toBe('["18446744073709551615"]');
    expect(JSON.stringify({ a: new RawArray('i', [1, 2]) })).toBe('{"a":[1,2]}');
  });
});
