// A manager list's slice assignment, `l * n` and `reversed(l)` (Python's ListProxy `__setitem__`
// with a slice, `__mul__`/`__rmul__`, `__reversed__`), served in the manager, with Python's
// results and errors, here and from a worker in both contexts.
import { type ListProxy, ValidationError } from '@multiproc/ipc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { managerTestKit } from './manager-kit.js';

const { listOps } = await import(new URL('./fixtures/py-types-tasks.mjs', import.meta.url).href);
const { manager, start } = managerTestKit();

type Bound = number | null | undefined;

/** Python's `a[start:end] = values` (a step of 1), written from its definition. */
function assignSimple<T>(a: T[], start: Bound, end: Bound, values: T[]): T[] {
  // Array.prototype.slice clamps a bound as Python does: negative from the end, then into [0, n].
  const at = (i: Bound, fallback: number) =>
    i === undefined || i === null ? fallback : a.slice(0, i).length;
  const from = at(start, 0);
  const to = Math.max(from, at(end, a.length));
  return [...a.slice(0, from), ...values, ...a.slice(to)];
}

describe('ListProxy.setSlice() (Python: l[i:j:k] = values)', () => {
  it('gives CPython results for simple and extended slices', { timeout: 10_000 }, async () => {
    const m = await manager();
    const cases: [Bound[], unknown[], unknown[]][] = [
      [[1, 3], ['a'], [0, 'a', 3]],
      [
        [2, 2],
        [9, 9],
        [0, 1, 9, 9, 2, 3],
      ],
      [[3, 1], ['z'], [0, 1, 2, 'z', 3]], // an empty slice inserts at its start
      [[null, null], [], []],
      [
        [-1, null],
        [7, 8],
        [0, 1, 2, 7, 8],
      ],
      [
        [1, 2, 1],
        [7, 8],
        [0, 7, 8, 2, 3],
      ], // a step of 1 given is still a simple slice
      [
        [null, null, 2],
        ['x', 'y'],
        ['x', 1, 'y', 3],
      ],
      [
        [null, null, -1],
        [4, 3, 2, 1],
        [1, 2, 3, 4],
      ],
      [[0, 0, -1], [], [0, 1, 2, 3]],
      [[10, 20, 3], [], [0, 1, 2, 3]],
    ];
    for (const [bounds, values, want] of cases) {
      const l = m.list([0, 1, 2, 3]);
      await (l.setSlice as (...a: unknown[]) => Promise<void>)(...bounds, values);
      expect(await l.copy(), JSON.stringify(bounds)).toEqual(want);
    }
  });

  it('replaces any slice of step 1 as Python does, a model check', { timeout: 30_000 }, async () => {
    const m = await manager();
    const bound = fc.option(fc.integer({ min: -8, max: 8 }), { nil: undefined });
    const nullable = fc.oneof(bound, fc.constant(null));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 6 }),
        nullable,
        nullable,
        fc.array(fc.integer(), { maxLength: 4 }),
        async (items, start, end, values) => {
          const l = m.list(items);
          await l.setSlice(start, end, values);
          expect(await l.copy()).toEqual(assignSimple(items, start, end, values));
        },
      ),
      { numRuns: 80, seed: 30 },
    );
  });

  it('an extended slice takes exactly as many values as slice() selects, else rejects and changes nothing', {
    timeout: 30_000,
  }, async () => {
    const m = await manager();
    const bound = fc.option(fc.integer({ min: -7, max: 7 }), { nil: null });
    const step = fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0 && s !== 1);
    await fc.assert(
      fc.asyncProperty(bound, bound, step, fc.nat(4), async (start, end, s, extra) => {
        const items = [0, 1, 2, 3, 4, 5];
        const l = m.list<number | string>(items);
        const picked = (await l.slice(start, end, s)) as number[];
        const values = picked.map((i) => `v${i}`);
        await l.setSlice(start, end, s, values);
        const want: (number | string)[] = [...items];
        for (const i of picked) want[i] = `v${i}`;
        expect(await l.copy()).toEqual(want);
        const wrong = [...values, ...Array.from({ length: extra + 1 }, () => 'w')];
        const fewer = values.slice(1);
        await expect(l.setSlice(start, end, s, wrong)).rejects.toMatchObject({ code: 'MP_VALIDATION' });
        if (values.length > 0)
          await expect(l.setSlice(start, end, s, fewer)).rejects.toBeInstanceOf(ValidationError);
        expect(await l.copy()).toEqual(want);
      }),
      { numRuns: 60, seed: 31 },
    );
  });

  it('reads a string, a Set and a proxy as their items; a copy first, so l.setSlice(0, 0, l) doubles l', async () => {
    const m = await manager();
    const l = m.list<unknown>([0, 1]);
    await l.setSlice(0, 1, 'ab');
    await l.setSlice(null, 0, new Set([9]));
    expect(await l.copy()).toEqual([9, 'a', 'b', 1]);
    await l.setSlice(0, 0, l);
    expect(await l.copy()).toEqual([9, 'a', 'b', 1, 9, 'a', 'b', 1]);
    await l.setSlice(2, null, m.list([5]));
    expect(await l.copy()).toEqual([9, 'a', 5]);
  });

  it('rejects missing or non-iterable values, a zero step and a bad bound with ValidationError; the list stays', async () => {
    const l = (await manager()).list([1, 2, 3]);
    const call = l.setSlice as (...a: unknown[]) => Promise<void>;
    for (const args of [
      [1, [4]],
      [],
      [0, 1, 5],
      [0, 1, null, 5],
      [0, 3, 0, [1]],
      [1.5, 2, [1]],
      ['0', 1, [1]],
    ]) {
      await expect(call.apply(l, args), JSON.stringify(args)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(call.call(l, 1, [4])).rejects.toThrow(/null as the end/);
    expect(() => call.call(l, 0, 1, 1, [1], 'extra')).toThrow(ValidationError);
    expect(await l.copy()).toEqual([1, 2, 3]);
  });
});

describe('ListProxy.repeat() and toReversed() (Python: l * n, reversed(l))', () => {
  it('repeat(n) is a new array of the items n times (n <= 0: empty); the list is unchanged', async () => {
    const m = await manager();
    const l = m.list<unknown>(['a', [1]]);
    expect(await l.repeat(3)).toEqual(['a', [1], 'a', [1], 'a', [1]]);
    expect(await l.repeat(1)).toEqual(['a', [1]]);
    expect(await l.repeat(0)).toEqual([]);
    expect(await l.repeat(-2)).toEqual([]);
    expect(await m.list().repeat(5)).toEqual([]);
    const twice = (await l.repeat(2)) as unknown[][];
    twice[1]!.push(9);
    expect(await l.copy()).toEqual(['a', [1]]);
  });

  it('repeat() of a non-integer, or past what an array holds, rejects with ValidationError', async () => {
    const l: ListProxy<number> = (await manager()).list([1, 2]);
    for (const n of [1.5, '2', Number.NaN, 2 ** 31]) {
      await expect(l.repeat(n as number)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(() => (l.repeat as (...a: unknown[]) => unknown)(2, 3)).toThrow(ValidationError);
    expect(await l.copy()).toEqual([1, 2]);
  });

  it('toReversed() is a new array, last first; the list is unchanged (reverse() reverses in place)', async () => {
    const l = (await manager()).list<unknown>([1, [2], 3]);
    const back = await l.toReversed();
    expect(back).toEqual([3, [2], 1]);
    (back[1] as number[]).push(9);
    expect(await l.copy()).toEqual([1, [2], 3]);
    expect(() => (l.toReversed as (...a: unknown[]) => unknown)(1)).toThrow(ValidationError);
  });
});

describe.each(matrix(import.meta.url))('from a worker (%s)', (context) => {
  it('setSlice(), repeat() and toReversed() give the same results', { timeout: 20_000 }, async () => {
    const m = await manager();
    const l = m.list<unknown>([0, 1, 2, 3]);
    const out = m.dict<string, unknown>();
    const p = start(listOps.assignRepeatReverse, [l, out], context);
    await p.join(15_000);
    expect(p.exitCode).toBe(0);
    expect(Object.fromEntries(await out.items())).toEqual({
      grown: [0, 'a', 'b', 'c', 3],
      mismatch: { error: 'ValidationError', code: 'MP_VALIDATION' },
      extended: ['z', 'a', 'y', 'c', 'x'],
      repeat: ['z', 'a', 'y', 'c', 'x', 'z', 'a', 'y', 'c', 'x'],
      reversed: ['x', 'c', 'y', 'a', 'z'],
      after: ['z', 'a', 'y', 'c', 'x'],
    });
  });
});
