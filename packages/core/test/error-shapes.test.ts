// Errors of awkward shapes cross a pool as they are, thrown or returned:
// - one that refers to itself (its own cause, two errors each other's cause, itself in a field or
//   in its own AggregateError's errors) comes back with the same cycles; it used to come back as a
//   chain of copies (thrown) or to fail the task with a SerializationError naming
//   `error.cause.cause.cause...` (returned);
// - one made in another realm (a `vm` context: a sandboxed script, a test runner's environment),
//   not `instanceof Error` there, comes back as this realm's class with its fields; returned, it
//   used to come back as `{}`. So did a Map, a Set, a RegExp or an ArrayBuffer of another realm
//   that a process worker's task returned.
import * as core from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { CYCLES, cycleFaults } from '../../../test-support/error-cycles.mjs';
import {
  FOREIGN,
  FOREIGN_VALUES,
  foreignFaults,
  foreignValueFaults,
  // @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
} from '../../../test-support/foreign-realm.mjs';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/error-shape-tasks.mjs';

const cases: [family: string, kind: string][] = [
  ...(CYCLES as string[]).map((kind) => ['cycle', kind] as [string, string]),
  ...(FOREIGN as string[]).map((kind) => ['foreign', kind] as [string, string]),
];
const values: [family: string, kind: string][] = (FOREIGN_VALUES as string[]).map((kind) => ['value', kind]);
const faults = (family: string, kind: string, err: unknown): string[] =>
  family === 'cycle'
    ? cycleFaults(kind, err)
    : family === 'value'
      ? foreignValueFaults(kind, err)
      : foreignFaults(kind, err);

describe.each(matrix(import.meta.url))('errors of awkward shapes, %s pool', (context) => {
  let pool: core.Pool;
  beforeAll(() => {
    pool = new core.Pool({ processes: 1, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it.each(cases)('thrown (%s: %s)', { timeout: 30_000 }, async (family, kind) => {
    const err = await pool.apply(tasks.throwShape, [family, kind]).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(faults(family, kind, err)).toEqual([]);
  });

  it.each([...cases, ...values])('returned (%s: %s)', { timeout: 30_000 }, async (family, kind) => {
    const { err } = (await pool.apply(tasks.returnShape, [family, kind])) as { err: unknown };
    expect(faults(family, kind, err)).toEqual([]);
  });
});
