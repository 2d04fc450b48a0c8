// How map-style calls spread work over the workers (issue 18, part 2): results in input order must
// not hold back the work behind them.
import { Pool } from '@multiproc/core';
import { afterEach, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { FULL_TESTS } from './helpers.ts';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

/** A thread pool of 2 (ended after the test); `warm`: both workers started by a first call. */
async function pool2(warm: boolean): Promise<Pool> {
  const pool = new Pool({ processes: 2, context: 'thread' });
  pools.push(pool);
  if (warm) await pool.map(tasks.square, [1, 2]);
  return pool;
}

it('map keeps every worker busy while one slow item holds up the results in order', async () => {
  const pool = await pool2(true);
  // One slow item, then ten 50 ms items, one per chunk: the other worker runs all ten while the slow
  // one waits. Each item counts itself as started; the slow one waits for all 11 to have started
  // (10 s at most) and reports how many had. It used to be 8 (2 workers x 4 chunks ahead of the
  // oldest unfinished one); a slow item of a fixed 2 s also saw 8 once under a load of 20.
  const counter = new SharedArrayBuffer(4);
  const args: Array<[SharedArrayBuffer, number, number?]> = [
    [counter, 10_000, 11],
    ...Array.from({ length: 10 }, () => [counter, 50] as [SharedArrayBuffer, number]),
  ];
  const started = await pool.starmap(tasks.countStarted, args, { chunksize: 1 });
  expect(started).toHaveLength(11);
  expect(started[0]).toBe(11);
}, 30_000);

it('map over a slow async input returns every result, though chunks finish before the next is read', async () => {
  const pool = await pool2(false);
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

/** `meet` arguments: a shared counter block, busy `ms`, then wait for cell `index` to reach `need`. */
const meetArgs = (cells: SharedArrayBuffer, ms: number, index: number, need: number) =>
  [cells, ms, index, need, 15_000] as [SharedArrayBuffer, number, number, number, number];

it("a generator's first items go to every worker, not in one chunk", async () => {
  const pool = await pool2(true);
  // Each item waits until two items have started: with the first items in one chunk, the first
  // would wait alone until its timeout and report 1.
  const cells = new SharedArrayBuffer(8);
  function* items() {
    for (let i = 0; i < 8; i++) yield meetArgs(cells, 0, 0, 2);
  }
  const started = await pool.starmap(tasks.meet, items());
  expect(started[0]).toBeGreaterThanOrEqual(2);
}, 30_000);

it('the automatic chunk size puts two slow items at the end of an array on both workers', async () => {
  const pool = await pool2(true);
  // Fourteen 20 ms items, then two that each wait until all sixteen have started. Python's size,
  // ceil(16 / 8) = 2, puts the last two in one chunk: the first of them would time out at 15.
  const cells = new SharedArrayBuffer(8);
  const args = [
    ...Array.from({ length: 14 }, () => meetArgs(cells, 20, 0, 0)),
    meetArgs(cells, 0, 0, 16),
    meetArgs(cells, 0, 0, 16),
  ];
  const started = await pool.starmap(tasks.meet, args);
  expect(started.slice(14)).toEqual([16, 16]);
}, 30_000);

it('map reports progress as chunks finish, not only as results reach the caller in order', async () => {
  const pool = await pool2(true);
  // The first item waits until the progress the caller was told (cell 1) reaches 10: it can only
  // get there from the chunks after it, which finish while it holds the results in order.
  const cells = new SharedArrayBuffer(8);
  const view = new Int32Array(cells);
  const args = [meetArgs(cells, 0, 1, 10), ...Array.from({ length: 20 }, () => meetArgs(cells, 5, 0, 0))];
  const seen: number[] = [];
  const out = await pool.starmap(tasks.meet, args, {
    onProgress: (done, total) => {
      seen.push(done);
      expect(total).toBe(21);
      Atomics.store(view, 1, done);
      Atomics.notify(view, 1);
    },
  });
  expect(out[0]).toBeGreaterThanOrEqual(10);
  expect(seen.at(-1)).toBe(21);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
}, 30_000);

it("a call's first items are not chunked by the size an earlier call learned", async () => {
  const pool = await pool2(false);
  const cells = new SharedArrayBuffer(8);
  // An earlier call of cheap items in chunks of 100: the size the task learned is far above 8.
  const cheap = Array.from({ length: 400 }, () => meetArgs(cells, 0, 0, 0));
  await pool.starmap(tasks.meet, cheap, { chunksize: 100 });
  // Then two items that each wait until both have started (counted in `fresh`), ahead of 62
  // cheap ones (counted apart). Sized from
  // the earlier call (Python's size, ceil(64 / 8) = 8), the first chunk holds both: the first
  // would wait alone until its timeout and report 1 started. One item a chunk until a chunk of
  // this call comes back puts them on both workers.
  const fresh = new SharedArrayBuffer(8);
  const args = [
    meetArgs(fresh, 0, 0, 2),
    meetArgs(fresh, 0, 0, 2),
    ...Array.from({ length: 62 }, () => meetArgs(cells, 0, 0, 0)),
  ];
  const started = await pool.starmap(tasks.meet, args);
  expect(started.slice(0, 2)).toEqual([2, 2]);
}, 30_000);

it('the last items of an array go one a chunk, so two slow ones at the end run side by side', async () => {
  const pool = await pool2(true);
  // Eighteen 1 ms items, then two that each wait until both have started. After the two one-item
  // probes, chunks hold Python's size, ceil(20 / 8) = 3 (10 ms of work would be 10): [2-4] ...
  // [17-19] would put the two together, and the first would time out at 1 started. Near the end
  // a chunk holds at most a fourth of what is left, so the last four go one a chunk.
  const cells = new SharedArrayBuffer(8);
  const fresh = new SharedArrayBuffer(8);
  const args = [
    ...Array.from({ length: 18 }, () => meetArgs(cells, 1, 0, 0)),
    meetArgs(fresh, 0, 0, 2),
    meetArgs(fresh, 0, 0, 2),
  ];
  const started = await pool.starmap(tasks.meet, args);
  expect(started.slice(18)).toEqual([2, 2]);
}, 30_000);

// Full tier only: the chunk sizes come from measured task times, which a machine as loaded as
// CI's (every package's tests at once on 2 cores) stretches unevenly; once there the waiter timed out.
it.runIf(FULL_TESTS)(
  'an ordered imap reads chunks long enough to keep the other worker busy behind a slow one',
  async () => {
    const pool = await pool2(true);
    // A 150 ms item, a hundred 2 ms ones, then one that waits until 40 items after it have started
    // (counted in cells[0]), and 200 more of 2 ms. At most 4 chunks are read ahead of the consumer,
    // who takes results in order: while the waiting item is the oldest, the other worker has only
    // the 3 chunks read after it. Sized at 10 ms of work (5 items) those held 15 items, and the item
    // timed out; sized to cover half the call's longest chunk (the 150 ms one) they hold 40 or more.
    const cells = new SharedArrayBuffer(8);
    const light = (n: number) => Array.from({ length: n }, () => meetArgs(cells, 2, 0, 0));
    const waiter = 1 + 100;
    const items = [
      meetArgs(cells, 150, 0, 0),
      ...light(100),
      meetArgs(cells, 0, 0, waiter + 1 + 40),
      ...light(200),
    ];
    items[waiter]![4] = 5_000;
    const out: number[] = [];
    for await (const started of pool.imap(tasks.meetItem, items)) out.push(started as number);
    expect(out).toHaveLength(items.length);
    expect(out[waiter]).toBeGreaterThanOrEqual(waiter + 1 + 40);
  },
  30_000,
);
