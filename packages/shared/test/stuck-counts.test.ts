// An async wait that gives up because nothing left could end it (a LockError on the main thread,
// internal/wait.ts) leaves no waiter counted in the shared words: a ByteChannel reader or writer
// stayed in RWAIT/WWAIT for good, so the other side woke nobody on every message from then on.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/stuck-counts.mjs', import.meta.url));

describe('a wait that can never end', () => {
  it('rejects and leaves every waiter count as it was', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(process.execPath, [program], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(err) : resolve({ stdout, stderr }),
      ),
    );
    expect(stderr).toBe('');
    expect(stdout.split('\n')).toEqual([
      'read LockError RWAIT 0',
      'write LockError WWAIT 0',
      'multi read LockError RWAIT 0',
      'acquire LockError WAITERS 0',
      'lock LockError WAITERS 0 RESERVED 0',
      'wait LockError WAITERS 0 TOKENS 0 held true',
      '',
    ]);
  });
});
