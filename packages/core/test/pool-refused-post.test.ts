// A batch that structured clone refuses as it is posted (an argument the codec passes, such as a
// Proxy, or memory that another call move()d since this one was made) fails its own call only:
// - tinypool posts its queue to a worker only as that worker answers or gets ready, so a worker
//   whose batch could not be posted idled while the calls queued behind it waited for good;
// - a thread worker's first batch also carries the port it reports progress on: the next batch,
//   posted to that worker in the same turn, went without it and failed in the worker;
// - a buffer two calls move()d in one turn was posted detached by the second: on Node 20 the worker
//   could not read the batch and the call never settled.
import { move } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/refused-post-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

const outcome = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.name }),
  );

describe.each(matrix(import.meta.url))('a batch refused as it is posted, %s context', (context) => {
  it('the first call of a fresh pool, refused, fails alone: the calls queued behind it run', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const refused = outcome(pool.apply(t.echo, [new Proxy({ a: 1 }, {})]));
    const behind = [1, 2, 3].map((i) => pool.apply(t.echo, [i]));
    expect(await refused).toEqual({ error: 'SerializationError' });
    expect(await Promise.all(behind)).toEqual([1, 2, 3]);
    expect(await pool.map(t.echo, [4, 5])).toEqual([4, 5]);
  });

  it('a refused call keeps its worker: no worker is replaced, also for an imap that splits its chunks', {
    timeout: 20_000,
  }, async () => {
    // Its worker, to which it was never posted, was retired to get the queued calls going: a worker
    // started per refused call (an imap of 100k items with 100 such items started over 500).
    const pool = makePool({ processes: 2, context });
    let created = 0;
    pool.on('workerCreate', () => created++);
    await pool.apply(t.echo, [0]);
    const calls = Array.from({ length: 30 }, (_, i) =>
      outcome(i % 3 === 0 ? pool.apply(t.echo, [new Proxy({}, {})]) : pool.apply(t.worker, [])),
    );
    const done = await Promise.all(calls);
    expect(done.filter((o) => 'error' in o)).toEqual(Array(10).fill({ error: 'SerializationError' }));
    expect(
      new Set(done.filter((o) => 'value' in o).map((o) => (o as { value: unknown }).value)).size,
    ).toBeLessThanOrEqual(2);
    const fn = () => 0;
    const items = Array.from({ length: 2000 }, (_, i): unknown =>
      i % 500 === 7 ? Object.assign([i], { fn }) : [i],
    );
    let failed = 0;
    const stream = pool.imap(t.echo, items);
    for (let step = 0; step < items.length; step++) await stream.next().catch(() => failed++);
    expect(failed).toBe(4);
    expect(created).toBeLessThanOrEqual(2);
  });
});

describe('memory two calls move() in one turn (thread context)', () => {
  it('the second call rejects naming the moved-away buffer; the calls behind it run', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context: 'thread' });
    await pool.apply(t.echo, [0]);
    const bytes = new Uint8Array([6, 7]);
    const first = pool.apply(t.bytes, [move(bytes)]);
    const second = pool.apply(t.echo, [{ data: move(bytes) }]).catch((e: Error) => e);
    const after = pool.apply(t.echo, ['after']);
    expect(await first).toEqual([6, 7]);
    const error = (await second) as Error;
    expect(error.name).toBe('SerializationError');
    expect(error.message).toMatch(/^Cannot send args\[0\]\.data: its memory was already moved/);
    expect(await after).toBe('after');
    const one = new Uint8Array([1]);
    const mapped = await pool
      .map(t.bytes, [move(one), new Uint8Array([2]), move(one)], { chunksize: 1 })
      .catch((e: Error) => e.message);
    expect(mapped).toMatch(/^Cannot send items\[2\]: its memory was already moved/);
  });

  it('a refused first batch of a thread worker does not fail the next call posted to it', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 2, context: 'thread' });
    await pool.apply(t.echo, [0]); // one worker has its port; the other has run nothing yet
    await new Promise((resolve) => setTimeout(resolve, 300));
    const busy = pool.apply(t.sleep, [300]);
    const refused = outcome(pool.apply(t.echo, [new Proxy({ a: 1 }, {})]));
    const next = [pool.apply(t.echo, [1]), pool.apply(t.echo, [2])];
    expect(await refused).toEqual({ error: 'SerializationError' });
    expect(await Promise.all([busy, ...next])).toEqual([300, 1, 2]);
  });
});
