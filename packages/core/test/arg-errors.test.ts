// An error among a Process's args or a pool's initargs arrives as a pool task's argument does
// (errors.md: "An error a task returns (or receives as an argument) ... travels by the same
// rules"): its class when built in, a user's class as an Error with its name, its own fields, an
// AggregateError's errors. Before, both went by a bare structured clone: an AggregateError came as
// an Error without `errors`, a custom name as 'Error', and `code`/`detail` were dropped.
import { Pool, Process } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/arg-error-tasks.mjs';

function fielded(): Error {
  class HttpError extends Error {}
  const err = new HttpError('not found', { cause: new RangeError('inner') });
  err.name = 'HttpError';
  return Object.assign(err, { code: 'E_HTTP', detail: { status: 404 } });
}
const EXPECTED = {
  proto: 'Error',
  name: 'HttpError',
  message: 'not found',
  code: 'E_HTTP',
  detail: { status: 404 },
  cause: 'RangeError',
};

describe.each(matrix(import.meta.url))('errors among the arguments that start a %s worker', (context) => {
  it("a Process's args", { timeout: 30_000 }, async () => {
    const out = new Queue();
    try {
      const args = [fielded(), new AggregateError([new TypeError('a')], 'many')];
      const got = [];
      for (const err of args) {
        const p = new Process({ target: tasks.report, args: [out, err], context });
        p.start();
        got.push(await out.get({ timeout: 20_000 }));
        await p.join();
      }
      expect(got[0]).toEqual(EXPECTED);
      expect(got[1]).toMatchObject({ proto: 'AggregateError', message: 'many', errors: ['TypeError'] });
    } finally {
      out.close();
    }
  });

  it("a pool's initargs", { timeout: 30_000 }, async () => {
    const pool = new Pool({ processes: 1, context, initializer: tasks.remember, initargs: [fielded()] });
    try {
      expect(await pool.apply(tasks.remembered, [])).toEqual(EXPECTED);
    } finally {
      await pool.terminate();
    }
  });
});
