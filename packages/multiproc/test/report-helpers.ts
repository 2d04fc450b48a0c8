// What the bug-report test files share: the two contexts, pools ended after each test, a fixture
// program run to its end, a file a task writes waited for, and the small waits the files use.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Manager, Pool, Process } from '@multiproc/multiproc';
import { afterAll, afterEach } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

export type Context = 'thread' | 'process';
export const CONTEXTS: Context[] = ['thread', 'process'];

type PoolOptions = ConstructorParameters<typeof Pool>[0];

/**
 * A scratch folder (named from `prefix`) removed after the file's tests; returns a function that
 * gives a fresh file name in it on each call.
 */
export function scratchFiles(prefix: string): () => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return () => join(dir, `f${files++}`);
}

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

/**
 * Returns `start(options)`, which makes and starts a Process, and `managers`, where a test puts the
 * managers it starts: after each test of the calling file a live Process is killed and every manager
 * shut down. Call it at a test file's top level.
 */
export function processesEndedAfterEach(): {
  start: (options: ConstructorParameters<typeof Process>[0]) => Process;
  managers: ReturnType<typeof Manager>[];
} {
  const started: Process[] = [];
  const managers: ReturnType<typeof Manager>[] = [];
  afterEach(async () => {
    for (const p of started.splice(0)) if (p.isAlive()) p.kill();
    await Promise.all(managers.splice(0).map((m) => m.shutdown()));
  });
  return {
    start: (options) => {
      const p = new Process(options);
      started.push(p);
      p.start();
      return p;
    },
    managers,
  };
}

/**
 * What every bug-report file sets up at its top level, in one call: `CONTEXTS`, the contexts its
 * per-context cases run in (both in the full tier, one chosen by the file's name in CI: see
 * test-support/matrix.ts); `pool(options)`, a Pool terminated after each test; `scratchFile()`, a
 * fresh file name in a folder named from `prefix` and removed after the file's tests; and
 * `startProcess(options)` and `managers` from {@link processesEndedAfterEach} (their hook runs
 * before the pools end).
 *
 * @param fileUrl the test file's `import.meta.url`
 * @param prefix the scratch folder's name prefix, `'bugs-61-'`
 * @example
 * const { CONTEXTS, pool, scratchFile } = reportSuite(import.meta.url, 'bugs-61-');
 * describe.each(CONTEXTS)('bug reports (61), %s context', (context) => { ... });
 */
export function reportSuite(
  fileUrl: string,
  prefix: string,
): {
  CONTEXTS: readonly Context[];
  pool: (options: PoolOptions) => Pool;
  scratchFile: () => string;
  startProcess: (options: ConstructorParameters<typeof Process>[0]) => Process;
  managers: ReturnType<typeof Manager>[];
} {
  const pool = poolsEndedAfterEach();
  const scratchFile = scratchFiles(prefix);
  const { start, managers } = processesEndedAfterEach();
  return { CONTEXTS: matrix(fileUrl), pool, scratchFile, startProcess: start, managers };
}

/** The numbers 0 to `n - 1`. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

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

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What `read` makes of the text a task wrote to `file`, once it makes something of it (not
 * `undefined`: the file exists before its bytes do); fails after `ms` milliseconds, saying `what`
 * was missing.
 */
export async function readWhenWritten<T>(
  file: string,
  read: (text: string) => T | undefined,
  what: string,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = existsSync(file) ? read(readFileSync(file, 'utf8')) : undefined;
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what} was written to ${file} within ${ms} ms`);
    await sleep(10);
  }
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(p: PromiseLike<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('resolved, expected a rejection');
}

/** Polls `check` every 10 ms until it is true or `ms` passed; resolves with its last answer. */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(10);
  return check();
}

/** Resolves with `p`'s outcome, or with 'still waiting' once `ms` passed. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([p, sleep(ms).then(() => 'still waiting' as const)]);
}

/** The lines written to `file` so far. */
export const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

/** Whether the process `pid` still runs (a zombie whose parent has not reaped it yet has ended). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // The state follows the name, which may itself hold ") ": the last ") " ends it.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
