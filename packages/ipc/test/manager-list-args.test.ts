// A manager list's index-taking methods as Python's: `index(value, start, end)` searches
// `l[start:end]` (negative bounds from the end, clamped), and `insert()` refuses an index that is not
// an integer with ValidationError, as get/set/pop do.
import { ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/proxy-arg-tasks.mjs', import.meta.url).href);
const kit = managerTestKit();

describe('list.index(value, start, end)', () => {
  it("searches l[start:end] as Python's list.index", async () => {
    const m = await kit.manager();
    const l = m.list([1, 2, 3, 1]);
    expect(await l.index(1)).toBe(0);
    expect(await l.index(1, 1)).toBe(3);
    expect(await l.index(1, -1)).toBe(3);
    expect(await l.index(2, -10, 2)).toBe(1);
    expect(await l.index(1, 0, 100)).toBe(0);
    for (const args of [
      [1, 1, 3],
      [2, -2],
      [1, 4],
      [3, 0, -2],
      [1, 2, 1],
    ] as const) {
      await expect(l.index(...(args as unknown as [number, number?, number?]))).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    await expect(l.index(1, 1.5)).rejects.toBeInstanceOf(ValidationError);
    await expect(l.index(1, 0, 'x' as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('list.insert(index, value)', () => {
  it('refuses an index that is not an integer, and keeps Python clamping for the others', async () => {
    const m = await kit.manager();
    const l = m.list<unknown>([1, 2]);
    for (const bad of [1.5, 'zz', Number.NaN, null, undefined, Number.POSITIVE_INFINITY]) {
      await expect(l.insert(bad as never, 'x')).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await l.copy()).toEqual([1, 2]);
    await l.insert(-1, 'a');
    await l.insert(100, 'z');
    await l.insert(-100, 'f');
    expect(await l.copy()).toEqual(['f', 1, 'a', 2, 'z']);
  });

  it.each(matrix(import.meta.url))('from a worker (%s context)', { timeout: 30_000 }, async (context) => {
    const m = await kit.manager();
    const pool = new core.Pool({ processes: 1, context });
    kit.cleanup.push(() => pool.terminate());
    expect(await pool.apply(tasks.listArgs, [m.list([1, 2, 3, 1])])).toEqual({
      from1: 3,
      fromEnd: 3,
      notBetween: 'ValidationError:true',
      insertHalf: 'ValidationError:true',
      insertText: 'ValidationError:true',
      items: [1, 2, 3, 1],
    });
  });
});
