// A thread runs a batch that is one big map chunk of numbers (4096 items or more, its task loaded,
// its pool's initializer done) without an async step, and sends the results back on its slot's
// port (issue 18). These check that this path keeps every Pool semantic of the general one.

import { Pool } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, expect, it } from 'vitest';
import { numberTasks } from './fixtures/number-batch-tasks.ts';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

function* numbers(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function collect<T>(results: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of results) out.push(value);
  return out;
}

const CHUNK = { chunksize: 4096 };

it('ends at the item that throws, with the results before it', async () => {
  const pool = new Pool({ processes: 2 });
  pools.push(pool);
  const got: number[] = [];
  const error = await (async () => {
    for await (const v of pool.imap(numberTasks.throwAt, numbers(20_000), CHUNK)) got.push(v as number);
  })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RangeError);
  expect((error as { taskIndex?: number }).taskIndex).toBe(5000);
  expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => -i));
}, 30_000);

it('runs after the initializer, with what it set', async () => {
  const pool = new Pool({ processes: 2, initializer: numberTasks.setOffset, initargs: [0.5] });
  pools.push(pool);
  const got = await collect(pool.imap(numberTasks.plusOffset, numbers(5 * 4096), CHUNK));
  expect(got).toEqual(Array.from({ length: 5 * 4096 }, (_, i) => i + 0.5));
}, 30_000);

it('retires a worker after maxTasksPerChild chunks, results intact', async () => {
  const pool = new Pool({ processes: 2, maxTasksPerChild: 2 });
  pools.push(pool);
  const started: number[] = [];
  pool.on('workerCreate', (info) => started.push(info.id));
  const got = await collect(pool.imap(numberTasks.plusOffset, numbers(9 * 4096), CHUNK));
  expect(got).toHaveLength(9 * 4096);
  expect(got.every((v) => Number.isNaN(v))).toBe(true); // no initializer: offset is NaN
  // 9 chunks, at most 2 a worker: at least 5 workers ran them.
  expect(started.length).toBeGreaterThanOrEqual(5);
}, 30_000);

it('delivers what a chunk of numbers put on a queue the worker holds, before its results', async () => {
  const q = new Queue<number>();
  const pool = new Pool({ processes: 1 });
  pools.push(pool);
  // The worker keeps its copy of the queue: flushing it is due after each chunk.
  await pool.apply(numberTasks.keepQueue, [q]);
  const got = await collect(pool.imap(numberTasks.doubleAndReport, numbers(4 * 4096), CHUNK));
  expect(got).toEqual(Array.from({ length: 4 * 4096 }, (_, i) => 2 * i));
  const put: number[] = [];
  for (let i = 0; i < 4; i++) put.push(q.getNowait());
  expect(put).toEqual([0, 4096, 8192, 12288]);
  q.close();
}, 30_000);
