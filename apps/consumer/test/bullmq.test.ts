// @multiproc/bullmq from its tarball: the installed `multiproc-worker` command serves a client in
// the fresh project, through a private redis-server on a free loopback port.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, run } from './exec.ts';
import { consumer, withFixtures } from './project.ts';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis && process.env.CI === 'true')
  throw new Error('the @multiproc/bullmq consumer test needs redis-server under CI');
if (!hasRedis) console.warn('[consumer] skipping @multiproc/bullmq: no redis-server on PATH');

const SECRET = 'consumer-secret-0123456789';
const started: ChildProcess[] = [];

afterEach(async () => {
  for (const child of started.splice(0).reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
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
function startUntil(command: string, args: string[], ready: RegExp, cwd: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, env: cleanEnv({ MULTIPROC_SECRET: SECRET }) });
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

describe.skipIf(!hasRedis)('@multiproc/bullmq', () => {
  it('a client maps through the installed multiproc-worker command', async () => {
    const port = await freePort();
    const cwd = withFixtures('bullmq-tasks.mjs', 'bullmq-main.mjs');
    const redisArgs = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    await startUntil('redis-server', redisArgs, /Ready to accept connections/, cwd);
    const url = `redis://127.0.0.1:${port}`;
    const bin = join(consumer().app, 'node_modules', '.bin', 'multiproc-worker');
    await startUntil(
      bin,
      ['--redis', url, '--tasks', './bullmq-tasks.mjs', '--concurrency', '1'],
      / connected /,
      cwd,
    );
    const ran = await run(process.execPath, ['bullmq-main.mjs'], {
      cwd,
      env: cleanEnv({ REDIS_URL: url, MULTIPROC_SECRET: SECRET }),
      timeoutMs: 60_000,
    });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('[1,4,9,16,25]\n');
  });
});
