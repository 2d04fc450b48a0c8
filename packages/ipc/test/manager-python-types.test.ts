// A manager dict and list as CPython's test suite uses them (TestSyncManagerTypes, test_dict,
// test_list): the methods Python has, with Python's results and Python's errors, here and from a
// worker in both contexts.
import { type DictProxy, KeyError, ValidationError } from '@multiproc/ipc';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/py-types-tasks.mjs', import.meta.url).href);
const { manager, start } = managerTestKit();

describe('DictProxy.popitem()', () => {
  it('resolves the last inserted [key, value] and removes it (LIFO, as Python 3.7+)', async () => {
    const d = (await manager()).dict<unknown, number>([
      ['a', 1],
      ['b', 2],
    ]);
    await d.set([1, 2], 3);
    await d.set('a', 10); // a new value keeps the key's place
    expect(await d.popitem()).toEqual([[1, 2], 3]);
    expect(await d.popitem()).toEqual(['b', 2]);
    await d.set('c', 4);
    expect(await d.popitem()).toEqual(['c', 4]);
    expect(await d.popitem()).toEqual(['a', 10]);
    expect(await d.len()).toBe(0);
    expect(await d.has([1, 2])).toBe(false);
  });

  it('rejects with KeyError (a ValidationError) when the dict is empty, and the dict still works', async () => {
    const d = (await manager()).dict<string, number>();
    const err = await d.popitem().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyError);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ name: 'KeyError', code: 'MP_KEY' });
    await d.set('x', 1);
    expect(await d.popitem()).toEqual(['x', 1]);
  });
});

describe('DictProxy.pop()', () => {
  it('rejects with KeyError for a missing key given no fallback, as Python; the dict is unchanged', async () => {
    const d = (await manager()).dict<unknown, number>([['a', 1]]);
    for (const key of ['b', 2, 2n, null, undefined, [1, [2]]]) {
      const err = await d.pop(key).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyError);
      expect(err).toMatchObject({ code: 'MP_KEY' });
    }
    expect(await d.items()).toEqual([['a', 1]]);
    expect(await d.pop('a')).toBe(1);
    expect(await d.len()).toBe(0);
  });

  it('resolves the fallback for a missing key, also an explicit undefined (the argument counts, not its value)', async () => {
    const d = (await manager()).dict<unknown, number | null>([[[1, 2], 3]]);
    expect(await d.pop('b', 7)).toBe(7);
    expect(await d.pop('b', null)).toBeNull();
    expect(await d.pop('b', undefined)).toBeUndefined();
    expect(await d.pop([1, 2], undefined)).toBe(3);
    expect(await d.len()).toBe(0);
  });

  it('pop(key) is typed as the value, pop(key, fallback) as the value or the fallback', () => {
    // Types only: never called (a call would need a live manager).
    const types = (d: DictProxy<string, number>) => {
      expectTypeOf(d.pop('k')).resolves.toEqualTypeOf<number>();
      expectTypeOf(d.pop('k', undefined)).resolves.toEqualTypeOf<number | undefined>();
      expectTypeOf(d.pop('k', 'none')).resolves.toEqualTypeOf<number | string>();
    };
    expectTypeOf(types).toBeFunction();
  });

  it('a value undefined under a present key pops as itself, with or without a fallback', async () => {
    const d = (await manager()).dict<string, number | undefined>([
      ['u', undefined],
      ['v', undefined],
    ]);
    expect(await d.pop('u')).toBeUndefined();
    expect(await d.pop('v', 1)).toBeUndefined();
    expect(await d.len()).toBe(0);
  });
});

describe.each(matrix(import.meta.url))('CPython _test_dict from a worker (%s)', (context) => {
  it('len, get, items, keys, values, copy, popitem() is [foo, 5]; then popitem() and pop(missing) are KeyErrors', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const obj = m.dict({ foo: 5 });
    const out = m.dict<string, unknown>();
    const p = start(tasks.pyDict, [obj, out], context);
    await p.join(15_000);
    expect(p.exitCode).toBe(0);
    expect(Object.fromEntries(await out.items())).toEqual({
      len: 1,
      get: 5,
      items: [['foo', 5]],
      keys: ['foo'],
      values: [5],
      copy: [['foo', 5]],
      popitem: { value: ['foo', 5] },
      popitemEmpty: { error: 'KeyError', code: 'MP_KEY' },
      popMissing: { error: 'KeyError', code: 'MP_KEY' },
      popFallback: { value: 0 },
      popUndefined: { value: 'undefined' },
    });
    expect(await obj.len()).toBe(0);
  });
});

// l[start:end:step] of list(range(10)) as Python 3 gives it (None is null).
const PY_SLICES: [number | null, number | null, number | null, number[]][] = [
  [2, 10, null, [2, 3, 4, 5, 6, 7, 8, 9]],
  [null, null, -1, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
  [null, null, 2, [0, 2, 4, 6, 8]],
  [1, null, 3, [1, 4, 7]],
  [-3, null, null, [7, 8, 9]],
  [8, 2, -2, [8, 6, 4]],
  [-1, -4, -1, [9, 8, 7]],
  [5, null, -2, [5, 3, 1]],
  [null, 5, -1, [9, 8, 7, 6]],
  [100, 0, -3, [9, 6, 3]],
  [-100, 100, 4, [0, 4, 8]],
  [3, 3, null, []],
  [5, 2, null, []],
  [2, 5, -1, []],
  [null, null, -100, [9]],
  [-100, null, -1, []],
  [null, -100, -1, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
  [null, null, 10, [0]],
  [9, null, -4, [9, 5, 1]],
];

describe('ListProxy.slice()', () => {
  it.each(PY_SLICES)('slice(%s, %s, %s) of 0..9 is what Python gives', async (start, end, step, expected) => {
    const l = (await manager()).list([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await l.slice(start, end, step)).toEqual(expected);
    expect(await l.len()).toBe(10);
  });

  it('without a step is Array.prototype.slice, for any bounds (also undefined and Infinity)', async () => {
    const m = await manager();
    const bound = fc.option(
      fc.oneof(fc.integer({ min: -12, max: 12 }), fc.constantFrom(Infinity, -Infinity)),
      {
        nil: undefined,
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 8 }), bound, bound, async (items, start, end) => {
        const l = m.list(items);
        expect(await l.slice(start, end)).toEqual(items.slice(start, end));
      }),
      { numRuns: 60, seed: 153 },
    );
  });

  it('gives a copy: changing it does not change the list', async () => {
    const l = (await manager()).list([[1], [2]]);
    const part = await l.slice(0, 1);
    part[0]!.push(9);
    expect(await l.copy()).toEqual([[1], [2]]);
  });

  it.each([
    ['a fractional start', [1.5]],
    ['a string end', [0, '2']],
    ['NaN', [Number.NaN]],
    ['a zero step', [0, 5, 0]],
    ['a fractional step', [0, 5, 1.5]],
    ['an infinite step', [0, 5, Infinity]],
  ])('rejects %s with ValidationError', async (_, args) => {
    const l = (await manager()).list([1, 2, 3]);
    await expect(l.slice(...(args as [number]))).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('ListProxy.imul() and concat()', () => {
  it('imul(n) repeats the items in place; n <= 0 empties the list (Python: l *= n)', async () => {
    const m = await manager();
    const l = m.list(['a', 'b']);
    await l.imul(3);
    expect(await l.copy()).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    await l.imul(1);
    expect(await l.len()).toBe(6);
    await l.imul(0);
    expect(await l.copy()).toEqual([]);
    const negative = m.list([1]);
    await negative.imul(-2);
    expect(await negative.len()).toBe(0);
  });

  it('imul() of a non-integer, or past what an array holds, rejects with ValidationError and changes nothing', async () => {
    const l = (await manager()).list([1, 2]);
    await expect(l.imul(1.5)).rejects.toBeInstanceOf(ValidationError);
    await expect(l.imul('2' as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(l.imul(2 ** 31)).rejects.toBeInstanceOf(ValidationError);
    expect(await l.copy()).toEqual([1, 2]);
  });

  it('concat() is a copy followed by the items, as Array.prototype.concat; the list is unchanged (Python: l + values)', async () => {
    const l = (await manager()).list([1, 2]);
    expect(await l.concat([3, 4], 5)).toEqual([1, 2, 3, 4, 5]);
    expect(await l.concat()).toEqual([1, 2]);
    expect(await l.copy()).toEqual([1, 2]);
  });

  it('extend() takes more items than a call can spread (200k)', async () => {
    const l = (await manager()).list<number>();
    await l.extend(Array.from({ length: 200_000 }, (_, i) => i));
    expect(await l.len()).toBe(200_000);
    expect(await l.slice(-2)).toEqual([199_998, 199_999]);
  });
});

describe('ListProxy.includes() and deleteSlice() (Python: value in l, del l[i:j:k])', () => {
  it('includes() compares by value, as remove() does, proxies by the object they stand for', async () => {
    const m = await manager();
    const inner = m.list([1]);
    const l = m.list<unknown>([1, 'a', [2, 3], { k: new Date(5) }, inner]);
    for (const v of [1, 'a', [2, 3], { k: new Date(5) }, inner]) expect(await l.includes(v)).toBe(true);
    for (const v of [2, '1', [3, 2], { k: new Date(6) }, m.list([1]), undefined]) {
      expect(await l.includes(v)).toBe(false);
    }
  });

  it('deleteSlice() removes what slice() selects with the same bounds and step, in place', async () => {
    const m = await manager();
    const cases: (number | null | undefined)[][] = [
      [],
      [2],
      [1, 3],
      [-2],
      [null, null, 2],
      [1, null, 3],
      [null, null, -2],
      [4, 1, -1],
      [10, 20],
      [3, 1],
    ];
    for (const args of cases) {
      const items = [0, 1, 2, 3, 4, 5, 6];
      const l = m.list(items);
      const gone = await l.slice(...(args as [number]));
      await l.deleteSlice(...(args as [number]));
      expect(await l.copy(), JSON.stringify(args)).toEqual(items.filter((v) => !gone.includes(v)));
    }
  });

  it('deleteSlice() with a step of 0 or a bound that is not an integer rejects and changes nothing', async () => {
    const l = (await manager()).list([1, 2, 3]);
    for (const args of [[0, 3, 0], [1.5], ['1' as never]]) {
      await expect(l.deleteSlice(...(args as [number]))).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await l.copy()).toEqual([1, 2, 3]);
  });
});

describe.each(matrix(import.meta.url))('CPython test_list and _test_list from a worker (%s)', (context) => {
  it('extend, slices, *= 2, + [5, 6], then get, count, index, sort, reverse, iteration, len, pop(0)', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const b = m.list<number>();
    const obj = m.list([5]);
    const out = m.dict<string, unknown>();
    const p = start(tasks.pyList, [b, obj, out], context);
    await p.join(15_000);
    expect(p.exitCode).toBe(0);
    const twice = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];
    expect(Object.fromEntries(await out.items())).toEqual({
      all: [0, 1, 2, 3, 4],
      item2: 2,
      slice2to10: [2, 3, 4],
      timesTwo: twice,
      plus: [...twice, 5, 6],
      backwards: [3, 0, 2],
      stepZero: { error: 'ValidationError', code: 'MP_VALIDATION' },
      obj0: 5,
      count: 1,
      index: 0,
      iterated: [5],
      len: 1,
      pop0: 5,
    });
    expect(await b.copy()).toEqual(twice);
    expect(await obj.len()).toBe(0);
  });
});
