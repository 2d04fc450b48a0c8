/**
 * A thread pool's heap limits that would take the whole program down are refused when the pool is
 * made: a maxOldGenerationSizeMb under 4 MB (with 2 MB or less, Node 22 and 24 abort the program as
 * the worker thread's heap is made: "Fatal JavaScript out of memory: GC during deserialization"),
 * and with one, a maxYoungGenerationSizeMb over 48 MB (on Node 24 a worker reaching its heap limit
 * then overshot the 16 MB Node grants it and V8 aborted the program in 1 to 3 runs of 8: "FATAL
 * ERROR: Reached heap limit"). What stays allowed: a young generation without a heap limit, and
 * limits from 4 MB (a thread too small to boot fails its calls with WorkerStartError).
 */
import { ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
type Limits = { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };

/** The error `new Pool()` throws with `resourceLimits` in the thread context, or undefined. */
function refusal(resourceLimits: Limits): Error | undefined {
  try {
    makePool({ processes: 1, context: 'thread', resourceLimits });
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

describe("a thread's heap limits that would abort the program are refused", () => {
  it('maxOldGenerationSizeMb under 4 MB: ValidationError naming the option and the floor', () => {
    for (const maxOldGenerationSizeMb of [0.001, 1, 2, 2.9, 3.99]) {
      const error = refusal({ maxOldGenerationSizeMb });
      expect(error).toBeInstanceOf(ValidationError);
      expect(error?.message).toMatch(
        new RegExp(
          `^Pool: resourceLimits\\.maxOldGenerationSizeMb must be at least 4 MB in the 'thread' context \\(got ${maxOldGenerationSizeMb}\\)`,
        ),
      );
    }
  });

  it('maxYoungGenerationSizeMb over 48 MB with a heap limit: ValidationError', () => {
    for (const maxYoungGenerationSizeMb of [48.5, 64, 200]) {
      const error = refusal({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb });
      expect(error).toBeInstanceOf(ValidationError);
      expect(error?.message).toMatch(
        new RegExp(
          `^Pool: resourceLimits\\.maxYoungGenerationSizeMb must be at most 48 MB with a maxOldGenerationSizeMb \\(got ${maxYoungGenerationSizeMb}\\)`,
        ),
      );
    }
    expect(refusal({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 48 })).toBeUndefined();
    expect(refusal({ maxYoungGenerationSizeMb: 200 })).toBeUndefined();
    expect(refusal({ maxOldGenerationSizeMb: 4 })).toBeUndefined();
  });

  it('a small limit allowed boots a thread that runs a task', { timeout: 30_000 }, async () => {
    const pool = makePool({
      processes: 1,
      context: 'thread',
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
    expect(await pool.apply(tasks.square, [9])).toBe(81);
  });
});
