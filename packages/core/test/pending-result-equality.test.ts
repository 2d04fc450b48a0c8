// A pool call's pending result refuses the program's own loop with advice (unawaited-result.ts),
// but a test runner's deep equality, which iterates anything with a `[Symbol.iterator]` before it
// compares identity, must still compare it as before: `expect(p).toEqual(p)` and
// `toHaveBeenCalledWith(p)` threw our advice once.
import { Pool } from '@multiproc/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';

const pool = new Pool({ processes: 1 });
afterAll(() => pool.terminate());

describe("a pending result in a test runner's equality", () => {
  it('expect(p).toEqual(p), toStrictEqual in an object, and toHaveBeenCalledWith(p) compare as before', async () => {
    const p = pool.apply(tasks.square, [3]);
    const spy = vi.fn();
    spy(p);
    expect(p).toEqual(p);
    expect({ job: p }).toStrictEqual({ job: p });
    expect(spy).toHaveBeenCalledWith(p);
    const m = pool.map(tasks.square, [1, 2]);
    expect([m]).toEqual([m]);
    expect(await p).toBe(9);
    expect(await m).toEqual([1, 4]);
  }, 30_000);

  it('an AsyncResult too', async () => {
    const a = pool.applyAsync(tasks.square, [4]);
    const spy = vi.fn();
    spy(a);
    expect(spy).toHaveBeenCalledWith(a);
    expect(a).toEqual(a);
    expect(await a.get()).toBe(16);
  }, 30_000);

  it("the program's own loop over it still gets the advice", async () => {
    const p = pool.apply(tasks.square, [5]);
    expect(() => {
      for (const _ of p as unknown as Iterable<number>) break;
    }).toThrow(/await it first/);
    expect(() => Array.from(p as unknown as Iterable<number>)).toThrow(/await it first/);
    const a = pool.applyAsync(tasks.square, [6]);
    expect(() => [...(a as unknown as Iterable<number>)]).toThrow(/await it first/);
    await Promise.all([p, a.get()]);
  }, 30_000);
});
