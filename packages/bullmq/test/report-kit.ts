/**
 * Helpers shared by the ported bug-report suites (`bug-reports-*.test.ts`): pauses, bounded waits,
 * and files tasks append to so a test can count which calls ran and how often.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Polls `check` every 20 ms until it holds or `ms` passed; its last answer. */
export async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(20);
  return check();
}

/** `p`'s outcome, or 'still waiting' once `ms` passed. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([p, sleep(ms).then(() => 'still waiting' as const)]);
}

/**
 * A maker of fresh files for tasks to append to, in a folder named after `prefix` that is removed
 * after the test file: each call gives a new file's path and the lines appended so far.
 */
export function runLogs(prefix: string): () => { path: string; lines: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return () => {
    const path = join(dir, `runs-${++files}.log`);
    return {
      path,
      lines: (): string[] => {
        try {
          return readFileSync(path, 'utf8').split('\n').filter(Boolean);
        } catch {
          return [];
        }
      },
    };
  };
}
