// What a user sees when a library error goes uncaught: Node prints the source line the error was
// thrown from, so the built files must not be one long line each (the whole package on stderr).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('an uncaught library error', () => {
  it('prints a short source line, the error and its stack', { timeout: 20_000 }, async () => {
    const program = "import { Lock } from '@multiproc/multiproc'; new Lock().release();";
    const failed = await run(process.execPath, ['--input-type=module', '-e', program], {
      cwd: new URL('..', import.meta.url),
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('LockError: Cannot release a Lock that is not held');
    expect(failed?.stderr).toMatch(/at Lock\.release/);
    // The header Node prints (file:line, the source line and a caret) stays readable.
    const header = failed?.stderr.slice(0, failed.stderr.indexOf('LockError:')) ?? '';
    expect(header.length).toBeLessThan(1000);
  });
});
