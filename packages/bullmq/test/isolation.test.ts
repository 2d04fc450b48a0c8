/**
 * Pools on one Redis: two prefixes never see each other's jobs; two pools under one prefix each
 * get their own queue; `join()` leaves no key behind, and a stopped worker removes its own.
 * Also the pool's events and stats, `attempts`, and cancellation reaching the worker.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { ORDERLY, SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

describe.skipIf(redisMissing)('pools on one Redis', () => {
  let redis: RedisServer;
  let alpha: WorkerProcess;
  let beta: WorkerProcess;
  const pools: Pool[] = [];
  const pool = (prefix: string, options = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, prefix, ...options });
    pools.push(p);
    return p;
  };
  const keys = () => redis.client.keys('*');

  beforeAll(async () => {
    redis = await startRedis({ db: 4 });
    [alpha, beta] = await Promise.all([
      startWorkerProcess(redis.url, ['--prefix', 'alpha', '--concurrency', '1']),
      startWorkerProcess(redis.url, ['--prefix', 'beta', '--concurrency', '1']),
    ]);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  });
  afterAll(async () => {
    await Promise.all([alpha?.stop(), beta?.stop()]);
    await redis?.stop();
  });

  test('two prefixes do not see each other: each pool runs only on its own workers', async () => {
    const a = pool('alpha');
    const b = pool('beta');
    const [pidsA, pidsB] = await Promise.all([
      a.map(tasks.pid, Array.from({ length: 8 }), { chunksize: 1 }),
      b.map(tasks.pid, Array.from({ length: 8 }), { chunksize: 1 }),
    ]);
    expect(new Set(pidsA)).toEqual(new Set([alpha.pid]));
    expect(new Set(pidsB)).toEqual(new Set([beta.pid]));
    expect(a.keyPrefix).toMatch(/^alpha:pool-[0-9a-f]{12}:$/);
    expect(b.keyPrefix).toMatch(/^beta:pool-[0-9a-f]{12}:$/);
  }, 60_000);

  test('two pools under one prefix have their own queues and both complete', async () => {
    const [a, b] = [pool('alpha'), pool('alpha')];
    expect(a.keyPrefix).not.toBe(b.keyPrefix);
    const [x, y] = await Promise.all([
      a.map(tasks.square, [1, 2, 3]),
      b.starmap(tasks.add, [
        [4, 5],
        [6, 7],
      ]),
    ]);
    expect(x).toEqual([1, 4, 9]);
    expect(y).toEqual([9, 13]);
  }, 60_000);

  test('join() deletes every key of the pool; a stopped worker removes its own', async () => {
    const p = pool('alpha');
    await p.map(
      tasks.square,
      Array.from({ length: 200 }, (_, i) => i),
      { chunksize: 10 },
    );
    await p.apply(tasks.failAt, [3]).catch(() => {});
    expect((await keys()).some((k) => k.startsWith(p.keyPrefix))).toBe(true);
    p.close();
    await p.join();
    expect((await keys()).filter((k) => k.startsWith('alpha:')).sort()).toEqual(['alpha:workers']);
    const gamma = await startWorkerProcess(redis.url, ['--prefix', 'gamma', '--concurrency', '1']);
    expect(await keys()).toContain('gamma:workers');
    expect(await gamma.stop('SIGTERM', ORDERLY)).toBe(0);
    expect(await keys()).not.toContain('gamma:workers');
  }, 60_000);

  test('events: workerCreate, active, completed, failed, drain; stats count jobs', async () => {
    const p = pool('beta');
    const seen: string[] = [];
    for (const name of ['active', 'completed', 'failed', 'drain']) p.on(name, () => seen.push(name));
    // The pool's heartbeat (at most a second apart) reports the workers serving it.
    const created = once(p, 'workerCreate');
    await p.apply(tasks.square, [2]);
    await p.apply(tasks.failAt, [3]).catch(() => {});
    const [info] = await created;
    expect(info).toMatchObject({ pid: beta.pid, concurrency: 1 });
    expect(seen).toEqual(['active', 'drain', 'completed', 'active', 'drain', 'failed']);
    expect(p.stats()).toEqual({ workers: 1, starting: 0, busy: 0, queued: 0, completed: 1, failed: 1 });
    expect(p.workers.map((w) => w.pid)).toEqual([beta.pid]);
  }, 60_000);

  test('attempts: a task that fails once succeeds on its second attempt; with one attempt it fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-bullmq-flaky-'));
    try {
      expect(await pool('alpha', { attempts: 2 }).apply(tasks.flaky, [join(dir, 'a')])).toBe('second try');
      await alpha.waitFor(/ job retrying .* task=tasks#flaky .*first try fails/);
      await expect(pool('alpha').apply(tasks.flaky, [join(dir, 'b')])).rejects.toThrow('first try fails');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('an abort cancels the running job on its worker', async () => {
    const p = pool('beta');
    const controller = new AbortController();
    const started = once(p, 'active');
    const call = p.apply(tasks.sleep, [30_000], { signal: controller.signal });
    await started;
    controller.abort('enough');
    await expect(call).rejects.toMatchObject({ name: 'AbortError', cause: 'enough' });
    await beta.waitFor(/ job cancelled .* task=tasks#sleep by="its pool"/);
    expect(await p.apply(tasks.square, [3])).toBe(9);
  }, 60_000);
});
