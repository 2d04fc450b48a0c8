/**
 * A Pool's resourceLimits are checked against what its context can apply, when the pool is made:
 * a thread stack too small to start with (below 0.2 MB it killed the whole program: V8's abort on
 * Node 20, a segfault on Node 22/24) or too large to create (EAGAIN blamed on "too many
 * processes"); in the 'process' context a heap limit Node's --max-old-space-size cannot take
 * (1.5: the child exited with code 9, said as "cannot create its own threads") or too small to boot
 * (1: V8's fatal out of memory), and the two limits a child cannot apply (silently ignored before).
 */
import { ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

/** The ValidationError `new Pool(options)` throws (fails the test when it throws none). */
function refusal(options: Parameters<typeof makePool>[0]): ValidationError {
  let error: unknown;
  try {
    makePool(options);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('resourceLimits a context cannot apply are refused when the pool is made', () => {
  it('thread: stackSizeMb below 0.5 or above 1024 MB, naming the option and the bounds', () => {
    for (const stackSizeMb of [0.001, 0.1, 0.25, 1025, 100_000]) {
      expect(refusal({ context: 'thread', resourceLimits: { stackSizeMb } }).message).toMatch(
        new RegExp(
          `^Pool: resourceLimits\\.stackSizeMb must be between 0\\.5 and 1024 MB \\(got ${stackSizeMb}\\)`,
        ),
      );
    }
  });

  it('thread: the smallest stack allowed starts and runs a task', { timeout: 30_000 }, async () => {
    const pool = makePool({ processes: 1, context: 'thread', resourceLimits: { stackSizeMb: 0.5 } });
    expect(await pool.apply(tasks.square, [7])).toBe(49);
  });

  it('process: maxOldGenerationSizeMb not a whole number of at least 16 MB', () => {
    for (const maxOldGenerationSizeMb of [0.001, 1, 1.5, 4, 8, 15.9]) {
      expect(refusal({ context: 'process', resourceLimits: { maxOldGenerationSizeMb } }).message).toMatch(
        /^Pool: resourceLimits\.maxOldGenerationSizeMb must be a whole number of MB, at least 16, in the 'process' context/,
      );
    }
  });

  it('process: a small heap boots a child that runs a task', { timeout: 30_000 }, async () => {
    const pool = makePool({
      processes: 1,
      context: 'process',
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    expect(await pool.apply(tasks.square, [8])).toBe(64);
  });

  it('process: stackSizeMb and maxYoungGenerationSizeMb, which a child cannot apply', () => {
    for (const option of ['stackSizeMb', 'maxYoungGenerationSizeMb'] as const) {
      expect(refusal({ context: 'process', resourceLimits: { [option]: 4 } }).message).toMatch(
        new RegExp(
          `^Pool: resourceLimits\\.${option} applies to the 'thread' context only: .*use context 'thread'\\.$`,
        ),
      );
    }
  });
});
