// How map-style calls spread work over the workers (issue 18, part 2): results in input order must
// not hold back the work behind them.
import { Pool } from '@multiproc/core';
import { afterEach, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

it('map keeps every worker busy while one slow item holds up the results in order', async () => {
  const pool = new Pool({ processes: 2, context: 'thread' });
  pools.push(pool);
  await pool.map(tasks.square, [1, 2]); // both workers started
  // One 2 s item, then ten 50 ms items, one per chunk: the other worker runs all ten while the slow
  // one sleeps. Each item counts itself as started; the slow one reports how many had started by
  // its end. It used to be 8 (2 workers x 4 chunks ahead of the oldest unfinished one).
  const counter = new SharedArrayBuffer(4);
  const args: Array<[SharedArrayBuffer, number]> = [
    [counter, 2000],
    ...Array.from({ length: 10 }, () => [counter, 50] as [SharedArrayBuffer, number]),
  ];
  const started = await pool.starmap(tasks.countStarted, args, { chunksize: 1 });
  expect(started).toHaveLength(11);
  expect(started[0]).toBe(11);
}, 30_000);

it('map over a slow async input returns every result, though chunks finish before the next is read', async () => {
  const pool = new Pool({ processes: 2, context: 'thread' });
  pools.push(pool);
  async function* slowly() {
    for (let i = 0; i < 12; i++) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      yield i;
    }
  }
  expect(await pool.map(tasks.square, slowly(), { chunksize: 1 })).toEqual(
    Array.from({ length: 12 }, (_, i) => i * i),
  );
}, 30_000);
