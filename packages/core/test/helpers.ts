import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool, SerializationError } from '@multiproc/core';
import { afterEach, expect } from 'vitest';

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs a fixture program (TypeScript through tsx, JavaScript as is) and returns its output; it is killed after `timeoutMs`. */
export function runProgram(
  name: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const file = fixture(name);
  const nodeArgs = file.endsWith('.ts') ? ['--import', 'tsx', file, ...args] : [file, ...args];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      nodeArgs,
      { env: { ...process.env, ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        resolve({ stdout, stderr, code: err ? ((err as any).code ?? 1) : 0 });
      },
    );
  });
}

/** Whether a pid is still running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A `new Pool(options)` whose pools are all terminated after each test of the file that calls
 * this (at its top level).
 */
export function poolMaker(): (options?: ConstructorParameters<typeof Pool>[0]) => Pool {
  const pools: Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  });
  return (options) => {
    const pool = new Pool(options);
    pools.push(pool);
    return pool;
  };
}

/** The `SerializationError` a call rejects with (fails the test when it resolves or fails otherwise). */
export async function serializationFailure(promise: Promise<unknown>): Promise<SerializationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SerializationError);
  expect((err as SerializationError).code).toBe('MP_SERIALIZATION');
  return err as SerializationError;
}
