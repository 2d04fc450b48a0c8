// `initargs` are checked against the Pool's initializer and `args` against the Process's target, and
// each is required when its function has a required parameter. The type checks run in the
// package's `typecheck` task (this file is in its tsconfig); the tests also build the valid forms.
import { defineTasks, getContext, Pool, Process } from '@multiproc/core';
import { describe, expect, expectTypeOf, it } from 'vitest';

// Never run in a worker: only their types are used.
const tasks = defineTasks(import.meta.url, {
  add: (a: number, b: number) => a + b,
  square: (x: number) => x ** 2,
  hello: (name?: string) => `hello ${name ?? 'you'}`,
  noop: () => {},
});

describe('Pool initargs follow the initializer', () => {
  it('accepts matching initargs, an initializer without required parameters, and no initializer', async () => {
    const pools = [
      new Pool({ processes: 1, initializer: tasks.add, initargs: [1, 2] }),
      new Pool({ processes: 1, initializer: tasks.hello }),
      new Pool({ processes: 1, initializer: tasks.noop, initargs: [] }),
      new Pool({ processes: 1, initargs: [] }),
      new Pool(),
      new Pool(null),
      getContext('thread').Pool({ processes: 1, initializer: tasks.square, initargs: [2] }),
    ];
    expect(pools.every((p) => p instanceof Pool)).toBe(true);
    await Promise.all(pools.map((p) => p.terminate()));
  });

  it('rejects initargs of the wrong types or count, and missing ones, at compile time', () => {
    const wrong = () => {
      // @ts-expect-error: add takes numbers
      new Pool({ initializer: tasks.add, initargs: ['x'] });
      // @ts-expect-error: add takes two
      new Pool({ initializer: tasks.add, initargs: [1] });
      // @ts-expect-error: add needs its arguments
      new Pool({ initializer: tasks.add });
      // @ts-expect-error: the same through a context's call form
      getContext('thread').Pool({ initializer: tasks.square, initargs: ['x'] });
    };
    expect(typeof wrong).toBe('function'); // compiled, never run
  });
});

describe('Process args follow the target', () => {
  it('accepts matching args, and no args for a target without required parameters', () => {
    const made = [
      new Process({ target: tasks.square, args: [3] }),
      new Process({ target: tasks.hello }),
      new Process({ target: tasks.noop }),
      getContext('process').Process({ target: tasks.add, args: [1, 2] }),
    ];
    expect(made.map((p) => p.exitCode)).toEqual([null, null, null, null]);
  });

  it('rejects a missing args for a target that needs arguments, at compile time', () => {
    const wrong = () => {
      // @ts-expect-error: square needs x (Python: TypeError, missing 1 required positional argument)
      new Process({ target: tasks.square });
      // @ts-expect-error: the same through a context object
      new (getContext('thread').Process)({ target: tasks.add, name: 'adder' });
      // @ts-expect-error: and through its call form
      getContext('thread').Process({ target: tasks.add });
    };
    expect(typeof wrong).toBe('function'); // compiled, never run
  });
});

describe('Pool calls follow the task', () => {
  // Compiled, never run: only their types are checked.
  const calls = (pool: Pool) => {
    const pair = [1, 2] as const;
    const pairs: ReadonlyArray<readonly [number, number]> = [pair];
    const one: readonly [number] = [3];
    return [
      pool.apply(tasks.noop),
      pool.apply(tasks.hello),
      pool.applyAsync(tasks.noop),
      pool.apply(tasks.add, pair),
      pool.applyAsync(tasks.square, one, { callback: (v) => v.toFixed() }),
      pool.starmap(tasks.add, pairs),
      pool.starmapAsync(tasks.add, [pair]),
      pool.map(tasks.square, [1, 2]),
      pool.map(tasks.hello, ['a']),
      pool.mapAsync(tasks.noop, [1]),
      pool.imap(tasks.square, new Set([1])),
      pool.imapUnordered(tasks.square, [1]),
    ];
  };

  it('accepts readonly argument lists and leaves args out only for a task without required parameters', () => {
    expect(typeof calls).toBe('function');
    const made = new Process({ target: tasks.add, args: [1, 2] as const });
    expect(made.exitCode).toBe(null);
    expectTypeOf(calls).returns.items.not.toBeNever();
  });

  it('rejects apply without args for a task that needs them, and map over a task with 2+ required parameters', () => {
    const wrong = (pool: Pool) => {
      // @ts-expect-error: square needs x (Python: TypeError, missing 1 required positional argument)
      pool.apply(tasks.square);
      // @ts-expect-error: the same for applyAsync
      pool.applyAsync(tasks.add);
      // @ts-expect-error: map passes one argument: add needs starmap
      pool.map(tasks.add, [1, 2]);
      // @ts-expect-error: the same for mapAsync
      pool.mapAsync(tasks.add, [1, 2]);
      // @ts-expect-error: and for imap
      pool.imap(tasks.add, [1, 2]);
      // @ts-expect-error: and for imapUnordered
      pool.imapUnordered(tasks.add, [1, 2]);
      // @ts-expect-error: a readonly list is still checked: add takes numbers
      pool.apply(tasks.add, ['a', 'b'] as const);
    };
    expect(typeof wrong).toBe('function');
  });
});

describe('readonly initargs and args', () => {
  it('accepts as-const initargs and Process args', async () => {
    const pair = [1, 2] as const;
    const pool = new Pool({ processes: 1, initializer: tasks.add, initargs: pair });
    const p = getContext('thread').Process({ target: tasks.square, args: [2] as const });
    expect(new Process({ target: tasks.add, args: pair }).exitCode).toBe(null);
    expect(p.exitCode).toBe(null);
    await pool.terminate();
  });
});
