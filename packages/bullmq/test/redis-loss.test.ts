/**
 * Redis lost under a running pool: restarted without its data, or gone for good. No call, `join()`
 * or `terminate()` hangs: pending and later calls reject with `RedisConnectionError` saying what
 * was lost, and the pool lets go of Redis.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PoolClosedError } from '@multiproc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool, RedisConnectionError } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { ORDERLY, SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

const LOST_REDIS = fileURLToPath(new URL('./fixtures/lost-redis.mjs', import.meta.url));
/** How long Redis refuses new connections in the blip tests (the fixed wait that failed was 1 s). */
const BLIP_MS = 1500;
const STEADY = ['--lock-duration', '15000', '--stalled-interval', '5000', '--ttl', '15000'];
const settled = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

// A shared REDIS_URL server cannot be restarted by a test.
describe.skipIf(redisMissing || process.env.REDIS_URL)('Redis lost under a pool', () => {
  let redis: RedisServer;
  const started: WorkerProcess[] = [];
  const pools: Pool[] = [];
  const worker = async () => {
    const w = await startWorkerProcess(redis.url, ['--concurrency', '2', ...STEADY]);
    started.push(w);
    return w;
  };
  const pool = (options = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, ...options });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
    await redis.restart();
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  }, 60_000);
  afterAll(() => redis?.stop());

  test('Redis restarted without its data mid-map: the map and later calls reject with RedisConnectionError, join() settles', async () => {
    const w = await worker();
    const p = pool();
    const result = settled(p.map(tasks.sleep, Array(6).fill(2000), { chunksize: 1 }));
    await w.waitFor(/job started .* job=m/);
    await redis.restart();
    const outcome = await result;
    expect(outcome).toHaveProperty('error');
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect(error.message).toMatch(/lost this pool's keys/);
    expect(error.message).not.toMatch(/clientTtl/);
    await expect(p.apply(tasks.square, [3])).rejects.toBeInstanceOf(RedisConnectionError);
    p.close();
    await p.join();
  }, 60_000);

  test('Redis restarted under an idle pool: the next call rejects with RedisConnectionError, not "terminated"', async () => {
    await worker();
    const p = pool();
    expect(await p.apply(tasks.square, [2])).toBe(4);
    await redis.restart();
    const error = await p.apply(tasks.square, [3], { timeout: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as Error).message).toMatch(/lost this pool's keys/);
    p.close();
    await p.join();
  }, 60_000);

  test('a call made while Redis is down waits until the pool knows whether Redis kept its keys', async () => {
    await worker();
    const p = pool();
    expect(await p.apply(tasks.square, [2])).toBe(4);
    await redis.kill();
    // Made while the connection is down: the worker may come back before the pool's next
    // heartbeat, so without the check the job would run on a Redis that lost the pool.
    const call = settled(p.apply(tasks.square, [3], { timeout: 20_000 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await redis.restart();
    const outcome = (await call) as { error: Error };
    expect(outcome.error).toBeInstanceOf(RedisConnectionError);
    expect(outcome.error.message).toMatch(/lost this pool's keys/);
    p.close();
    await p.join();
  }, 60_000);

  test('Redis restarted without its data while a map waits on a stalled input: it rejects with RedisConnectionError and calls return()', async () => {
    await worker();
    const p = pool();
    let returned = 0;
    let answered!: () => void;
    const reached = new Promise<void>((resolve) => {
      answered = resolve;
    });
    // Yields 1 and 2, then never again; its return() answers, so the test sees it was called.
    const items = [1, 2];
    const stalled: AsyncIterableIterator<number> = {
      next: () =>
        items.length > 0 ? Promise.resolve({ value: items.shift()!, done: false }) : new Promise(() => {}),
      return: () => {
        returned++;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    const onProgress = (done: number) => done === 2 && answered();
    const result = settled(p.map(tasks.square, stalled, { chunksize: 1, onProgress }));
    // Both items answered: the call has no job out and waits on its input.
    await reached;
    await redis.restart();
    const outcome = (await result) as { error: Error };
    expect(outcome.error).toBeInstanceOf(RedisConnectionError);
    expect(outcome.error.message).toMatch(/lost this pool's keys/);
    expect(returned).toBe(1);
    p.close();
    await p.join();
  }, 60_000);

  test.each(['join', 'terminate'] as const)(
    "%s() right after the pool's connections dropped (a blip) still deletes its keys and detaches its worker",
    async (end) => {
      const w = await worker();
      const p = pool();
      expect(await p.apply(tasks.square, [3])).toBe(9);
      const queue = p.keyPrefix.split(':').at(-2)!;
      // Every connection of the pool (its own, its event reader's, BullMQ's queue client) is cut,
      // as by a network blip or a proxy restart; Redis keeps its data, the worker its connections.
      const lines = String(await redis.client.client('LIST')).split('\n');
      const ours = lines.filter((l) => l.includes(` name=multiproc:${queue}`));
      expect(ours.length).toBe(3);
      // Redis takes no new connection for a while (a blip longer than a reconnection, as under load);
      // those open stay (maxclients below their count refuses only new ones).
      const cut = redis.client.pipeline().config('SET', 'maxclients', '1');
      for (const line of ours) cut.client('KILL', 'ID', /\bid=(\d+)/.exec(line)![1]!);
      await cut.exec();
      let back: NodeJS.Timeout | undefined;
      let took: number;
      try {
        // The pool has seen its connections close (they cannot come back yet).
        await new Promise((resolve) => setTimeout(resolve, 100));
        back = setTimeout(() => void redis.client.config('SET', 'maxclients', '10000'), BLIP_MS);
        const started = performance.now();
        if (end === 'join') {
          p.close();
          await p.join();
        } else await p.terminate();
        took = performance.now() - started;
      } finally {
        clearTimeout(back);
        await redis.client.config('SET', 'maxclients', '10000');
      }
      expect(await redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
      expect(await redis.client.zrange('multiproc:pools', 0, -1)).toEqual([]);
      // It waited for Redis to take connections again, well within connectTimeout (10 s).
      expect(took).toBeGreaterThan(BLIP_MS - 200);
      expect(took).toBeLessThan(10_000);
      // Told to detach, not left attached until clientTtl (30 s) runs out.
      await w.waitFor(new RegExp(`detached pool=${queue} `), 5000);
      expect(await redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
    },
    60_000,
  );

  test('Redis gone for good mid-call: the call rejects with RedisConnectionError after connectTimeout, join() settles', async () => {
    const w = await worker();
    const p = pool({ connectTimeout: 2000 });
    const call = settled(p.apply(tasks.sleep, [5000]));
    await w.waitFor(/job started .* job=a1 /);
    await redis.kill();
    const outcome = await call;
    expect((outcome as { error: unknown }).error).toBeInstanceOf(RedisConnectionError);
    expect((outcome as { error: Error }).error.message).toMatch(/Lost the connection to Redis/);
    await expect(p.apply(tasks.square, [3])).rejects.toBeInstanceOf(RedisConnectionError);
    p.close();
    await p.join();
  }, 60_000);

  test('Redis gone for good: terminate() settles within connectTimeout and rejects the pending call with PoolClosedError', async () => {
    const w = await worker();
    const p = pool({ connectTimeout: 2000 });
    const call = settled(p.apply(tasks.sleep, [5000]));
    await w.waitFor(/job started .* job=a1 /);
    await redis.kill();
    const started = performance.now();
    // Its cleanup tries a fresh connection for connectTimeout, then leaves the keys to the sweep.
    await p.terminate();
    expect(performance.now() - started).toBeLessThan(2000 + 1500);
    expect(((await call) as { error: unknown }).error).toBeInstanceOf(PoolClosedError);
  }, 60_000);

  test('Redis frozen (it answers nothing and resets nothing, as across a partition): terminate() still settles', async () => {
    const w = await worker();
    const p = pool({ connectTimeout: 1000 });
    const call = settled(p.apply(tasks.sleep, [5000]));
    await w.waitFor(/job started .* job=a1 /);
    const pid = Number(/process_id:(\d+)/.exec(await redis.client.info('server'))![1]);
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      await p.terminate();
      // BullMQ's connections get 3 s to close, the pool's own connectTimeout: then they are cut.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(((await call) as { error: unknown }).error).toBeInstanceOf(PoolClosedError);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 30_000);

  test('a worker stopped while Redis is gone exits by itself once its grace period is over', async () => {
    const w = await startWorkerProcess(redis.url, ['--concurrency', '2', '--grace', '1500', ...STEADY]);
    started.push(w);
    const p = pool();
    void settled(p.apply(tasks.sleep, [30_000]));
    await w.waitFor(/job started .* job=a1 /);
    await redis.kill();
    // An exit code (not null: no signal) means the worker ended by itself.
    expect(await w.stop('SIGTERM', ORDERLY)).not.toBeNull();
    expect(w.lines.join('\n')).toMatch(/ stop forced .*Redis unreachable/);
  }, 60_000);

  test('a worker stopped while Redis is gone exits at once on a second signal, whatever its grace period', async () => {
    const w = await startWorkerProcess(redis.url, ['--concurrency', '2', '--grace', '600000', ...STEADY]);
    started.push(w);
    // Served a call: the worker is past its start.
    expect(await pool().apply(tasks.square, [2])).toBe(4);
    await redis.kill();
    w.child.kill('SIGTERM');
    await w.waitFor(/ stopping /);
    expect(await w.stop('SIGTERM', ORDERLY)).not.toBeNull();
    expect(w.lines.join('\n')).toMatch(/ stop forced .*second signal/);
  }, 60_000);

  test.each(['join', 'terminate'])(
    'a program whose Redis died ends as soon as %s() settles',
    async (how) => {
      await worker();
      const child = spawn(process.execPath, [LOST_REDIS, redis.url, how], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (text.includes('ready')) void redis.kill();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      const code = await new Promise((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      expect(stdout).toMatch(/ended/);
      expect(stdout).not.toMatch(/still alive/);
      expect(code).toBe(0);
      // At once: ioredis's disconnect timer (2 s) held it before.
      expect(Number(/lingered (\d+) ms/.exec(stdout)?.[1])).toBeLessThan(300);
    },
    60_000,
  );
});
