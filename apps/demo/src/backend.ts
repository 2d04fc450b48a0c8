/**
 * Where the demo's pools run. `local` (the default): a multiproc `Pool` in the chosen context.
 * `bullmq`: the same `Pool` interface from `@multiproc/bullmq`, its tasks run by two
 * `multiproc-worker` processes that the demo starts (and stops) on the given Redis, under a key
 * prefix of their own and with a fresh random secret, so nothing else on that Redis is touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ContextName, Pool } from '@multiproc/multiproc';

export type BackendName = 'local' | 'bullmq';

/** The part of the Pool interface the examples use (both backends have all of it). */
export type DemoPool = Pick<Pool, 'map' | 'apply' | 'close' | 'join' | 'terminate'>;

export interface Backend {
  readonly name: BackendName;
  /** Makes a pool of `processes` workers on this backend. */
  pool(options: { processes: number }): DemoPool;
  /** One line for the run's heading. */
  readonly description: string;
  /** Stops what the backend started. */
  close(): Promise<void>;
}

const WORKERS = 2;
const WORKER_START_MS = 30_000;
/** The module the workers load: the demo's task functions (Ans3, Ans5, Ans6). */
const TASKS = fileURLToPath(new URL('./tasks/source.js', import.meta.url));

/** The local backend: a `Pool` in `context`. */
export function localBackend(context: ContextName): Backend {
  return {
    name: 'local',
    description: `context '${context}'`,
    pool: ({ processes }) => new Pool({ processes, context }),
    close: async () => {},
  };
}

/** Starts two `multiproc-worker` processes on `redisUrl` and returns a backend using them. */
export async function bullmqBackend(redisUrl: string): Promise<Backend> {
  const { Pool: BullPool } = await import('@multiproc/bullmq');
  const secret = randomBytes(32).toString('hex');
  const prefix = `multiproc-demo-${randomBytes(4).toString('hex')}`;
  const pkg = createRequire(import.meta.url).resolve('@multiproc/bullmq/package.json');
  const cli = join(dirname(pkg), 'dist/worker/cli.js');
  const args = [
    cli,
    '--redis',
    redisUrl,
    '--prefix',
    prefix,
    '--tasks',
    TASKS,
    '--concurrency',
    '2',
    '--quiet',
  ];
  const workers: ChildProcess[] = [];
  // However the demo ends (it may end with process.exit()), its workers end with it.
  const killAll = () => {
    for (const w of workers) w.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = () =>
    Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
          }),
      ),
    );
  try {
    await Promise.all(
      Array.from({ length: WORKERS }, () => {
        const worker = spawn(process.execPath, args, {
          env: { ...process.env, MULTIPROC_SECRET: secret },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        workers.push(worker);
        return connected(worker);
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: 'bullmq',
    description: `BullMQ on ${new URL(redisUrl).host}, ${WORKERS} multiproc-worker processes (pids ${workers.map((w) => w.pid).join(', ')})`,
    pool: ({ processes }) =>
      new BullPool({ connection: redisUrl, secret, prefix, processes }) as unknown as DemoPool,
    close: async () => {
      await stop();
      process.off('exit', killAll);
    },
  };
}

/** Resolves once the worker prints its `connected` line; rejects with its error otherwise. */
function connected(worker: ChildProcess): Promise<void> {
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`multiproc-worker did not connect within ${WORKER_START_MS} ms`)),
      WORKER_START_MS,
    );
    worker.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    worker.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (/ connected /.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`multiproc-worker exited (${code}): ${stderr.trim() || stdout.trim()}`));
    });
  });
}
