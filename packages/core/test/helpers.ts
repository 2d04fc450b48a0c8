import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool, Process, SerializationError } from '@multiproc/core';
import { type Connection, Queue } from '@multiproc/ipc';
import { afterEach, expect, TestRunner } from 'vitest';

/**
 * Whether the long tier runs (`npm run test:full`, see vitest.shared.ts): a file with a wide matrix
 * of cases runs all of them then, and a representative few in CI.
 */
export const FULL_TESTS = process.env.MULTIPROC_TESTS === 'full';

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/**
 * How long a program a test runs may take before it is killed as hung: the running test's own
 * timeout less 5 s, for the test to report what the program printed (this package's 30 s default
 * where vitest does not say which test runs: in a concurrent test after its first await). A fixed
 * 20 s fired first in 30 s and 40 s tests: programs that take 0.5-4 s alone took 13-17 s in green
 * CI runs and past 20 s in others, killed and reported as wrong output with their test's time unused.
 */
export function programGuardMs(): number {
  return Math.max((TestRunner.getCurrentTest()?.timeout ?? 30_000) - 5_000, 1_000);
}

/** Runs a fixture program (TypeScript through tsx, JavaScript as is) and returns its output; it is killed after `timeoutMs`. */
export function runProgram(
  name: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = programGuardMs(),
  nodeFlags: readonly string[] = [],
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const file = fixture(name);
  const nodeArgs = [...nodeFlags, ...(file.endsWith('.ts') ? ['--import', 'tsx', file] : [file]), ...args];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      nodeArgs,
      { env: { ...process.env, ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        // Killed at `timeoutMs`: no exit code, and stderr says so (it read as exit code 1 before).
        if ((err as { killed?: boolean } | null)?.killed) {
          resolve({ stdout, stderr: `${stderr}[killed: still running after ${timeoutMs} ms]`, code: null });
        } else resolve({ stdout, stderr, code: err ? ((err as any).code ?? 1) : 0 });
      },
    );
  });
}

/** Whether a pid is still running. */
export { isRunning } from '../../../test-support/chaos.ts';

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

/**
 * Makers of Pools, Processes (not started) and Queues that are all ended after each test of the
 * file that calls this (at its top level): pools terminated, live processes terminated, queues
 * closed.
 */
export function ownedWorkers() {
  const pools: Pool[] = [];
  const processes: Process[] = [];
  const queues: Queue<unknown>[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
    await Promise.all(processes.splice(0).map((p) => (p.isAlive() ? p.terminate() : undefined)));
    for (const q of queues.splice(0)) q.close();
  });
  return {
    pool(options?: ConstructorParameters<typeof Pool>[0]): Pool {
      const pool = new Pool(options);
      pools.push(pool);
      return pool;
    },
    process(options: ConstructorParameters<typeof Process>[0]): Process {
      const p = new Process(options);
      processes.push(p);
      return p;
    },
    queue(): Queue<any> {
      const q = new Queue<unknown>();
      queues.push(q);
      return q;
    },
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

/** The `count` messages a test's workers put on `q` (10 s each at most), then checks none more came. */
export async function reports<T>(q: Queue<T>, count: number): Promise<T[]> {
  const got: T[] = [];
  for (let i = 0; i < count; i++) got.push(await q.get({ timeout: 10_000 }));
  expect(q.empty()).toBe(true);
  return got;
}

/**
 * Lists for the Processes and Connections a test makes: after each test of the file that calls
 * this (at its top level), the live Processes are killed and the Connections closed.
 */
export function endedAfterEach(): { started: Process[]; conns: Connection[] } {
  const started: Process[] = [];
  const conns: Connection[] = [];
  afterEach(() => {
    for (const p of started.splice(0)) if (p.isAlive()) p.kill();
    for (const c of conns.splice(0)) c.close();
  });
  return { started, conns };
}
