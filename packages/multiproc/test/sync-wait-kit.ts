// Runs fixtures/sync-wait-program.mjs in a child program under a limit, so a wait that hangs fails
// its case instead of the runner (sync-wait-after-submit*.test.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROGRAM = fileURLToPath(new URL('./fixtures/sync-wait-program.mjs', import.meta.url));
/** A case ends within ~1 s alone; a program still running after this is a hang. */
const LIMIT_MS = 15_000;

/** The program's `GOT` line (`GOT true`, `GOT LockError`), or 'hang'. */
export function runSyncWait(args: string[]): Promise<{ got: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PROGRAM, ...args], { detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), LIMIT_MS);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('GOT '));
      resolve({ got: signal ? 'hang' : (line ?? 'no answer'), stderr });
    });
  });
}
