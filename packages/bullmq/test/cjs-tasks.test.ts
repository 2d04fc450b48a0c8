/**
 * A TypeScript task module in a `"type": "commonjs"` package (what `npm init -y` writes): under tsx
 * on Node 20 it loads as CommonJS, its namespace `{ default: module.exports }`, and the worker still
 * finds and serves its tasks (on Node 22 and 24 as well).
 */
import { fileURLToPath } from 'node:url';
import type { TaskRef } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

const CJS_URL = new URL('./fixtures/cjs-pkg/tasks.ts', import.meta.url);
const CJS_TASKS = fileURLToPath(CJS_URL);
// Imported by URL: the fixture is left out of the type check (ESM syntax in a CommonJS scope).
const { tasks } = (await import(/* @vite-ignore */ CJS_URL.href)) as {
  tasks: { square: TaskRef<(x: number) => number>; words: TaskRef<(line: string) => number> };
};

describe.skipIf(redisMissing)('a task module in a CommonJS package scope', () => {
  let redis: RedisServer;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    redis = await startRedis({ db: 12 });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await redis?.stop();
  });

  test('multiproc-worker --tasks ./tasks.ts serves the tasks it exports', async () => {
    worker = await startWorkerProcess(redis.url, ['--tasks', CJS_TASKS, '--concurrency', '1']);
    expect(worker.lines.find((l) => / connected /.test(l))).toMatch(/ tasks=tasks#square,tasks#words$/);
    const pool = new Pool({ connection: redis.url, secret: SECRET });
    try {
      expect(await pool.apply(tasks.square, [7])).toBe(49);
      expect(await pool.map(tasks.words, ['a b', 'c d e'])).toEqual([2, 3]);
    } finally {
      await pool.terminate();
    }
  }, 60_000);
});
