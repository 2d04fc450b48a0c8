/**
 * The setup of a describe block whose tests each make their own Pool of two processes: one Redis
 * server (on database `db`) and one worker in the test process for the whole block, and every Pool
 * a test made terminated after it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Pool } from '../dist/index.js';
import { type RedisServer, startRedis } from './redis.js';
import { SECRET, startWorkerHere } from './workers.js';

/** Registers the block's hooks (call it in the describe callback); returns its `makePool()`. */
export function poolsOnRedis(db: number): () => Pool {
  let redis: RedisServer;
  let worker: Awaited<ReturnType<typeof startWorkerHere>>;
  const pools: Pool[] = [];

  beforeAll(async () => {
    redis = await startRedis({ db });
    worker = await startWorkerHere(redis.url, { concurrency: 2 });
  }, 60_000);
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  }, 30_000);
  afterAll(async () => {
    await worker?.handle.stop();
    await redis?.stop();
  }, 30_000);

  return () => {
    const pool = new Pool({ connection: redis.url, secret: SECRET, processes: 2 });
    pools.push(pool);
    return pool;
  };
}
