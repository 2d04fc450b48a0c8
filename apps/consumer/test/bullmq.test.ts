// @multiproc/bullmq from its tarball: the installed `multiproc-worker` command serves a client in
// the fresh project, through a private redis-server on a free loopback port.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, envFor, run } from './exec.ts';
import { consumer, scratch, withFixtures } from './project.ts';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis && process.env.CI === 'true')
  throw new Error('the @multiproc/bullmq consumer test needs redis-server under CI');
if (!hasRedis) console.warn('[consumer] skipping @multiproc/bullmq: no redis-server on PATH');

const SECRET = 'consumer-secret-0123456789';
const started: ChildProcess[] = [];

// Each command runs in a process group of its own, ended whole: `npx tsx cli.js` is three
// processes, and on Node 22/24 a SIGTERM to npx alone left tsx and the worker running for good.
const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is gone already
  }
};

afterEach(async () => {
  for (const child of started.splice(0).reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      killGroup(child, 'SIGKILL'); // what it started may still run
      continue;
    }
    const exited = once(child, 'exit');
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    killGroup(child, 'SIGKILL');
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `command` and resolves once a line of its stdout matches `ready`. */
function startUntil(
  command: string,
  args: string[],
  ready: RegExp,
  cwd: string,
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, env: { ...env, MULTIPROC_SECRET: SECRET }, detached: true });
  started.push(child);
  let seen = '';
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (text: string) => void (seen += text));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      seen += text;
      if (ready.test(seen)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before ${ready}:\n${seen}`)));
  });
}

/**
 * Starts a private redis-server on a free loopback port and the installed `multiproc-worker` serving
 * `bullmq-tasks.mjs` from `cwd` (both stopped after each test, as every child here), or one worker
 * for each list of arguments given in `workers`; resolves to the Redis URL once every worker says
 * it is connected.
 */
async function redisAndWorker(cwd: string, ...workers: string[][]): Promise<string> {
  const port = await freePort();
  const redisArgs = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  await startUntil('redis-server', redisArgs, /Ready to accept connections/, cwd);
  const url = `redis://127.0.0.1:${port}`;
  const bin = join(consumer().app, 'node_modules', '.bin', 'multiproc-worker');
  if (workers.length === 0) workers.push(['--tasks', './bullmq-tasks.mjs']);
  for (const args of workers)
    await startUntil(bin, ['--redis', url, ...args, '--concurrency', '1'], / connected /, cwd);
  return url;
}

describe.skipIf(!hasRedis)('@multiproc/bullmq', () => {
  it('a client maps through the installed multiproc-worker command', async () => {
    const cwd = withFixtures('bullmq-tasks.mjs', 'bullmq-main.mjs');
    const url = await redisAndWorker(cwd);
    const ran = await run(process.execPath, ['bullmq-main.mjs'], {
      cwd,
      env: cleanEnv({ REDIS_URL: url, MULTIPROC_SECRET: SECRET }),
      timeoutMs: 60_000,
    });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('[1,4,9,16,25]\n');
  });

  it('a client bundled with esbuild (code splitting) maps through it, run without node_modules', async () => {
    const cwd = withFixtures('bullmq-tasks.mjs', 'bullmq-bundled.mjs', 'bullmq-bundle.build.mjs');
    const built = await run(process.execPath, ['bullmq-bundle.build.mjs'], { cwd, timeoutMs: 120_000 });
    expect(built.stderr).toBe('');
    const out = mkdtempSync(join(consumer().root, 'bullmq-bundled-'));
    cpSync(join(cwd, 'dist'), out, { recursive: true });
    const url = await redisAndWorker(cwd);
    const ran = await run(process.execPath, ['app.js'], {
      cwd: out,
      env: cleanEnv({ REDIS_URL: url, MULTIPROC_SECRET: SECRET }),
      timeoutMs: 60_000,
    });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('[1,4,9,16,25]\n');
  }, 180_000);

  // Both task modules' tasks are under the bundle's one URL: their jobs named all of that URL's
  // tasks together (a fingerprint), which matched neither worker, and moduleNames (by URL) could not
  // name the two apart. A job names its task's own defineTasks() call now.
  it('two task modules bundled into one client file map through workers that load them or the bundle', async () => {
    const cwd = withFixtures(
      'bullmq-sets-a.mjs',
      'bullmq-sets-b.mjs',
      'bullmq-sets-main.mjs',
      'bullmq-bundle.build.mjs',
    );
    const built = await run(process.execPath, ['bullmq-bundle.build.mjs', 'bullmq-sets-main.mjs'], {
      cwd,
      timeoutMs: 120_000,
    });
    expect(built.stderr).toBe('');
    const out = mkdtempSync(join(consumer().root, 'bullmq-sets-'));
    cpSync(join(cwd, 'dist'), out, { recursive: true });
    const url = await redisAndWorker(
      cwd,
      ['--prefix', 'sources', '--tasks', './bullmq-sets-a.mjs', './bullmq-sets-b.mjs'],
      ['--prefix', 'bundle', '--tasks', join(out, 'app.js')],
    );
    for (const [prefix, from] of [
      ['sources', 'sources'],
      ['bundle', 'bundle'],
    ]) {
      const ran = await run(process.execPath, ['app.js'], {
        cwd: out,
        env: cleanEnv({ REDIS_URL: url, MULTIPROC_SECRET: SECRET, PREFIX: prefix, SETS_FROM: from }),
        timeoutMs: 60_000,
      });
      expect(ran.stderr).toBe('');
      expect(ran.stdout).toBe('[9,[1,8]]\n');
    }
  }, 180_000);
});

// The README's command, `multiproc-worker --tasks ./tasks.ts`, in a project without tsx: the worker
// loads TypeScript as the local Pool does, through the running tsx (here only in npx's cache) or
// Node's own type stripping (Node 22.18+ and 24), and asks for tsx only when neither is there.
const TS_TASKS = {
  'package.json': '{ "type": "module" }\n',
  'tasks.ts': [
    "import { defineTasks } from '@multiproc/core';",
    'export const tasks = defineTasks(import.meta.url, { square: (x: number): number => x * x });',
    '',
  ].join('\n'),
};
const { nodes, npmGlobalConfig: npmrc } = consumer();
const workerJs = () =>
  join(consumer().app, 'node_modules', '@multiproc', 'bullmq', 'dist', 'worker', 'cli.js');
const strips = (node: string) =>
  spawnSync(node, ['-p', 'Boolean(process.features.typescript)'], { encoding: 'utf8' }).stdout.trim() ===
  'true';

describe.skipIf(!hasRedis)('@multiproc/bullmq with a TypeScript task module', () => {
  async function redisUrl(cwd: string): Promise<string> {
    const port = await freePort();
    const redisArgs = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    await startUntil('redis-server', redisArgs, /Ready to accept connections/, cwd);
    return `redis://127.0.0.1:${port}`;
  }

  it("serves ./tasks.ts under npx tsx (tsx only in npx's cache)", async () => {
    const cwd = scratch(TS_TASKS);
    const url = await redisUrl(cwd);
    const args = ['--yes', 'tsx', workerJs(), '--redis', url, '--tasks', './tasks.ts', '--concurrency', '1'];
    const worker = await startUntil('npx', args, / connected .*tasks#square/, cwd, cleanEnv());
    expect(worker.exitCode).toBe(null);
  }, 120_000);

  const stripping = nodes.filter((n) => n.path && strips(n.path));
  it.skipIf(stripping.length === 0).each(stripping)(
    'serves ./tasks.ts by type stripping, no tsx anywhere ($label)',
    async ({ path: node }) => {
      const cwd = scratch(TS_TASKS);
      const url = await redisUrl(cwd);
      const args = [workerJs(), '--redis', url, '--tasks', './tasks.ts', '--concurrency', '1'];
      const worker = await startUntil(node, args, / connected .*tasks#square/, cwd, envFor(node, npmrc));
      expect(worker.exitCode).toBe(null);
    },
    120_000,
  );

  const plain = nodes.find((n) => n.path && !strips(n.path));
  it.skipIf(!plain)(
    'on a Node without type stripping and no tsx, says what to install',
    async () => {
      const node = plain!;
      const cwd = scratch(TS_TASKS);
      const ran = await run(
        node.path,
        [workerJs(), '--redis', 'redis://127.0.0.1:1', '--tasks', './tasks.ts'],
        {
          cwd,
          env: envFor(node.path, npmrc, { MULTIPROC_SECRET: SECRET }),
        },
      );
      expect(ran.code).toBe(1);
      expect(ran.stderr).toMatch(/npm i -D tsx/);
      expect(ran.stderr).toMatch(/22\.18/);
    },
    120_000,
  );
});
