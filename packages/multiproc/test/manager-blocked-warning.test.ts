// A thread that serves a Manager answers its proxies from its event loop: a blocking wait there
// (waitSync(), acquireSync()) stalls every proxy call of the others until it ends, and one that
// only such a call could end never does. Such a wait warns first, synchronously (the thread may
// never run its loop again) and once: MultiprocWarning MP_MANAGER_BLOCKED. A manager only this
// thread uses gives no warning.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/manager-blocked.mjs', import.meta.url));

function run(how: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [program, how], { timeout: 30_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim()),
    ),
  );
}

describe('a blocking wait in the thread that serves a manager', () => {
  it('warns before it blocks, once, when another process uses the manager', async () => {
    expect(await run('used')).toBe('blocking MP_MANAGER_BLOCKED done');
  }, 40_000);

  it('does not warn when only this thread uses it', async () => {
    expect(await run('alone')).toBe('blocking done');
  }, 40_000);
});
