/**
 * An idle BullMQ pool does not keep its program alive, as the contract says of every pool: a
 * program that made one, ran calls and never closed it ends by itself; a pending call keeps it
 * alive until its result arrives. And a pool dropped without `close()` in a program that goes on
 * is collected and lets go of Redis; one dropped while a call is pending is kept until it settles.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere } from './workers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until `done()` holds (finalizers run in a later task), for at most `ms`. */
async function collectUntil(done: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return done();
}

const PROGRAM = fileURLToPath(new URL('./fixtures/idle-exit.mjs', import.meta.url));

/**
 * Runs the program in `mode`; its JSON lines, how it exited, and how long it ran after 'end'. The
 * checks are on what it printed and on the time after 'end'; `boundMs` only stops a program that
 * hangs. It is wide: on a loaded CI machine a program took 16 s to start and import before 'end'
 * (0.5 s quiet), and one with a 2 s timeout to wait out passed the 20 s this bound was.
 */
function run(url: string, mode: string, boundMs = 60_000) {
  return new Promise<{ lines: unknown[][]; code: number | null; afterEndMs: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [PROGRAM, url, mode], {
      env: { ...process.env, MULTIPROC_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: unknown[][] = [];
    let ended = 0;
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const parts = out.split('\n');
      out = parts.pop()!;
      for (const line of parts) {
        lines.push(JSON.parse(line));
        if (line === '["end"]') ended = performance.now();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      err += text;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`'${mode}' still ran after ${boundMs} ms: ${JSON.stringify(lines)} ${err}`));
    }, boundMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ lines, code, afterEndMs: performance.now() - ended });
    });
  });
}

describe.skipIf(redisMissing)('an idle pool lets its program end', () => {
  let redis: RedisServer;
  let worker: Awaited<ReturnType<typeof startWorkerHere>>;

  beforeAll(async () => {
    redis = await startRedis({ db: 0 });
    // The worker runs in this process, where collectUntil() forces full collections: with the
    // suite's usual 1 s lock a loaded machine can hold the lock renewal past it and the job
    // "stalls". Nothing here is about stalls, so the worker keeps the defaults.
    worker = await startWorkerHere(redis.url, {
      concurrency: 2,
      lockDuration: 30_000,
      stalledInterval: 30_000,
      ttl: 15_000,
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.handle.stop();
    await redis?.stop();
  }, 30_000);

  test('a pool that ran calls and was never closed: the program ends by itself', {
    timeout: 90_000,
  }, async () => {
    const { lines, code, afterEndMs } = await run(redis.url, 'calls');
    expect(lines).toEqual([['apply', 49], ['map', [1, 4, 9]], ['imap', [16, 25]], ['end'], ['exit', 0]]);
    expect(code).toBe(0);
    expect(afterEndMs).toBeLessThan(3000);
  });

  test.each([
    [
      'break',
      [
        ['first', 'number'],
        ['timeout', 'TimeoutError'],
      ],
    ],
    ['join', [['apply', 9], ['joined']]],
    ['stalled-timeout', [['imap', [4], 'TimeoutError']]],
  ])('%s: the program ends by itself', { timeout: 90_000 }, async (mode, said) => {
    const { lines, code, afterEndMs } = await run(redis.url, mode);
    expect(lines).toEqual([...said, ['end'], ['exit', 0]]);
    expect(code).toBe(0);
    expect(afterEndMs).toBeLessThan(3000);
  });

  test('a pool made and never called: the program ends by itself', { timeout: 90_000 }, async () => {
    const { lines, code, afterEndMs } = await run(redis.url, 'unused');
    expect(lines).toEqual([['end'], ['exit', 0]]);
    expect(code).toBe(0);
    expect(afterEndMs).toBeLessThan(3000);
  });

  test.each(['pending', 'pending-map'])(
    'a pending call (%s) keeps the program alive until its result, which ends it',
    { timeout: 90_000 },
    async (mode) => {
      const { lines, code } = await run(redis.url, mode);
      expect(lines).toEqual([['end'], ['result', mode === 'pending' ? 1500 : [4, 9]], ['exit', 0]]);
      expect(code).toBe(0);
    },
  );

  test('pools dropped without close() are collected and let go of Redis: their connections, registrations and keys', {
    timeout: 40_000,
  }, async () => {
    const clients = async () =>
      String(await redis.client.client('LIST'))
        .trim()
        .split('\n').length;
    const before = await clients();
    const prefixes: string[] = [];
    const use = async (i: number) => {
      const pool = new Pool({ connection: redis.url, secret: SECRET });
      prefixes.push(pool.keyPrefix);
      expect(await pool.apply(tasks.square, [i])).toBe(i * i);
      expect(await pool.map(tasks.square, [1, 2])).toEqual([1, 4]);
    };
    for (let i = 0; i < 3; i++) await use(i);
    expect(await clients()).toBeGreaterThan(before);
    // They used to live as long as the program: 5 connections, a heartbeat and the keys each.
    const keysLeft = async () => (await Promise.all(prefixes.map((p) => redis.client.keys(`${p}*`)))).flat();
    const gone = async () => (await clients()) <= before && (await keysLeft()).length === 0;
    expect(await collectUntil(gone)).toBe(true);
  });

  test('a pool dropped while its call is pending is kept until the call settles', {
    timeout: 90_000,
  }, async () => {
    const pending = new Pool({ connection: redis.url, secret: SECRET }).apply(tasks.sleep, [1500]);
    const settled = pending.then(
      () => true,
      () => true,
    );
    let done = false;
    void settled.then(() => {
      done = true;
    });
    await collectUntil(async () => done);
    await expect(pending).resolves.toBe(1500);
  });

  test('an open imap keeps its dropped pool: its loop reads on after its jobs have all come back', {
    timeout: 90_000,
  }, async () => {
    const it = new Pool({ connection: redis.url, secret: SECRET }).imap(tasks.square, [1, 2, 3], {
      chunksize: 1,
    });
    expect(await it.next()).toEqual({ done: false, value: 1 });
    let rounds = 0;
    await collectUntil(async () => ++rounds > 20);
    expect(await it.next()).toEqual({ done: false, value: 4 });
    expect(await it.next()).toEqual({ done: false, value: 9 });
    expect((await it.next()).done).toBe(true);
  });
});
