// A connection this side cannot make for its own system's reasons (out of file descriptors) is
// not "the other side is gone": a manager proxy's call rejects with a ProcessError saying so
// (`errno` 'EMFILE', the system error as `cause`), and the next call connects again; a queue copy
// retries for a while, then its calls reject the same way (Python raises OSError, Errno 24).
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';

const program = new URL('./fixtures/emfile-program.mjs', import.meta.url).pathname;

it('out of file descriptors: the manager and a queue copy say so, and work again once some are free', {
  timeout: 90_000,
}, async () => {
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
    execFile(
      'sh',
      ['-c', `ulimit -n 256 && exec "${process.execPath}" "${program}"`],
      { timeout: 80_000 },
      (_err, out, errOut) => resolve({ stdout: out, stderr: errOut }),
    ),
  );
  expect({ lines: stdout.trim().split('\n'), stderr }).toEqual({
    lines: [
      'manager ProcessError EMFILE EMFILE',
      'manager after 1',
      'queue freed ok item',
      'queue never ProcessError EMFILE EMFILE',
    ],
    stderr: '',
  });
});
