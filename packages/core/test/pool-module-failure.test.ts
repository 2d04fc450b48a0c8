// A task module that throws at its top level in a worker, after its defineTasks() line: every call
// of its tasks rejects with the import error, the first one and every later one in the same worker
// (the second call used to run the task of the half-evaluated module), and other modules still run.

import { defineTasks, Pool, ProcessError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/edge-tasks.mjs';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as half } from './fixtures/half-module.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe.each(matrix(import.meta.url))('a task module that fails in the worker, %s context', (context) => {
  it('rejects every call of its tasks in that worker, and the worker runs other modules', async () => {
    const pool = new Pool({ processes: 1, context });
    pools.push(pool);
    const outcome = (p: Promise<unknown>) =>
      p.then(
        (v) => v,
        (e: Error) => [
          e instanceof ProcessError,
          /Cannot import the task module .*half-module/.test(e.message),
        ],
      );
    const failed = [true, true];
    expect(await outcome(pool.apply(half.ran))).toEqual(failed);
    expect(await outcome(pool.apply(half.ran))).toEqual(failed);
    expect(await outcome(pool.map(half.ran, [1, 2]))).toEqual(failed);
    expect(await pool.apply(t.echo, ['other module'])).toBe('other module');
    expect(await outcome(pool.apply(half.ran))).toEqual(failed);
  });

  it('says what to do when Node loads an ES module as CommonJS ("type": "commonjs", as npm init -y writes)', async () => {
    const pool = new Pool({ processes: 1, context });
    pools.push(pool);
    // Defined here under that module's URL: the worker imports it, as one whose main thread
    // loaded it through a loader (vitest, tsx) would.
    const url = new URL('./fixtures/cjs-typed/tasks.js', import.meta.url).href;
    const tasks = defineTasks(url, { square: (x: number) => x * x });
    const error = await pool.apply(tasks.square, [3]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(
      /Cannot import the task module .*cjs-typed\/tasks\.js: .*\. Node loaded it as CommonJS.*name it \.mts/,
    );
  });
});
