// What the bug-report test files share: the two contexts, pools ended after each test, a fixture
// program run to its end, and a file a task writes waited for.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pool } from '@multiproc/multiproc';
import { afterEach } from 'vitest';

export type Context = 'thread' | 'process';
export const CONTEXTS: Context[] = ['thread', 'process'];

type PoolOptions = ConstructorParameters<typeof Pool>[0];

/**
 * Returns `pool(options)`, which makes a Pool that is terminated after each test of the calling file.
 * Call it at a test file's top level. After-each hooks run last-registered first, so a hook the file
 * registers after this call runs before the pools end.
 */
export function poolsEndedAfterEach(): (options: PoolOptions) => Pool {
  const pools: Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  });
  return (options) => {
    const p = new Pool(options);
    pools.push(p);
    return p;
  };
}

/** Runs `fixtures/<fixture>` with `args` (and node `flags`); resolves with its exit code and output. */
export function runProgram(
  fixture: string,
  args: string[],
  flags: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...flags, file, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err?.killed) reject(new Error(`the program did not end: ${stdout} ${stderr}`));
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/** Resolves once `file` exists (a task wrote it): a real condition, checked every few ms. */
export async function fileWritten(file: string): Promise<void> {
  while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 5));
}
