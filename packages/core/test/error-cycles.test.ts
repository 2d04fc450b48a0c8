// An error that refers to itself (its own cause, two errors each other's cause, itself in a field
// or in its own AggregateError's errors) crosses a pool as it is, thrown or returned: it comes back
// with the same cycles. It used to come back as a chain of copies (thrown), or to fail the task
// with a SerializationError naming `error.cause.cause.cause...` (returned).
import * as core from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { CYCLES, cycleFaults } from '../../../test-support/error-cycles.mjs';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/cycle-tasks.mjs';

describe.each(matrix(import.meta.url))('errors that refer to themselves, %s pool', (context) => {
  let pool: core.Pool;
  beforeAll(() => {
    pool = new core.Pool({ processes: 1, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it.each(CYCLES as string[])('thrown (%s) comes back with its cycles', { timeout: 30_000 }, async (kind) => {
    const err = await pool.apply(tasks.throwCycle, [kind]).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(cycleFaults(kind, err)).toEqual([]);
  });

  it.each(CYCLES as string[])(
    'returned (%s) comes back with its cycles',
    { timeout: 30_000 },
    async (kind) => {
      const { err } = (await pool.apply(tasks.returnCycle, [kind])) as { err: unknown };
      expect(cycleFaults(kind, err)).toEqual([]);
    },
  );
});
