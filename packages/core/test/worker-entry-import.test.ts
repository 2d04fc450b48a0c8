import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// A worker entry imported by a program's main thread says what it is, instead of a TypeError of
// the start message it looks for.
describe.each(['process', 'pool'])("importing '@multiproc/core/worker/%s' in a main thread", (entry) => {
  it('rejects with a ContextError that names the entry and what to import instead', async () => {
    const script = `import('@multiproc/core/worker/${entry}').then(
      () => console.log('loaded'),
      (e) => console.log(e.name + ': ' + e.message),
    );`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('.', import.meta.url),
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe(
      `ContextError: @multiproc/core/worker/${entry} is the entry multiproc starts its workers with, ` +
        "not a module to import: import Process or Pool from '@multiproc/core' (or the umbrella package) instead.",
    );
  }, 30_000);
});
