// defineTasks() made for a module by code in another module (a wrapper registering the caller's
// functions under the wrapper's URL) is refused at once: a worker imports only that module, so the
// tasks would be found or not depending on what the worker had imported before (Python finds a
// function by its own module: always or never). A module's own calls, from its top-level code or a
// callback it hands to other code, still work, in ES modules and CommonJS, run by Node or vitest.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Pool, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const fixture = (name: string) => new URL(`./fixtures/elsewhere/${name}`, import.meta.url);
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe('defineTasks() called for a module from another module', () => {
  it('is refused at once through require() here, naming both modules', () => {
    const require = createRequire(import.meta.url);
    expect(() => require(fileURLToPath(fixture('app.cjs')))).toThrow(ValidationError);
    expect(() => require(fileURLToPath(fixture('app.cjs')))).toThrow(
      /from app\.cjs, through tasksOf\(\) in wrapper\.cjs/,
    );
  });

  it('leaves a program whose Error.prepareStackTrace returns call sites working', () => {
    const r = spawnSync(process.execPath, [fileURLToPath(fixture('array-stack.mjs'))], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect([r.status, r.stdout.trim()]).toEqual([0, 'defined']);
  });

  it.each(['app.mjs', 'app.cjs'])('is refused when Node runs %s itself', (name) => {
    const r = spawnSync(process.execPath, [fileURLToPath(fixture(name))], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /ValidationError: defineTasks\(\) for wrapper\.[cm]js was called from app\.[cm]js/,
    );
  });

  it.each(matrix(import.meta.url))(
    "a module's own calls (top level, a helper it calls, a callback it hands on, a timer it awaits) run in the %s context",
    async (context) => {
      const own = await import(fixture('own.mjs').href);
      const viaCallback = await import(fixture('via-callback.mjs').href);
      const viaTimer = await import(fixture('via-timer.mjs').href);
      const ownCjs = createRequire(import.meta.url)(fileURLToPath(fixture('own.cjs')));
      const pool = new Pool({ processes: 2, context });
      pools.push(pool);
      expect(await pool.map(own.tasks.negate, [1, 2, 3], { chunksize: 1 })).toEqual([-1, -2, -3]);
      expect(await pool.map(viaCallback.tasks.twice, [1, 2, 3], { chunksize: 1 })).toEqual([2, 4, 6]);
      expect(await pool.apply(ownCjs.tasks.half, [3])).toBe(1.5);
      expect(await pool.map(viaTimer.tasks.inc, [1, 2], { chunksize: 1 })).toEqual([2, 3]);
    },
    60_000,
  );
});
