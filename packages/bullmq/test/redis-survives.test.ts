/**
 * What the pool survives of Redis, as the guide promises: a Redis restarted with its data
 * (`appendonly yes`), every connection cut at once (a blip, a proxy restart), and a Redis frozen
 * for a few seconds (a stall shorter than `connectTimeout`). The calls under way, and those made
 * meanwhile, complete with their results, and later calls too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

// Slow failure detection: nothing here kills a worker, and a loaded machine must not make BullMQ
// take a running job back as stalled.
const STEADY = ['--lock-duration', '15000', '--stalled-interval', '5000', '--ttl', '15000'];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const squares = (n: number) => range(n).map((x) => x * x);
/** A status line of the worker about a job of pool `p` running `task`. */
const started = (p: Pool, task: string) =>
  new RegExp(` job started pool=${p.keyPrefix.split(':')[1]} .* task=tasks#${task} `);
const settled = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (error: Error) => ({ error: `${error.name}: ${error.message}` }),
  );

// A shared REDIS_URL server cannot be restarted or frozen by a test.
describe.skipIf(redisMissing || process.env.REDIS_URL)('Redis trouble a pool survives', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  const pools: Pool[] = [];
  const pool = () => {
    const p = new Pool({ connection: redis.url, secret: SECRET });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis({ persistent: true });
    worker = await startWorkerProcess(redis.url, ['--concurrency', '2', ...STEADY]);
  }, 60_000);
  afterEach(async () => {
    redis?.thaw();
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  }, 60_000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await redis?.stop();
  }, 30_000);

  test('restarted with its data mid-map: the map, a job running across it and calls made while it was down complete', {
    timeout: 60_000,
  }, async () => {
    const p = pool();
    expect(await p.apply(tasks.square, [2])).toBe(4);
    const map = settled(
      p.starmap(
        tasks.slowSquare,
        range(20).map((x) => [x, 50]),
        { chunksize: 1 },
      ),
    );
    const across = settled(p.apply(tasks.sleep, [1500]));
    await worker.waitFor(started(p, 'sleep'));
    await redis.kill();
    const whileDown = settled(p.map(tasks.square, range(5)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.restart();
    expect(await map).toEqual({ value: squares(20) });
    expect(await across).toEqual({ value: 1500 });
    expect(await whileDown).toEqual({ value: squares(5) });
    expect(await p.apply(tasks.square, [3])).toBe(9);
  });

  test('every connection cut at once mid-map (a blip): the calls complete', { timeout: 60_000 }, async () => {
    const p = pool();
    const map = settled(
      p.starmap(
        tasks.slowSquare,
        range(40).map((x) => [x, 20]),
        { chunksize: 1 },
      ),
    );
    const one = settled(p.apply(tasks.sleep, [800]));
    await worker.waitFor(started(p, 'sleep'));
    // The pool's and the worker's connections alike; Redis keeps its data.
    await redis.client.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    expect(await map).toEqual({ value: squares(40) });
    expect(await one).toEqual({ value: 800 });
    expect(await p.apply(tasks.square, [5])).toBe(25);
  });

  test('frozen for 2 s mid-map (shorter than connectTimeout): the calls complete', {
    timeout: 60_000,
  }, async () => {
    const p = pool();
    const map = settled(
      p.starmap(
        tasks.slowSquare,
        range(40).map((x) => [x, 20]),
        { chunksize: 1 },
      ),
    );
    await worker.waitFor(started(p, 'slowSquare'));
    redis.freeze();
    const whileFrozen = settled(p.apply(tasks.square, [6]));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    redis.thaw();
    expect(await map).toEqual({ value: squares(40) });
    expect(await whileFrozen).toEqual({ value: 36 });
  });
});
