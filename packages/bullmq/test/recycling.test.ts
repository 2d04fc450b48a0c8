/**
 * `--max-tasks-per-child K` recycles a local worker after K of the user's tasks, as the local
 * Pool's `maxTasksPerChild` does: the worker's start-up probe (which imports the task modules to
 * list their tasks) is not one of them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess } from './workers.js';

describe.skipIf(redisMissing)('--max-tasks-per-child', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis({ db: 15 });
  }, 60_000);
  afterAll(() => redis?.stop());

  for (const context of matrix(import.meta.url)) {
    test(`K=2 (${context}): the first local worker runs two tasks, as every later one`, async () => {
      const w = await startWorkerProcess(redis.url, [
        '--concurrency',
        '1',
        '--context',
        context,
        '--max-tasks-per-child',
        '2',
        '--prefix',
        `mtpc-${context}`,
      ]);
      const pool = new Pool({ connection: redis.url, secret: SECRET, prefix: `mtpc-${context}` });
      try {
        const seen: string[] = [];
        for (let i = 0; i < 6; i++) seen.push(await pool.apply(tasks.where, []));
        // The local Pool({ processes: 1, maxTasksPerChild: 2 }) gives a, a, b, b, c, c.
        expect(new Set(seen).size).toBe(3);
        expect([seen[0] === seen[1], seen[2] === seen[3], seen[4] === seen[5]]).toEqual([true, true, true]);
      } finally {
        await pool.terminate();
        await w.stop();
      }
    }, 60_000);
  }
});
