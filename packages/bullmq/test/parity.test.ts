/**
 * Interface parity: every case of `cases.ts` runs on the local `Pool` and on the BullMQ `Pool`
 * (one worker with a local pool of 2, started in this process with `startWorker()`), and both
 * must observe what it expects.
 */
import { Pool as LocalPool } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { type AnyPool, CASES, type Case } from './cases.js';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere } from './workers.js';

describe.skipIf(redisMissing)('the same cases on the local and the BullMQ Pool', () => {
  let redis: RedisServer;
  let worker: Awaited<ReturnType<typeof startWorkerHere>>;
  const shared: Record<string, AnyPool> = {};
  const makers: Record<string, () => AnyPool> = {
    local: () => new LocalPool({ processes: 2 }),
    bullmq: () => new Pool({ connection: redis.url, secret: SECRET, processes: 2 }) as unknown as AnyPool,
  };

  beforeAll(async () => {
    redis = await startRedis({ db: 1 });
    worker = await startWorkerHere(redis.url, { concurrency: 2 });
    shared.local = makers.local!();
    shared.bullmq = makers.bullmq!();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(shared).map((p) => p.terminate()));
    await worker?.handle.stop();
    await redis?.stop();
  }, 60_000);

  async function runOn(kind: string, c: Case): Promise<unknown> {
    if (!c.fresh) return c.run(shared[kind]!);
    const pool = makers[kind]!();
    try {
      return await c.run(pool);
    } finally {
      await pool.terminate();
    }
  }

  for (const c of CASES) {
    test(c.name, async () => {
      const local = await runOn('local', c);
      const bullmq = await runOn('bullmq', c);
      expect(bullmq).toEqual(local);
      if (!c.localGap) expect(local).toEqual(c.expected);
    }, 60_000);
  }
});
