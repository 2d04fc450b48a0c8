/**
 * A BullMQ Pool's map and starmap take an array, typed array, Set or Map input as the call is
 * made, as the local Pool's do (and Python's map, which takes list(iterable)): clearing or
 * refilling it right after the call does not change the call. Before, the call ran only the items
 * read before the caller cleared it. Real Redis, a worker in this process.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tasks as t } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerHere } from './workers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe.skipIf(redisMissing)('a BullMQ map input changed after the call', () => {
  const on = useRedisPools({ db: 13 });
  let worker: Awaited<ReturnType<typeof startWorkerHere>> | undefined;
  beforeAll(async () => {
    worker = await startWorkerHere(on.redis.url, { concurrency: 2 });
  }, 60_000);
  afterAll(async () => {
    await worker?.handle.stop();
  }, 60_000);

  test('map, mapAsync, starmap, a Set and a Buffer run the items the input held at the call', {
    timeout: 60_000,
  }, async () => {
    const pool = on.pool({ processes: 2 });
    const batch = range(30);
    const cleared = pool.map(t.echo, batch, { chunksize: 2 });
    batch.length = 0;
    const refilled = range(12);
    const filled = pool.mapAsync(t.echo, refilled, { chunksize: 1 });
    refilled.fill(0);
    const pairs = range(6).map((x): [number] => [x]);
    const star = pool.starmap(t.echo, pairs, { chunksize: 1 });
    pairs.length = 0;
    const set = new Set(range(5));
    const fromSet = pool.map(t.echo, set, { chunksize: 1 });
    set.clear();
    const bytes = Buffer.from(range(8)); // its slice() is a view of the same memory
    const fromBytes = pool.map(t.echo, bytes, { chunksize: 1 });
    bytes.fill(0);
    expect(await cleared).toEqual(range(30));
    expect(await filled).toEqual(range(12));
    expect(await star).toEqual(range(6));
    expect(await fromSet).toEqual(range(5));
    expect(await fromBytes).toEqual(range(8));
  });
});
