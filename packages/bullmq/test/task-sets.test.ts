/**
 * Two task modules bundled into one client file share that file's URL. Jobs carried the
 * fingerprint of every task of that URL, which matched no worker's module: neither a worker that
 * loads the two source modules, nor one that loads the bundle itself (where the bundle registers
 * more tasks in the worker). A job now carries the fingerprint of its task's own defineTasks()
 * call, and moduleNames takes the object a call returned, to name each set apart.
 */
import { fileURLToPath } from 'node:url';
import { Pool as LocalPool, type TaskRef, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, test } from 'vitest';
import { Pool, type PoolOptions, type WorkerHandle } from '../dist/index.js';
import { setA, setB } from './fixtures/task-sets/bundle.mjs';
import { setA as sourceA } from './fixtures/task-sets/set-a.mjs';
import { setB as sourceB } from './fixtures/task-sets/set-b.mjs';
import { first, second } from './fixtures/task-sets/two-calls.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { SECRET, startWorkerHere } from './workers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/task-sets/${name}`, import.meta.url));

test('moduleNames refuses an object that defineTasks() did not return', () => {
  expect(() => new Pool({ secret: SECRET, moduleNames: { a: { squareA: 1 } as never } })).toThrow(
    ValidationError,
  );
});

describe.skipIf(redisMissing)('two task sets bundled into one file', () => {
  const block = useRedisPools({ db: 12 });
  const workers: WorkerHandle[] = [];
  const pool = (prefix: string, options: PoolOptions = {}) => block.pool({ prefix, ...options });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  }, 30_000);

  test('run on a worker that loads the same bundle', async () => {
    const { handle } = await startWorkerHere(block.redis.url, {
      prefix: 'setsbundle',
      tasks: [fixture('bundle.mjs')],
    });
    workers.push(handle);
    const p = pool('setsbundle');
    expect(await p.apply(setA.squareA, [3])).toBe(9);
    expect(await p.map(setB.cubeB, [1, 2])).toEqual([1, 8]);
  }, 60_000);

  test('run on a worker that loads the two source modules, each set named by moduleNames', async () => {
    const { handle } = await startWorkerHere(block.redis.url, {
      prefix: 'setssource',
      tasks: [fixture('set-a.mjs'), fixture('set-b.mjs')],
    });
    workers.push(handle);
    // Unnamed, a set of the bundle is 'bundle': the worker's refusal gives the entry that names it.
    await expect(pool('setssource').apply(setA.squareA, [3])).rejects.toMatchObject({
      name: 'UnknownTaskError',
      message: expect.stringMatching(
        /moduleNames: \{ 'set-a': new URL.*defineTasks\(\) call returned: \{ 'set-a': tasks \}/,
      ),
    });
    const p = pool('setssource', { moduleNames: { 'set-a': setA, 'set-b': setB.cubeB } });
    expect(await p.apply(setA.squareA, [3])).toBe(9);
    expect(await p.map(setB.cubeB, [1, 2])).toEqual([1, 8]);
    // A reference decoded here (another object) is named by its call too, as the one it copies.
    const local = new LocalPool({ processes: 1 });
    try {
      const square = (await local.apply(first.echoT, [setA.squareA])) as TaskRef<(x: number) => number>;
      expect(square).not.toBe(setA.squareA);
      expect(await p.apply(square, [5])).toBe(25);
    } finally {
      await local.terminate();
    }
  }, 60_000);

  test("a worker that loads the bundle under each source module's name serves a client of the sources", async () => {
    const { handle } = await startWorkerHere(block.redis.url, {
      prefix: 'setsbundled',
      tasks: [`set-a=${fixture('bundle.mjs')}`, `set-b=${fixture('bundle.mjs')}`],
    });
    workers.push(handle);
    const p = pool('setsbundled');
    expect(await p.apply(sourceA.squareA, [3])).toBe(9);
    expect(await p.map(sourceB.cubeB, [1, 2])).toEqual([1, 8]);
  }, 60_000);

  test('a module of two defineTasks() calls runs references decoded here, and jobs of an older pool', async () => {
    // A reference received from elsewhere (a call's result, a queue) is another object than the
    // one its defineTasks() call returned: its job carried the fingerprint of its module's tasks
    // (as every job of a pool older than task sets does), which the worker, reading its call's,
    // refused as another module's (UnknownTaskError) though both sides load the same file.
    const { handle } = await startWorkerHere(block.redis.url, {
      prefix: 'setstwo',
      tasks: [fixture('two-calls.mjs')],
    });
    workers.push(handle);
    const p = pool('setstwo');
    expect(await p.apply(first.squareT, [3])).toBe(9);
    expect(await p.apply(second.cubeT, [2])).toBe(8);
    // A local pool's worker thread gives the references back: decoded here, they are new objects.
    const local = new LocalPool({ processes: 1 });
    let square: TaskRef<(x: number) => number>;
    let cube: TaskRef<(x: number) => number>;
    try {
      square = (await local.apply(first.echoT, [first.squareT])) as TaskRef<(x: number) => number>;
      cube = (await local.apply(first.echoT, [second.cubeT])) as TaskRef<(x: number) => number>;
    } finally {
      await local.terminate();
    }
    expect(square).not.toBe(first.squareT);
    expect(await p.apply(square, [4])).toBe(16);
    expect(await p.map(cube, [1, 3])).toEqual([1, 27]);
    // A pool that knows no call for them (as one older than task sets): the module's fingerprint.
    const byName = (globalThis as Record<symbol, Map<string, unknown>>)[
      Symbol.for('multiproc.taskSetsByName')
    ]!;
    const kept = new Map(byName);
    byName.clear();
    try {
      expect(await p.apply(square, [5])).toBe(25);
      expect(await p.map(cube, [2])).toEqual([8]);
    } finally {
      for (const [k, v] of kept) byName.set(k, v);
    }
  }, 60_000);
});
