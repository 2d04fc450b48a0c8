// Runs a fixture program in a child under a limit, so a wait that hangs fails its case instead of
// the runner (sync-wait-after-submit*.test.ts, stuck-waits.test.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROGRAM = fileURLToPath(new URL('./fixtures/sync-wait-program.mjs', import.meta.url));
/** A case ends within ~1 s alone; a program still running after this is a hang. */
const LIMIT_MS = 15_000;

/** What a bounded program printed, and whether the limit killed it (`hung`). */
export interface BoundedRun {
  stdout: string;
  stderr: string;
  code: number | null;
  hung: boolean;
}

/** Runs `program` with `args` in its own process group; the group is killed after `limitMs`. */
export function runBounded(program: string, args: string[], limitMs: number): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [program, ...args], { detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, hung: signal !== null });
    });
  });
}

/** The program's `GOT` line (`GOT true`, `GOT LockError`), or 'hang'. */
export async function runSyncWait(args: string[]): Promise<{ got: string; stderr: string }> {
  const { stdout, stderr, hung } = await runBounded(PROGRAM, args, LIMIT_MS);
  const line = stdout.split('\n').find((l) => l.startsWith('GOT '));
  return { got: hung ? 'hang' : (line ?? 'no answer'), stderr };
}
