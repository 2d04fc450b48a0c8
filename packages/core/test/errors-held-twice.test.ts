// An error that refers back to itself (`e.cause = e`, two errors each other's cause, a ring),
// held twice in one message, arrives as one error from a pool in both contexts (thrown, returned,
// and in the arguments and a field of them both), as structured clone keeps an object held twice.
// A thrown one was written again where it was met a second time: `err.a !== err.b`.
import * as core from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { HELD_TWICE, identityFaults } from '../../../test-support/error-identity.mjs';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/held-twice-tasks.mjs';

const shapes = HELD_TWICE as Record<string, () => Error>;
const names = Object.keys(shapes);
const faultsOf = (back: unknown[]) =>
  Object.fromEntries(names.map((n, i) => [n, identityFaults(shapes[n]!(), back[i])]));
const none = Object.fromEntries(names.map((n) => [n, []]));

describe.each(['thread', 'process'] as const)(
  'an error that refers back to itself, held twice, %s pool',
  (context) => {
    let pool: core.Pool;
    beforeAll(() => {
      pool = new core.Pool({ processes: 1, context });
    });
    afterAll(async () => {
      await pool.terminate();
    });

    it('thrown and returned: one error', { timeout: 60_000 }, async () => {
      const thrown = await Promise.all(
        names.map((n) => pool.apply(tasks.throwShape, [n]).catch((e: unknown) => e)),
      );
      const returned = await Promise.all(
        names.map(async (n) => ((await pool.apply(tasks.returnShape, [n])) as any).err),
      );
      expect(faultsOf(thrown)).toEqual(none);
      expect(faultsOf(returned)).toEqual(none);
    });

    it('in the arguments and in a field of them, there and back', { timeout: 60_000 }, async () => {
      const e = new Error('x');
      e.cause = e;
      const args = [Object.assign(new Error('outer'), { a: e, b: e }), e, { field: e }];
      const back = await pool.apply(tasks.echo, args);
      expect(identityFaults(args, back)).toEqual([]);
    });
  },
);
