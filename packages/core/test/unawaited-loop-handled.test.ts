// A Python habit loops over a pool call without `await`: `for (const r of pool.map(...))` throws a
// TypeError that says to await it (unawaited-result.ts). The call itself goes on, and nobody holds
// its Promise any more: when the pool is then terminated (the test's afterAll, a finally block) or
// the task fails, that Promise rejected unhandled, and a PoolClosedError nobody asked about ended
// the program or failed the test run beside the TypeError that explains it. The refused Promise
// is marked handled; awaiting it still gives its outcome.
import { Pool, PoolClosedError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/arity-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

/** The reasons of the rejections nobody handled while `body` ran, and a turn after it. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('a pool call refused by a loop without await', () => {
  it('does not reject unhandled when the pool is terminated after it', { timeout: 15_000 }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const seen = await unhandledDuring(async () => {
      const loops: (() => void)[] = [
        () => {
          for (const _ of pool.map(tasks.nap, [5_000]) as unknown as Iterable<unknown>) break;
        },
        () => [...(pool.apply(tasks.nap, [5_000]) as unknown as Iterable<unknown>)],
        () => {
          const [_a] = pool.starmap(tasks.nap, [[5_000]]) as unknown as unknown[];
        },
        () => [...(pool.mapAsync(tasks.nap, [5_000]) as unknown as Iterable<unknown>)],
      ];
      for (const loop of loops) expect(loop).toThrow(/await it first/);
      await pool.terminate();
    });
    expect(seen).toEqual([]);
  });

  it('still rejects where it is awaited after the loop', { timeout: 15_000 }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const pending = pool.apply(tasks.nap, [5_000]);
    expect(() => [...(pending as unknown as Iterable<unknown>)]).toThrow(/await it first/);
    const terminated = pool.terminate();
    await expect(pending).rejects.toBeInstanceOf(PoolClosedError);
    await terminated;
  });
});
