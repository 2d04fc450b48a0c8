// A manager's list, dict and Array proxies refuse the program's own synchronous loop with advice
// (no-sync.ts), but a test runner's deep equality, which iterates anything with a
// `[Symbol.iterator]` before it compares identity, must compare them as any object:
// `expect(proxy).toEqual(proxy)` and `expect(spy).toHaveBeenCalledWith(proxy)` threw that advice.
import { ContextError } from '@multiproc/ipc';
import { describe, expect, it, vi } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();

describe("a manager's proxies in a test runner's equality", () => {
  it('expect(proxy).toEqual(proxy), in an object, and toHaveBeenCalledWith(proxy)', {
    timeout: 30_000,
  }, async () => {
    const m = await manager();
    const proxies = [m.list([1, 2]), m.dict(), m.Array('i', [1, 2, 3])];
    for (const proxy of proxies) {
      const spy = vi.fn();
      spy(proxy);
      expect(proxy).toEqual(proxy);
      expect({ held: proxy }).toStrictEqual({ held: proxy });
      expect(spy).toHaveBeenCalledWith(proxy);
    }
    expect(await proxies[0]!.copy()).toEqual([1, 2]);
  });

  it("the program's own loop over one still gets the advice", { timeout: 30_000 }, async () => {
    const m = await manager();
    const l = m.list([1]);
    expect(() => {
      for (const _ of l as unknown as Iterable<number>) break;
    }).toThrow(ContextError);
    expect(() => Array.from(l as unknown as Iterable<number>)).toThrow(/for await/);
    expect(() => [...(m.dict() as unknown as Iterable<unknown>)]).toThrow(ContextError);
  });
});
