/**
 * What the bullmq cases run against: a private `redis-server` (free loopback port, no
 * persistence), `multiproc-worker` processes, and raw BullMQ worker processes. Everything started
 * here is stopped by the `close()` of what started it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { withTimeout } from './harness.js';
import { fixturePath } from './paths.js';

/** Every process started here; killed when the bench exits (it ends with process.exit()). */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** The secret the bench's pools and workers share. */
export const BENCH_SECRET = 'bench-secret-0123456789abcdef';

/** Why the bullmq cases cannot run here, or `undefined`. */
export async function bullmqUnavailable(): Promise<string | undefined> {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no redis-server on PATH';
  }
  try {
    await import('@multiproc/bullmq');
  } catch (error) {
    return importFailure(error);
  }
  return undefined;
}

/**
 * Why `import('@multiproc/bullmq')` failed, as it failed: a missing module is most likely the
 * package not built, any other error (a module of it that threw on import) is said as it came.
 */
function importFailure(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; name?: unknown } | null;
  const text = e && typeof e.message === 'string' ? `${String(e.name)}: ${e.message}` : String(error);
  const hint = e?.code === 'ERR_MODULE_NOT_FOUND' ? ' (is it built? pnpm build)' : '';
  return `@multiproc/bullmq cannot be imported${hint}: ${text}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits for a line of `child`'s stdout that matches `pattern`. */
function lineFrom(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  let seen = '';
  const found = new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      seen += text;
      if (pattern.test(seen)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
  });
  return withTimeout(found, 60_000, `${what} start`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A started set of processes around one private Redis. */
export interface BullmqSetup {
  readonly url: string;
  /** Starts `count` multiproc-worker processes serving the bench's task module. */
  workers(count: number, args: string[]): Promise<void>;
  /** Starts `count` raw BullMQ worker processes on `queue`. */
  rawWorkers(count: number, queue: string, concurrency: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a private Redis; `close()` stops it and every process started through the setup. */
export async function startBullmqSetup(): Promise<BullmqSetup> {
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await lineFrom(redis, /Ready to accept connections/, 'redis-server');
  const url = `redis://127.0.0.1:${port}`;
  started.add(redis);
  redis.once('exit', () => started.delete(redis));
  const children: ChildProcess[] = [redis];
  const pkg = createRequire(import.meta.url).resolve('@multiproc/bullmq/package.json');
  const cli = join(dirname(pkg), 'dist/worker/cli.js');
  const env = { ...process.env, MULTIPROC_SECRET: BENCH_SECRET };
  const start = (args: string[], pattern: RegExp, what: string) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    started.add(child);
    child.once('exit', () => started.delete(child));
    return lineFrom(child, pattern, what);
  };
  return {
    url,
    async workers(count, args) {
      const argv = [cli, '--redis', url, '--tasks', fixturePath('bullmq-tasks.mjs'), '--quiet', ...args];
      await Promise.all(Array.from({ length: count }, () => start(argv, / connected /, 'multiproc-worker')));
    },
    async rawWorkers(count, queue, concurrency) {
      const argv = [fixturePath('bullmq-raw-worker.mjs'), url, queue, String(concurrency)];
      await Promise.all(Array.from({ length: count }, () => start(argv, /ready/, 'raw BullMQ worker')));
    },
    async close() {
      await Promise.all(children.slice(1).map(stop));
      await stop(redis);
    },
  };
}
