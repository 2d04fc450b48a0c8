// `initargs` are checked against the Pool's initializer and `args` against the Process's target, and
// each is required when its function has a required parameter. The type checks run in the
// package's `typecheck` task (this file is in its tsconfig); the tests also build the valid forms.
import { defineTasks, getContext, Pool, Process } from '@multiproc/core';
import { describe, expect, it } from 'vitest';

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
