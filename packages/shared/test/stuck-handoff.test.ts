// An async acquire on a program's main thread that rejects as a wait that "can never end" (the
// LockError of internal/wait.ts) while a release has already handed the lock to it (claimed its
// reservation): it must take the lock (resolve true), not throw and leave the lock handed to
// nobody, where no thread could take it again. The fixture forces that interleaving with Atomics
// gates between the main thread's 'beforeExit' and a worker thread's release().
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/stuck-handoff.mjs', import.meta.url));

function run(kind: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [program, kind], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(err) : resolve(stdout + stderr),
    ),
  );
}

describe('a stuck async acquire that a release handed the lock to', () => {
  it.each(['Lock', 'RLock'])(
    '%s: takes the lock, which another thread can then take',
    async (kind) => {
      expect(await run(kind)).toBe('true true free\n');
    },
    40_000,
  );
});
