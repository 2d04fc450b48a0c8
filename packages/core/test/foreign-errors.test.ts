// An error made in another realm (a `vm` context: a sandboxed script, a test runner's environment)
// that a task returns came back as `{}`: `instanceof Error` is false for it, so the codec read it as
// a plain object. Thrown or returned, it now comes back as this realm's class with its fields.
import * as core from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { FOREIGN, foreignFaults } from '../../../test-support/foreign-errors.mjs';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/foreign-error-tasks.mjs';

describe.each(matrix(import.meta.url))('errors of another realm, %s pool', (context) => {
  let pool: core.Pool;
  beforeAll(() => {
    pool = new core.Pool({ processes: 1, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it.each(FOREIGN as string[])('thrown (%s)', { timeout: 30_000 }, async (kind) => {
    const err = await pool.apply(tasks.throwForeign, [kind]).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(foreignFaults(kind, err)).toEqual([]);
  });

  it.each(FOREIGN as string[])('returned (%s)', { timeout: 30_000 }, async (kind) => {
    const { err } = (await pool.apply(tasks.returnForeign, [kind])) as { err: unknown };
    expect(foreignFaults(kind, err)).toEqual([]);
  });
});
