/**
 * `--backend bullmq --redis redis://127.0.0.1:PORT`: Ans5 through two Redis workers the demo
 * starts, against a private redis-server (skipped, with one line, where there is none; never
 * under CI, which installs it).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const ANS5 = '[1, 4, 9, 16, 25, 36, 49, 64, 81, 100]';
const TIMEOUT = 120_000; // ms; a run took 30 s in CI with every package's tests at once

const missing = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    if (process.env.CI === 'true') throw new Error('the demo backend test needs redis-server under CI');
    console.log('multiproc-demo: skipping the --backend bullmq test (no redis-server on PATH)');
    return 'no redis-server';
  }
})();

describe.skipIf(missing)('--backend bullmq', () => {
  let redis: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      redis.stdout!.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        if (out.includes('Ready to accept connections')) resolve();
      });
      redis.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    });
    url = `redis://127.0.0.1:${port}`;
  }, TIMEOUT);

  afterAll(() => {
    redis?.kill('SIGTERM');
  });

  it('runs Ans5 on Redis workers the demo starts, and stops them', {
    timeout: TIMEOUT + 10_000,
  }, async () => {
    const run = await runCli(['--backend', 'bullmq', '--redis', url], TIMEOUT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines[0]).toMatch(/BullMQ on 127\.0\.0\.1:\d+, 2 multiproc-worker processes/);
    expect(run.lines).toContain(ANS5);
    const pids = /pids (\d+), (\d+)/.exec(run.lines[0]!)!.slice(1).map(Number);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('refuses examples that need the local backend, and a missing --redis', {
    timeout: 2 * TIMEOUT + 10_000,
  }, async () => {
    const wrong = await runCli(['--backend', 'bullmq', '--redis', url, '--only', 'ans3'], TIMEOUT);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/ans3 cannot run on the bullmq backend/);
    const { REDIS_URL: _, ...env } = process.env;
    const noRedis = await runCli(['--backend', 'bullmq'], TIMEOUT, env);
    expect(noRedis.code).toBe(2);
    expect(noRedis.stderr).toMatch(/--redis/);
  });
});
