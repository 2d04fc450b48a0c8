// Python's timeouts are seconds: `r.get(timeout=1)`, `q.get(timeout=0.5)` ported as `r.get(1)` or
// `q.get({ timeout: 0.5 })` wait 1 ms or 0.5 ms here, and the error said only "within 1 ms". A
// timeout of at most 60 ms now adds that timeouts are milliseconds and the number to give instead;
// a larger one does not.
import { Pool, QueueEmptyError, TimeoutError } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/seconds-hint-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

const SECONDS = /milliseconds here: if 1 was meant as seconds, as Python's timeout=1, give 1000/;

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('it did not time out');
    },
    (error: Error) => error,
  );
}

describe('a timeout that looks like Python seconds says timeouts are ms', () => {
  it('AsyncResult.get(1), apply and map { timeout: 1 }; not get(100)', { timeout: 20_000 }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const got = await rejection(pool.applyAsync(tasks.nap, [300]).get(1));
    expect(got).toBeInstanceOf(TimeoutError);
    expect(got.message).toMatch(SECONDS);
    const applied = await rejection(pool.apply(tasks.nap, [300], { timeout: 1 }));
    expect(applied).toBeInstanceOf(TimeoutError);
    expect(applied.message).toMatch(SECONDS);
    const mapped = await rejection(pool.map(tasks.nap, [300], { timeout: 1 }));
    expect(mapped).toBeInstanceOf(TimeoutError);
    expect(mapped.message).toMatch(SECONDS);
    const longer = await rejection(pool.applyAsync(tasks.nap, [1000]).get(100));
    expect(longer).toBeInstanceOf(TimeoutError);
    expect(longer.message).not.toMatch(/meant as seconds/);
  });

  it.each(['thread', 'process'] as const)(
    'Queue.get({ timeout: 0.5 }) in a %s worker',
    { timeout: 20_000 },
    async (context) => {
      const pool = new Pool({ processes: 1, context });
      pools.push(pool);
      const q = new Queue<number>();
      try {
        const empty = await rejection(pool.apply(tasks.getWithin, [q, 0.5]));
        expect(empty).toBeInstanceOf(QueueEmptyError);
        expect(empty.message).toMatch(/if 0\.5 was meant as seconds, as Python's timeout=0\.5, give 500/);
        const waited = await rejection(pool.apply(tasks.getWithin, [q, 200]));
        expect(waited).toBeInstanceOf(QueueEmptyError);
        expect(waited.message).not.toMatch(/meant as seconds/);
      } finally {
        q.close();
      }
    },
  );
});
