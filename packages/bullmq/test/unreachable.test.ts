/**
 * A pool whose Redis cannot be reached: its calls reject with RedisConnectionError, and it gives up
 * (no driver reconnecting in the background), so a program that catches the error ends by itself
 * without terminate(). Needs no Redis: a port where nothing listens.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/unreachable.mjs', import.meta.url));
/** Far beyond what the program needs (a 300 ms connect timeout twice): only a hang reaches it. */
const BOUND_MS = 20_000;
/**
 * How long the program may live on after its last call settled (or terminate() did): only the
 * process's own teardown. ioredis's disconnect timer (2 s) held it before, and an idle pool would
 * wait out its 10 s connect timeout; the teardown alone took up to 363 ms with 4 suites on 2 cores.
 */
const LINGER_MS = 1000;

const lingered = (stdout: string) => Number(/lingered (\d+) ms/.exec(stdout)?.[1] ?? Number.NaN);

/** A local port that was free a moment ago, and is closed now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PROGRAM, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout });
    });
  });
}

describe('a pool that cannot reach Redis', () => {
  test('rejects its calls with RedisConnectionError and lets the program end without terminate()', async () => {
    const port = await closedPort();
    const ran = await run([`redis://127.0.0.1:${port}`]);
    expect(ran.signal).toBeNull();
    expect(ran.code).toBe(0);
    expect(ran.stdout.replace(/lingered \d+ ms\n$/, '')).toBe(
      'RedisConnectionError MP_REDIS_CONNECTION\n'.repeat(2),
    );
    expect(lingered(ran.stdout)).toBeLessThan(LINGER_MS);
  }, 30_000);

  test('lets the program end at once after terminate() (no driver timer left behind)', async () => {
    const port = await closedPort();
    const ran = await run([`redis://127.0.0.1:${port}`, 'terminate']);
    expect(ran.signal).toBeNull();
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^(RedisConnectionError MP_REDIS_CONNECTION\n){2}lingered \d+ ms\n$/);
    expect(lingered(ran.stdout)).toBeLessThan(LINGER_MS);
  }, 30_000);

  test('an idle pool still connecting does not hold the program for connectTimeout', async () => {
    const port = await closedPort();
    const ran = await run([`redis://127.0.0.1:${port}`, 'idle']);
    expect(ran.signal).toBeNull();
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^lingered \d+ ms\n$/);
    expect(lingered(ran.stdout)).toBeLessThan(LINGER_MS);
  }, 30_000);

  test('terminate(), or close() and join(), before the pool connected settle at once', async () => {
    const port = await closedPort();
    const ran = await run([`redis://127.0.0.1:${port}`, 'shut']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^shut in \d+ ms\nlingered \d+ ms\n$/);
    // Not the 10 s connect timeout: there is nothing in Redis to clean up yet.
    expect(Number(/shut in (\d+) ms/.exec(ran.stdout)?.[1])).toBeLessThan(1000);
    expect(lingered(ran.stdout)).toBeLessThan(LINGER_MS);
  }, 30_000);

  test('says in its message that it stopped trying and what to do', async () => {
    const port = await closedPort();
    const ran = await run([`redis://127.0.0.1:${port}`, 'message']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/stopped trying/);
    expect(ran.stdout).toMatch(/new Pool/);
  }, 30_000);
});
