/**
 * The set-up a describe block on Redis shares: a Redis server of its own (or a database of
 * `REDIS_URL`, see `redis.ts`), started before the block and stopped after it, and `pool()`
 * making Pools on it with the test workers' secret, each terminated after the test that made it
 * (what a block made outside a test, in `beforeAll`, after the block).
 *
 * Call it first in the describe callback: vitest runs `afterAll` hooks in reverse order, so the
 * block's own (stopping its workers, say) run before the pools are terminated and Redis stops.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { Pool, type PoolOptions } from '../dist/index.js';
import { type RedisOptions, type RedisServer, startRedis } from './redis.js';
import { SECRET } from './workers.js';

export interface RedisPools {
  /** The block's Redis (set once `beforeAll` has run). */
  readonly redis: RedisServer;
  /** A Pool on the block's Redis with the workers' secret; `options` go on top. */
  pool(options?: PoolOptions): Pool;
}

export function useRedisPools(options: RedisOptions = {}): RedisPools {
  let redis: RedisServer | undefined;
  let inTest = false;
  const ofTest: Pool[] = [];
  const ofBlock: Pool[] = [];
  const terminate = (pools: Pool[]) => Promise.all(pools.splice(0).map((p) => p.terminate()));

  beforeAll(async () => {
    redis = await startRedis(options);
  }, 60_000);
  beforeEach(() => {
    inTest = true;
  });
  // A test's pools are the ones made between its start and its end (its own hooks included).
  afterEach(async () => {
    inTest = false;
    await terminate(ofTest);
  }, 30_000);
  afterAll(async () => {
    await terminate(ofTest);
    await terminate(ofBlock);
    await redis?.stop();
  }, 30_000);
  return {
    get redis() {
      if (!redis) throw new Error('useRedisPools(): Redis is started in beforeAll, use it in a test');
      return redis;
    },
    pool(poolOptions = {}) {
      const p = new Pool({ connection: this.redis.url, secret: SECRET, ...poolOptions });
      (inTest ? ofTest : ofBlock).push(p);
      return p;
    },
  };
}
