// A task name that defineTasks() never defined (`pool.apply(tasks.sqare, [2])`) is a type error in
// TypeScript; in JavaScript the call gets `undefined`, and its message used to end at "got
// undefined". It now names the name read, the module's tasks and the nearest one, as a
// ValidationError (the contract's class for a task that is not a TaskRef). The object that
// defineTasks() returns behaves as the frozen object it was in every other way.
import { inspect } from 'node:util';
import { type Pool, Process, ValidationError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/typo-tasks.mjs';
import { poolMaker } from './helpers.js';

const newPool = poolMaker();
// As JavaScript sees it: any name may be read.
const loose = tasks as unknown as Record<string, any>;

/** The error `run` throws or rejects with. */
async function failure(run: () => unknown): Promise<Error & { code?: string }> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('it did not fail');
}

describe('a task name that defineTasks() did not define', () => {
  const pool = () => newPool({ processes: 1 });

  it.each([
    ['apply', (p: Pool) => p.apply(loose.sqare, [2])],
    ['applyAsync', (p: Pool) => p.applyAsync(loose.sqare, [2])],
    ['map', (p: Pool) => p.map(loose.sqare, [1, 2])],
    ['starmap', (p: Pool) => p.starmap(loose.sqare, [[1]])],
    ['imap', (p: Pool) => p.imap(loose.sqare, [1, 2])],
    ['imapUnordered', (p: Pool) => p.imapUnordered(loose.sqare, [1, 2])],
  ])('Pool.%s() names it, the tasks defined and the nearest one', async (method, call) => {
    const p = pool();
    const error = await failure(() => call(p));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('MP_VALIDATION');
    expect(error.message).toMatch(new RegExp(`^Pool\\.${method}\\(\\): task \\(the first argument\\)`));
    expect(error.message).toMatch(
      /got undefined\. tasks\.sqare is not a task: defineTasks\(\) in typo-tasks\.mjs defines square, greet, useTable\. Did you mean tasks\.square\?/,
    );
  });

  it('a name near none of them says to check it', async () => {
    const error = await failure(() => pool().map(loose.g, [1]));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /tasks\.g is not a task: .* defines square, greet, useTable\. Check the name/,
    );
  });

  it('a Process target names it too', async () => {
    const error = await failure(() => new Process({ target: loose.gret, args: ['bob'] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /needs a target\. It was given undefined\. tasks\.gret is not a task: .*Did you mean tasks\.greet\?/,
    );
  });

  it('a Pool initializer names it: an explicit undefined right after the read is a typo, not "no initializer"', async () => {
    const error = await failure(() => newPool({ processes: 1, initializer: loose.sqare, initargs: [2] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('MP_VALIDATION');
    expect(error.message).toMatch(
      /^Invalid option 'initializer' for Pool: it was given undefined\. tasks\.sqare is not a task: defineTasks\(\) in typo-tasks\.mjs defines square, greet, useTable\. Did you mean tasks\.square\?/,
    );
  });

  it('an explicit initializer: undefined with no read of a missing name is no initializer, as before', async () => {
    void loose.stale;
    await Promise.resolve();
    const p = newPool({ processes: 1, initializer: undefined });
    expect(await p.apply(tasks.square, [3])).toBe(9);
  });

  it('undefined from elsewhere, or a read in an earlier turn, gets the advice to check the name, not a stale one', async () => {
    void loose.stale;
    await Promise.resolve();
    const error = await failure(() => (pool() as any).apply(undefined, [2]));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /got undefined\. A task reference read by a name that defineTasks\(\) did not define/,
    );
    expect(error.message).not.toMatch(/stale/);
    // A call given nothing at all says only the shape, as before.
    expect((await failure(() => (pool() as any).map())).message).toMatch(
      /got undefined\. Write pool\.map\(task, items/,
    );
  });
});

describe("defineTasks()' object is the frozen object of task references it was", () => {
  it('keys, in, spreading, JSON, await, symbols, inspect, equality and structured clone', async () => {
    const plain = Object.freeze({ ...tasks });
    expect(Object.keys(tasks)).toEqual(['square', 'greet', 'useTable']);
    expect('square' in tasks).toBe(true);
    expect('sqare' in tasks).toBe(false);
    expect(Object.isFrozen(tasks)).toBe(true);
    expect(JSON.stringify(tasks)).toBe('{}');
    expect((tasks as { then?: unknown }).then).toBeUndefined();
    expect(await tasks).toBe(tasks);
    expect(Object.getOwnPropertySymbols(tasks)).toEqual([]);
    expect((tasks as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    expect(inspect(tasks)).toBe(inspect(plain));
    expect(tasks).toEqual(plain);
    expect(tasks.square(3)).toBe(9);
    // A function in it could never be cloned: the same error as before.
    expect(() => structuredClone(tasks)).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
  });

  it.each(['thread', 'process'] as const)(
    'crosses to a %s worker as an argument',
    { timeout: 30_000 },
    async (context) => {
      const pool = newPool({ processes: 1, context });
      expect(await pool.apply(tasks.useTable, [tasks, 4])).toEqual([['square', 'greet', 'useTable'], 16]);
    },
  );
});
