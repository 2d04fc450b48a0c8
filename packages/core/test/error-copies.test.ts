// An error of ours comes back as the very class its receiver imports, whatever the program loaded
// before and in whatever order (errors.test.ts failed depending on which files had run before it
// in the same test worker). Two causes, each fixed and checked here:
// - core registered its classes (for telling them by identity) as a side effect of the pool's
//   error module, loaded on the first Pool: before it, a WorkerCrashedError put in a manager's
//   dict came back as a plain ProcessError;
// - rebuilding a class by name took the copy that registered last: a second copy of core's modules
//   in the realm (a test importing core's sources beside the build, a module evaluated again, a
//   second install) took the names over, and a pool of the first copy then rebuilt its tasks'
//   errors as the other copy's classes, failing `instanceof`.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as core from '@multiproc/core';
import { registerErrorClasses } from '@multiproc/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/error-tasks.mjs';

const CORE_CLASSES = [
  core.WorkerCrashedError,
  core.PoolClosedError,
  core.WorkerEntryNotFoundError,
  core.WorkerStartError,
];
const NAMES = CORE_CLASSES.map((C) => C.name);

it("core's classes travel as themselves before any pool code has loaded", { timeout: 30_000 }, async () => {
  // A fresh program: nothing but the packages' indexes loaded when the error is sent.
  const program = `
    import { PoolClosedError, WorkerCrashedError } from '@multiproc/core';
    import { Manager } from '@multiproc/ipc';
    const m = await Manager.start();
    const d = m.dict();
    const out = [];
    for (const C of [WorkerCrashedError, PoolClosedError]) {
      await d.set('e', Reflect.construct(Error, ['sent'], C));
      const back = await d.get('e');
      out.push(back instanceof C && Object.getPrototypeOf(back) === C.prototype);
    }
    await m.shutdown();
    console.log(JSON.stringify(out));
  `;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--input-type=module', '-e', program],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 25_000 },
      (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)),
    ),
  );
  expect(JSON.parse(stdout)).toEqual([true, true]);
});

describe.each(matrix(import.meta.url))('a %s pool, after a second copy of core loaded', (context) => {
  const pool = new core.Pool({ processes: 1, context });
  afterAll(async () => {
    await pool.terminate();
    // The second copy below registered its classes last: give the names back to the build's.
    registerErrorClasses(CORE_CLASSES);
  });

  it('rebuilds its tasks’ errors, thrown or returned, as the classes it exports', {
    timeout: 30_000,
  }, async () => {
    expect(await pool.apply(tasks.echo, [1])).toBe(1); // the pool's own code has loaded
    // core's sources: another copy of its error classes, registered after the build's.
    await import('../src/internal/error-record.js'); // its error module, as the pool's code loads it
    const copy = (await import('../src/errors.js')) as unknown as Record<string, typeof Error>;
    for (const name of NAMES) expect(copy[name]).not.toBe((core as Record<string, unknown>)[name]);
    registerErrorClasses(Object.values(copy)); // last, also when this file's other test loaded it first
    for (const C of CORE_CLASSES) {
      const thrown = await pool.apply(tasks.throwOurs, [C.name]).catch((err: unknown) => err);
      expect(Object.getPrototypeOf(thrown), `thrown ${C.name}`).toBe(C.prototype);
      const returned = await pool.apply(tasks.returnThrown, ['throwOurs', C.name]);
      expect(Object.getPrototypeOf(returned), `returned ${C.name}`).toBe(C.prototype);
    }
  });
});
