// The BullMQ Pool's calls are typed like the local Pool's: `args` may be left out only for a task
// without required parameters, `map`/`imap` take a task with at most one required parameter, and
// argument lists may be readonly (`as const`). Checked by the package's `typecheck` task; the
// functions below are compiled, never run (they need no Redis).
import { describe, expect, it } from 'vitest';
import type { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';

describe('BullMQ Pool call types', () => {
  it('accepts readonly argument lists and no args for a task without required parameters', () => {
    const calls = (pool: Pool) => {
      const pair = [1, 2] as const;
      const pairs: ReadonlyArray<readonly [number, number]> = [pair];
      return [
        pool.apply(tasks.none),
        pool.applyAsync(tasks.pid),
        pool.apply(tasks.add, pair),
        pool.starmap(tasks.add, pairs),
        pool.starmapAsync(tasks.add, [pair]),
        pool.map(tasks.square, [1, 2]),
        pool.map(tasks.slowSquare, [1, 2]),
        pool.imap(tasks.square, [1]),
      ];
    };
    expect(typeof calls).toBe('function');
  });

  it('rejects a missing args and map over a task with 2+ required parameters', () => {
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
    };
    expect(typeof wrong).toBe('function');
  });
});
