/**
 * The workers of one prefix load the same task modules: any of them takes the jobs of every pool of
 * the prefix, so a worker without a job's task would fail that call at random. A worker whose
 * tasks differ from a live worker's refuses to start, saying what to do; the entry of a worker
 * killed just now is waited out (its ttl), so a redeploy after a crash still starts.
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
  const start = async (args: string[]) => {
    const w = await startWorkerProcess(redis.url, args);
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
  }, 90_000);

  test('the entry of a worker killed just now does not block a worker with other modules', async () => {
    const first = await start(['--prefix', 'redeploy']);
    await first.stop('SIGKILL');
    // Its entry lives on for its --ttl (1500 ms): the new worker waits that out, then starts.
    const next = await start(['--prefix', 'redeploy', '--tasks', OTHER]);
    expect(next.lines.some((l) => / connected .*tasks=other#cube/.test(l))).toBe(true);
  }, 60_000);
});
