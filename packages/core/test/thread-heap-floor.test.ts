/**
 * A thread pool's maxOldGenerationSizeMb under 16 MB is refused when the pool is made, as a child's
 * is: with less than 3 MB Node 22 and 24 abort the whole program as the worker thread's heap is
 * made ("Fatal JavaScript out of memory: GC during deserialization"), and under 6-8 MB no worker
 * boots (every call failed with WorkerStartError).
 */
import { ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

describe("a thread's heap limit too small to boot is refused", () => {
  it('maxOldGenerationSizeMb under 16 MB: ValidationError naming the option and the floor', () => {
    for (const maxOldGenerationSizeMb of [0.001, 1, 2, 2.9, 8, 15.9]) {
      let error: unknown;
      try {
        makePool({ context: 'thread', resourceLimits: { maxOldGenerationSizeMb } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Pool: resourceLimits\\.maxOldGenerationSizeMb must be at least 16 MB in the 'thread' context \\(got ${maxOldGenerationSizeMb}\\)`,
        ),
      );
    }
  });

  it('the floor itself boots a thread that runs a task', { timeout: 30_000 }, async () => {
    const pool = makePool({
      processes: 1,
      context: 'thread',
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
    expect(await pool.apply(tasks.square, [9])).toBe(81);
  });
});
