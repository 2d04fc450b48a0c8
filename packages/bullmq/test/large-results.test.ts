/**
 * What a pool leaves in Redis and how results come back: a large result travels in a key of its
 * own (read once, then deleted), not in the queue's event stream; events read are trimmed from
 * the stream, so Redis holds only what is in flight; a Redis out of memory is a named error; a
 * worker whose heartbeat came late (and was pruned from its pool's attached set) attaches again,
 * so the pool does not warn that no worker serves it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool, RedisConnectionError } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(redisMissing)('results and events in Redis', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  const warnings: Array<Error & { code?: string }> = [];
  const onWarning = (w: Error) => warnings.push(w);
  const pools: Pool[] = [];
  const pool = (options: ConstructorParameters<typeof Pool>[0] = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, ...options });
    pools.push(p);
    return p;
  };
  const eventsKey = (p: Pool) => `${p.keyPrefix}events`;

  beforeAll(async () => {
    redis = await startRedis({ db: 8 });
    // The default lock (30 s): a local worker handing over tens of MiB blocks the worker's event
    // loop for a while on a loaded machine, and FAST's 1 s lock would lapse meanwhile.
    worker = await startWorkerProcess(redis.url, ['--concurrency', '1', '--lock-duration', '30000']);
    process.on('warning', onWarning);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
    warnings.length = 0;
  }, 30_000);
  afterAll(async () => {
    process.off('warning', onWarning);
    await worker?.stop('SIGKILL');
    await redis?.stop();
  });

  test('a 20 MiB result comes back in a key of its own, deleted once read; the stream stays small', async () => {
    // A worker serves the pool throughout, so the warning must stay silent; 15 s, not 2: under
    // CI's load a worker once took over 2 s to take the job.
    const p = pool({ noWorkerWarning: 15_000 });
    const value = await p.apply(tasks.big, [20], { timeout: 120_000 });
    expect(value.length).toBe(20 * 1024 * 1024);
    expect(await redis.client.keys(`${p.keyPrefix}result:*`)).toEqual([]);
    // Before: the 27 MB of base64 stayed in the stream's `completed` entry until join().
    const bytes = Number(await redis.client.memory('USAGE', eventsKey(p)));
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(warnings.filter((w) => w.code === 'MP_NO_WORKER')).toEqual([]);
  }, 150_000);

  test('events read are trimmed: after 200 jobs the stream holds a handful of entries', async () => {
    const p = pool();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => p.apply(tasks.square, [i])));
    expect(results[199]).toBe(199 * 199);
    // Trims are batched (one 200 ms after a read): wait for the last one.
    let length = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 50 && length > 20; i++) {
      await sleep(100);
      length = await redis.client.xlen(eventsKey(p));
    }
    // Before: every event of the 200 jobs (added, waiting, active, completed...) stayed: > 600.
    expect(length).toBeLessThanOrEqual(20);
  }, 60_000);

  test.skipIf(process.env.REDIS_URL)(
    'Redis out of memory (noeviction): the call rejects with RedisConnectionError saying what to do',
    async () => {
      const p = pool();
      expect(await p.apply(tasks.square, [3])).toBe(9);
      const used = Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))![1]);
      await redis.client.config('SET', 'maxmemory-policy', 'noeviction');
      await redis.client.config('SET', 'maxmemory', String(used + 512 * 1024));
      try {
        const error = await p.apply(tasks.echo, ['x'.repeat(4 * 1024 * 1024)]).catch((e: unknown) => e);
        // Before: ioredis's ReplyError ("OOM command not allowed ...").
        expect(error).toBeInstanceOf(RedisConnectionError);
        expect((error as Error).message).toMatch(/out of memory .*Raise its maxmemory/);
        expect((error as Error & { cause: Error }).cause.message).toMatch(/^OOM /);
      } finally {
        await redis.client.config('SET', 'maxmemory', '0');
      }
      expect(await p.apply(tasks.square, [4])).toBe(16);
    },
    60_000,
  );

  test('a worker frozen past its ttl attaches again: no MP_NO_WORKER warning while it serves', async () => {
    // Its own worker: --ttl 1500, a lock long enough not to stall while frozen.
    const w = await startWorkerProcess(redis.url, ['--prefix', 'late', '--lock-duration', '20000']);
    try {
      const p = pool({ prefix: 'late', noWorkerWarning: 3000 });
      expect(await p.apply(tasks.square, [2])).toBe(4);
      const call = p.apply(tasks.sleep, [7000]);
      await w.waitFor(/job started .*task=tasks#sleep/);
      w.child.kill('SIGSTOP');
      // Past its ttl: the pool's heartbeat prunes it from the attached set.
      await sleep(2500);
      w.child.kill('SIGCONT');
      expect(await call).toBe(7000);
      // Before: the worker only refreshed an entry still present, so it stayed pruned and the pool
      // warned "no multiproc-worker is running" 3 s later, while that worker ran its job.
      expect(warnings.filter((x) => x.code === 'MP_NO_WORKER')).toEqual([]);
    } finally {
      await w.stop('SIGKILL');
    }
  }, 60_000);
});
