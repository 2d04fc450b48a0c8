// A task is found by its module and name, so two defineTasks() calls of one module that give the
// same name to two functions are refused at the second call (a black-box tester saw the first
// group's ref silently run the second group's function). Python refuses to pickle such a function.
// A module evaluated again (a worker importing it, a test re-importing it) still registers.
import { defineTasks, Pool, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).href;
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe('defineTasks() and task names', () => {
  it('refuses a second group of the module giving another function a taken name', async () => {
    const err = await import(fixture('dup-task-names.mjs')).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain("'same'");
    expect((err as Error).message).toContain('dup-task-names.mjs');
  });

  it.each(matrix(import.meta.url))(
    'two groups with different names each run their own function in a %s worker',
    { timeout: 20_000 },
    async (context) => {
      const { a, b } = await import(fixture('two-groups.mjs'));
      const pool = new Pool({ processes: 1, context });
      pools.push(pool);
      expect(await pool.apply(a.one, [])).toBe('a.one');
      expect(await pool.apply(a.shared, [])).toBe('a.shared');
      expect(await pool.apply(b.two, [])).toBe('b.two');
    },
  );

  it('a module evaluated again re-registers its tasks', { timeout: 10_000 }, async () => {
    const first = await import(fixture('two-groups.mjs'));
    vi.resetModules();
    const again = await import(fixture('two-groups.mjs'));
    expect(again).not.toBe(first); // evaluated again, its defineTasks() lines run again
    expect(again.a.one()).toBe('a.one');
    expect(again.a.one.module).toBe(first.a.one.module);
  });

  it('a module imported again under a query string (tasks.mjs?v=2) re-registers its tasks', async () => {
    const first = await import(fixture('two-groups.mjs'));
    const again = await import(/* @vite-ignore */ `${fixture('two-groups.mjs')}?v=2`);
    expect(again).not.toBe(first);
    expect(again.a.one()).toBe('a.one');
  });

  it('the same line may register a name again; the same function may be registered twice', () => {
    const url = new URL('./fixtures/registered-here.mjs', import.meta.url).href;
    const refs = [1, 2].map((n) => defineTasks(url, { f: () => n }));
    expect(refs.map((r) => r.f())).toEqual([1, 2]);
    const g = () => 'g';
    defineTasks(url, { g });
    expect(defineTasks(url, { g }).g()).toBe('g');
    expect(() => defineTasks(url, { g: () => 'another g' })).toThrow(ValidationError);
  });
});
