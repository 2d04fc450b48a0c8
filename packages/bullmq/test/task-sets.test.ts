/**
 * Two task modules bundled into one client file share that file's URL. Jobs carried the
 * fingerprint of every task of that URL, which matched no worker's module: neither a worker that
 * loads the two source modules, nor one that loads the bundle itself (where the bundle registers
 * more tasks in the worker). A job now carries the fingerprint of its task's own defineTasks()
 * call, and moduleNames takes the object a call returned, to name each set apart.
 */
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@multiproc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool, type WorkerHandle } from '../dist/index.js';
import { setA, setB } from './fixtures/task-sets/bundle.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere } from './workers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/task-sets/${name}`, import.meta.url));

test('moduleNames refuses an object that defineTasks() did not return', () => {
  expect(() => new Pool({ secret: SECRET, moduleNames: { a: { squareA: 1 } as never } })).toThrow(
    ValidationError,
  );
});

describe.skipIf(redisMissing)('two task sets bundled into one file', () => {
  let redis: RedisServer;
  const workers: WorkerHandle[] = [];
  const pools: Pool[] = [];
  const pool = (prefix: string, options = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, prefix, ...options });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis({ db: 12 });
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  }, 30_000);
  afterAll(() => redis?.stop());

  test('run on a worker that loads the same bundle', async () => {
    const { handle } = await startWorkerHere(redis.url, {
      prefix: 'setsbundle',
      tasks: [fixture('bundle.mjs')],
    });
    workers.push(handle);
    const p = pool('setsbundle');
    expect(await p.apply(setA.squareA, [3])).toBe(9);
    expect(await p.map(setB.cubeB, [1, 2])).toEqual([1, 8]);
  }, 60_000);

  test('run on a worker that loads the two source modules, each set named by moduleNames', async () => {
    const { handle } = await startWorkerHere(redis.url, {
      prefix: 'setssource',
      tasks: [fixture('set-a.mjs'), fixture('set-b.mjs')],
    });
    workers.push(handle);
    const p = pool('setssource', { moduleNames: { 'set-a': setA, 'set-b': setB.cubeB } });
    expect(await p.apply(setA.squareA, [3])).toBe(9);
    expect(await p.map(setB.cubeB, [1, 2])).toEqual([1, 8]);
  }, 60_000);
});
