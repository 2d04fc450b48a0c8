/**
 * The workers of one prefix load the same task modules: any of them takes the jobs of every pool of
 * the prefix, so a worker without a job's task would fail that call at random. A worker whose
 * tasks differ from a live worker's refuses to start at once, saying what to do, and the pools
 * whose jobs no worker serves then say so at once (MP_NO_WORKER); the entry of a worker killed just
 * now is waited out (its ttl, said in a status line), so a redeploy after a crash still starts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, TASKS, type WorkerProcess } from './workers.js';

const OTHER = new URL('./fixtures/other.mjs', import.meta.url).pathname;

describe.skipIf(redisMissing)('workers of one prefix on different task modules', () => {
  let redis: RedisServer;
  const started: WorkerProcess[] = [];
  const start = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const w = await startWorkerProcess(redis.url, args, env);
    started.push(w);
    return w;
  };

  beforeAll(async () => {
    redis = await startRedis({ db: 9 });
  }, 60_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
  }, 30_000);
  afterAll(() => redis?.stop());

  test('a worker loading other modules than a live one refuses to start, naming both sides', async () => {
    await start(['--prefix', 'split']);
    // Before: it started, and calls failed with UnknownTaskError whenever it took their job.
    const error = await start(['--prefix', 'split', '--tasks', OTHER]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const said = (error as Error).message;
    expect(said).toMatch(/the worker exited \(1\)/);
    expect(said).toMatch(
      /ValidationError: the workers of prefix 'split' on Redis at redis:\/\/.* load other task modules/,
    );
    expect(said).toMatch(/has tasks this one lacks \(tasks#add, .* \(and \d+ more\)\)/);
    expect(said).toMatch(/this one has tasks it lacks \(other#cube\)/);
    expect(said).toMatch(/same --tasks as the others .*\(--prefix/);
    // The same modules, and the other modules on another prefix, both start.
    await start(['--prefix', 'split', '--tasks', TASKS]);
    await start(['--prefix', 'apart', '--tasks', OTHER]);
    const pool = new Pool({ connection: redis.url, secret: SECRET, prefix: 'split' });
    try {
      expect(await pool.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 4, 9, 16]);
    } finally {
      await pool.terminate();
    }
  }, 180_000);

  test('the entry of a worker killed just now does not block a worker with other modules', async () => {
    const first = await start(['--prefix', 'redeploy', '--ttl', '40000']);
    await first.stop('SIGKILL');
    // (A --ttl of 40 s, not less: on a loaded machine the next worker's start alone can take longer
    // than 15 s (at load 40 in the full tier), and an entry already gone leaves nothing to wait for.)
    // Its entry lives on for its --ttl: the new worker waits that out, says so, then starts.
    const next = await start(['--prefix', 'redeploy', '--tasks', OTHER]);
    expect(
      next.lines.some((l) => / join waiting for=\S+ ms=\d+ why=".*has no connection to Redis/.test(l)),
    ).toBe(true);
    expect(next.lines.some((l) => / connected .*tasks=other#cube/.test(l))).toBe(true);
  }, 180_000);

  test("the refusal comes at once, not after the live worker's --ttl; a pool no worker serves says it at once", async () => {
    // A live worker with a long registration, holding another secret than the pool's: it serves
    // no pool of that secret, and keeps any worker with other modules out of the prefix.
    await start(['--prefix', 'held', '--ttl', '120000'], { MULTIPROC_SECRET: 'another-secret-0123456789' });
    // Its own warning would come after 2 minutes: one that comes sooner is the refusal's.
    const pool = new Pool({
      connection: redis.url,
      secret: SECRET,
      prefix: 'held',
      noWorkerWarning: 120_000,
    });
    const warned = new Promise<Error & { code?: string }>((resolve) => {
      const onWarning = (w: Error & { code?: string }) => {
        if (w.code !== 'MP_NO_WORKER') return;
        process.off('warning', onWarning);
        resolve(w);
      };
      process.on('warning', onWarning);
    });
    const call = pool.apply(tasks.square, [3], { timeout: 80_000 }).catch((e: unknown) => e);
    try {
      const began = performance.now();
      const error = await start(['--prefix', 'held', '--tasks', OTHER]).catch((e: unknown) => e as Error);
      const refusedMs = performance.now() - began;
      expect((error as Error).message).toMatch(/the worker exited \(1\).*load other task modules/s);
      // It used to wait out the live worker's entry (2 minutes here) before saying anything.
      expect(refusedMs).toBeLessThan(45_000);
      const warning = await warned;
      // Long before the pool's noWorkerWarning: at its next heartbeat, naming the refusal.
      expect(performance.now() - began).toBeLessThan(refusedMs + 10_000);
      expect(warning.message).toMatch(
        /no worker serves it: a multiproc-worker holding this pool's secret \(\S+\) refused to start with prefix 'held' .*load other task modules/,
      );
    } finally {
      await pool.terminate();
      await call;
    }
  }, 120_000);
});
