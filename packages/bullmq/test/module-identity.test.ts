/**
 * Two task modules with one file name (`tasks.mjs` and `sub/tasks.mjs`): a call of one must never
 * run the other's function of the same name on a worker that loaded only the other; `moduleNames`
 * takes a URL or an absolute path only.
 */
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@multiproc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool, UnknownTaskError, type WorkerHandle } from '../dist/index.js';
import { subTasks } from './fixtures/sub/tasks.mjs';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere, TASKS } from './workers.js';

const SUB_URL = new URL('./fixtures/sub/tasks.mjs', import.meta.url).href;

describe('moduleNames takes module URLs and absolute paths only', () => {
  test.each(['./fixtures/sub/tasks.mjs', 'sub/tasks.mjs', 'not a url', ''])('%s', (where) => {
    let thrown: unknown;
    try {
      new Pool({ secret: SECRET, moduleNames: { subt: where } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as Error).message).toMatch(/moduleNames\.subt.*import\.meta\.url/);
  });
});

describe.skipIf(redisMissing)('two task modules with one file name', () => {
  let redis: RedisServer;
  const workers: WorkerHandle[] = [];
  const pools: Pool[] = [];
  const pool = (prefix: string, options = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, prefix, ...options });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis({ db: 13 });
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  }, 30_000);
  afterAll(() => redis?.stop());

  test("a worker that loaded the other module refuses the call instead of running the other's function", async () => {
    const { handle } = await startWorkerHere(redis.url, { prefix: 'samename' });
    workers.push(handle);
    const p = pool('samename');
    const call = p.apply(subTasks.square, [3]);
    await expect(call).rejects.toBeInstanceOf(UnknownTaskError);
    await expect(call).rejects.toMatchObject({
      taskId: 'tasks#square',
      message: expect.stringMatching(/moduleNames/),
    });
    // The module the worker has still runs on another pool.
    expect(await pool('samename').apply(tasks.square, [3])).toBe(9);
  }, 60_000);

  test("a task the worker's module of that name lacks is refused with the moduleNames advice too", async () => {
    // sub/tasks.mjs's whoami: ../tasks.mjs, loaded as `tasks`, has no such task. Its fingerprint
    // tells the two modules apart, as for a task both define.
    const { handle } = await startWorkerHere(redis.url, { prefix: 'lacking' });
    workers.push(handle);
    const call = pool('lacking').apply(subTasks.whoami, []);
    await expect(call).rejects.toBeInstanceOf(UnknownTaskError);
    await expect(call).rejects.toMatchObject({
      taskId: 'tasks#whoami',
      message: expect.stringMatching(/is not the caller's.*moduleNames/),
    });
  }, 60_000);

  test("a worker that loaded the caller's module under another name says which moduleNames entry reaches it", async () => {
    const { handle } = await startWorkerHere(redis.url, {
      prefix: 'loadedas',
      tasks: [TASKS, `subt=${fileURLToPath(SUB_URL)}`],
    });
    workers.push(handle);
    const p = pool('loadedas');
    for (const task of [subTasks.whoami, subTasks.square]) {
      const call = p.apply(task as typeof subTasks.square, [3]);
      await expect(call).rejects.toBeInstanceOf(UnknownTaskError);
      await expect(call).rejects.toMatchObject({
        message: expect.stringMatching(/with the caller's tasks as 'subt'.*moduleNames: \{ subt: /),
      });
    }
  }, 60_000);

  test('named apart with moduleNames (a URL or an absolute path) and --tasks name=path, both run', async () => {
    const { handle } = await startWorkerHere(redis.url, {
      prefix: 'named',
      tasks: [TASKS, `subt=${fileURLToPath(SUB_URL)}`],
    });
    workers.push(handle);
    for (const where of [SUB_URL, fileURLToPath(SUB_URL)]) {
      const p = pool('named', { moduleNames: { subt: where } });
      expect(await p.apply(subTasks.square, [3])).toBe(-3);
      expect(await p.apply(tasks.square, [3])).toBe(9);
      expect(await p.map(subTasks.square, [1, 2])).toEqual([-1, -2]);
    }
  }, 60_000);
});
