// The first use of the package (Process, Pool, getContext(): loaded synchronously) runs its code
// as CommonJS functions (scripts/first-use.mjs: the first-use file and the two hubs), never as ES
// modules loaded with require(). That used to go wrong in two ways on Node 20 and 22:
// - a thread stopped with worker.terminate() while Node linked those modules (a task's first
//   getContext() while its pool retired the worker) aborted the whole process: FATAL ERROR:
//   v8::Module::IsGraphAsync must be used on an instantiated module;
// - a first use while an import() of `@multiproc/core/internal` (as @multiproc/bullmq makes) was
//   still loading the hub threw `TypeError: Cannot read properties of undefined (reading 'getStatus')`.
// Each runs in a real program of its own, on the built package.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

function run(fixture: string, args: string[] = []): Promise<{ stdout: string; stderr: string }> {
  const program = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [program, ...args], { timeout: 90_000 }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }),
    );
  });
}

it('threads stopped at any moment of their first use end alone, and the code loads as no ES module', async () => {
  const { stdout, stderr } = await run('first-use-terminated.mjs', ['40']);
  expect(stderr).toBe('');
  const seen = JSON.parse(stdout);
  expect(seen.threads).toBe(40);
  expect(seen.stopped).toBeGreaterThan(0);
  // The first use in a thread ran the two CommonJS functions: no stub, no ES module file.
  expect(seen.sample).toEqual({
    made: ['function', 'object', 0],
    lazy: ['core/dist/chunks/hub.cjs', 'core/dist/chunks/pool.cjs', 'core/dist/lazy/first-use.cjs'],
  });
}, 120_000);

it('a first use while an import() of the internal entry is under way works, at any moment of it, with one hub', async () => {
  const { stdout, stderr } = await run('first-use-during-import.mjs');
  expect(stderr).toBe('');
  const seen = JSON.parse(stdout);
  expect(seen.moments).toBeGreaterThan(50);
  expect(seen.failures).toEqual([]);
}, 120_000);
