// Start-up cost of the umbrella (issue #18), guarded by what its import loads, never by timings.
// Every task module imports the umbrella (for defineTasks and isMain), so every worker pays for
// it: one file of its own (core's `internal/callable` copied in, not core's hub of pool and host
// code behind `@multiproc/core/internal`), one of core and one of ipc (no chunk: each costs its
// resolution, reading and compiling), and none of Node's stream modules (an ES import of `node:fs`
// loads them; core reads its Node modules when first used).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/import-loads.mjs', import.meta.url));

/** The built files an import of the umbrella parses: its own and each package's index, nothing else. */
const FILES = ['core/index.js', 'ipc/index.js', 'multiproc/index.js', 'shared/index.js'];

describe('an import of the umbrella', () => {
  it('parses one file of its own and one of each package (no chunk, no hub), and loads none of Node’s stream, os or net modules, in a program and in a worker', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [PROGRAM], { timeout: 20_000 }, (err, out, stderr) =>
        err ? reject(Object.assign(err, { stderr })) : resolve(out),
      );
    });
    expect(JSON.parse(stdout)).toEqual({
      inProgram: { builtins: [], files: FILES },
      inWorker: { builtins: [], files: FILES },
    });
  }, 30_000);
});
