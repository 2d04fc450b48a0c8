// Two calls in flight at once run on two workers: no call's chunk waits behind another call's on a
// busy worker while a worker of the pool is free (Python gives each task to a free worker). Each
// task notes its thread and blocks on a shared gate: the test sees where tasks run, not how long.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from '@multiproc/core';
import { afterEach, expect, it } from 'vitest';
import { occupancyTasks as t } from './fixtures/occupancy-tasks.ts';

const pools: Array<{ pool: Pool; words: Int32Array }> = [];
afterEach(async () => {
  for (const { words } of pools) {
    Atomics.store(words, 1, 1);
    Atomics.notify(words, 1);
  }
  await Promise.all(pools.splice(0).map(({ pool }) => pool.terminate()));
});

/**
 * A thread pool of 2 whose workers are both started and one of them has run a task (it has a side
 * lane, the other not yet): the state in which two calls used to share one worker.
 */
async function pool2(): Promise<{ pool: Pool; words: Int32Array }> {
  const shared = new SharedArrayBuffer(4 * 8);
  const words = new Int32Array(shared);
  const pool = new Pool({ processes: 2, context: 'thread', initializer: t.keepGate, initargs: [shared] });
  const entry = { pool, words };
  pools.push(entry);
  await pool.apply(t.where, [0]);
  return entry;
}

/** Resolves with the threads of the first `n` tasks started, or fails after `ms` (generous bound). */
async function started(words: Int32Array, n: number, ms = 15_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (Atomics.load(words, 0) < n) {
    if (Date.now() > deadline) throw new Error(`only ${Atomics.load(words, 0)} of ${n} tasks started`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Array.from({ length: n }, (_, i) => Atomics.load(words, 2 + i));
}

function open(words: Int32Array): void {
  Atomics.store(words, 1, 1);
  Atomics.notify(words, 1);
}

it('two concurrent map calls run on both workers at once', async () => {
  const { pool, words } = await pool2();
  const calls = [pool.map(t.occupy, [1]), pool.map(t.occupy, [2])];
  const threads = await started(words, 2);
  expect(new Set(threads).size).toBe(2);
  open(words);
  expect((await Promise.all(calls)).flat().sort()).toEqual([...threads].sort());
}, 30_000);

it('two concurrent imap and imapUnordered calls run on both workers at once', async () => {
  const { pool, words } = await pool2();
  const drain = async (it: AsyncIterable<unknown>) => {
    const out: unknown[] = [];
    for await (const v of it) out.push(v);
    return out;
  };
  const calls = [drain(pool.imap(t.occupy, [1], { chunksize: 1 })), drain(pool.imapUnordered(t.occupy, [2]))];
  expect(new Set(await started(words, 2)).size).toBe(2);
  open(words);
  expect((await Promise.all(calls)).flat()).toHaveLength(2);
}, 30_000);

it('an apply made while a map call occupies one worker runs on the other', async () => {
  const { pool, words } = await pool2();
  const map = pool.map(t.occupy, [1]);
  await started(words, 1);
  const apply = pool.apply(t.occupy, [2]);
  const threads = await started(words, 2);
  expect(threads[1]).not.toBe(threads[0]);
  open(words);
  expect(await apply).toBe(threads[1]);
  expect(await map).toEqual([threads[0]]);
}, 30_000);

it('a starmap made while a map call occupies one worker runs on the other', async () => {
  const { pool, words } = await pool2();
  const map = pool.map(t.occupy, [1]);
  await started(words, 1);
  const star = pool.starmap(t.occupy, [[2]]);
  const threads = await started(words, 2);
  expect(threads[1]).not.toBe(threads[0]);
  open(words);
  expect(await star).toEqual([threads[1]]);
  await map;
}, 30_000);

it('process context: concurrent map and starmap calls run on both workers at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'occupancy-'));
  const pool = new Pool({ processes: 2, context: 'process' });
  try {
    await pool.apply(t.where, [0]);
    const pidsStarted = async (n: number): Promise<number[]> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const files = readdirSync(dir).filter((f) => f.endsWith('.started'));
        if (files.length >= n) return files.sort().map((f) => Number(readFileSync(join(dir, f), 'utf8')));
        if (Date.now() > deadline) throw new Error(`only ${files.length} of ${n} tasks started`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const maps = [pool.map(t.occupyIn, [dir], { chunksize: 1 }), pool.starmap(t.occupyIn, [[dir, 'b']])];
    expect(new Set(await pidsStarted(2)).size).toBe(2);
    writeFileSync(join(dir, 'open'), '');
    await Promise.all(maps);
  } finally {
    writeFileSync(join(dir, 'open'), '');
    await pool.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
