// ListProxy.sort() orders as Python's list.sort() does: numbers (with bigints and booleans)
// together, strings by code point, arrays item by item, Dates by time; anything else raises
// TypeError at the caller and leaves the list as it was.
import { type Manager, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();

async function sorted(m: Manager, items: unknown[], reverse?: boolean): Promise<unknown[]> {
  const l = m.list(items);
  await (reverse === undefined ? l.sort() : l.sort({ reverse }));
  return l.copy();
}

describe('ListProxy.sort()', { timeout: 20_000 }, () => {
  it('orders numbers, bigints and booleans together by value', async () => {
    const m = await manager();
    expect(await sorted(m, [10, 9, 1])).toEqual([1, 9, 10]);
    expect(await sorted(m, [2, 1n, -0.5, true, 3n])).toEqual([-0.5, 1n, true, 2, 3n]); // 1n and true are equal: input order;
    expect(await sorted(m, [2n ** 70n, 1e30, 5])).toEqual([5, 2n ** 70n, 1e30]);
  });

  it('orders strings by code point, as Python does', async () => {
    const m = await manager();
    expect(await sorted(m, ['b', 'a', 'C'])).toEqual(['C', 'a', 'b']);
    // U+FF5E sorts before U+1F600 by code point (UTF-16 units would put the emoji first).
    expect(await sorted(m, ['\u{1F600}', '\uFF5E'])).toEqual(['\uFF5E', '\u{1F600}']);
  });

  it('orders arrays item by item, a prefix first, and Dates by time', async () => {
    const m = await manager();
    expect(await sorted(m, [[2, 1], [1, 5], [1]])).toEqual([[1], [1, 5], [2, 1]]);
    expect(
      await sorted(m, [
        [1, 'b'],
        [1, 'a'],
      ]),
    ).toEqual([
      [1, 'a'],
      [1, 'b'],
    ]);
    const [a, b] = [new Date(2000, 1, 1), new Date(1999, 1, 1)];
    expect(await sorted(m, [a, b])).toEqual([b, a]);
  });

  it('sorts in reverse, keeping equal items in their order (stable, as Python)', async () => {
    const m = await manager();
    expect(await sorted(m, [3, 1, 2], true)).toEqual([3, 2, 1]);
    expect(await sorted(m, [1, true, 2, 1n], true)).toEqual([2, 1, true, 1n]);
    const l = m.list([1, 3, 2]);
    await l.sort(true); // the positional form stays
    expect(await l.copy()).toEqual([3, 2, 1]);
  });

  it.each([
    [[3, 'a', 1], /string.*number|number.*string/],
    [[null, 1], /null/],
    [[undefined, undefined], /undefined/],
    [[{ a: 1 }, { a: 2 }], /object/],
    [
      [
        [1, 'a'],
        [1, 2],
      ],
      /string.*number|number.*string/,
    ],
    [[new Date(0), 1], /Date/],
  ])(
    'raises TypeError for items it cannot order (%j) and leaves the list unchanged',
    async (items, names) => {
      const m = await manager();
      const l = m.list<unknown>(items as unknown[]);
      const before = await l.copy();
      const err = await l.sort().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(names);
      expect(await l.copy()).toEqual(before);
      await l.append(0); // the list still works
      expect(await l.len()).toBe(items.length + 1);
    },
  );

  it('a list of one item of any kind needs no comparison, as in Python', async () => {
    const m = await manager();
    expect(await sorted(m, [null])).toEqual([null]);
    expect(await sorted(m, [])).toEqual([]);
  });

  it('rejects a key function or unknown options with ValidationError saying what to do', async () => {
    const m = await manager();
    const l = m.list([2, 1]);
    await expect(l.sort({ key: (x: number) => -x } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(l.sort({ key: (x: number) => -x } as never)).rejects.toThrow(/copy\(\)/);
    await expect(l.sort({ reversed: true } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(l.sort({ reverse: 'yes' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(l.sort('x' as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await l.copy()).toEqual([2, 1]);
  });
});

// count(), index() and remove() compare as Python's `==` does: by value, since what a proxy sends
// arrives as a copy (they compared by identity and never matched an array, an object or a date).
describe('ListProxy.count(), index(), remove()', { timeout: 20_000 }, () => {
  it('find arrays, plain objects, dates, maps, sets, typed arrays and bigints by value', async () => {
    const m = await manager();
    const items = [
      [1, 2],
      { a: 1, b: [2] },
      new Date(0),
      new Map([['k', 1]]),
      new Set([1]),
      new Uint8Array([3]),
      5n,
      NaN,
    ];
    const l = m.list<unknown>([...items, [1, 2]]);
    expect(await l.count([1, 2])).toBe(2);
    expect(await l.count({ b: [2], a: 1 })).toBe(1);
    expect(await l.count(new Date(0))).toBe(1);
    expect(await l.count(new Map([['k', 1]]))).toBe(1);
    expect(await l.count(new Set([1]))).toBe(1);
    expect(await l.count(new Uint8Array([3]))).toBe(1);
    expect(await l.count(5n)).toBe(1);
    expect(await l.count(NaN)).toBe(1);
    // Not equal: other content, another kind, another type.
    expect(await l.count([1, 2, 3])).toBe(0);
    expect(await l.count({ a: 1 })).toBe(0);
    expect(await l.count(new Uint16Array([3]))).toBe(0);
    expect(await l.count('5')).toBe(0);
    expect(await l.index(new Date(0))).toBe(2);
    await l.remove([1, 2]);
    expect(await l.index([1, 2])).toBe(items.length - 1);
    await expect(l.remove({ a: 2 })).rejects.toBeInstanceOf(ValidationError);
  });
});
