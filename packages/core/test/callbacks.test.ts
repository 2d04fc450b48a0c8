import { Pool } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/message-tasks.ts';

const boom = () => new Error('callback threw');

// onMessage/onProgress: the first throw fails that call with the callback's error, nothing more of
// that call's callbacks runs, and the program and pool live on.
describe.each(['thread', 'process'] as const)('a throwing callback (%s)', (context) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 2, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it('a throwing onMessage rejects apply with its error, once, and the pool goes on', async () => {
    const error = boom();
    let calls = 0;
    const outcome = await pool
      .apply(tasks.talk, ['a'], {
        onMessage: () => {
          calls++;
          throw error;
        },
      })
      .catch((e: unknown) => e);
    expect(outcome).toBe(error);
    expect(calls).toBe(1);
    expect(await pool.apply(tasks.square, [5])).toBe(25);
  }, 15_000);

  it('a throwing onMessage rejects map with its error, called once', async () => {
    const error = boom();
    let calls = 0;
    const outcome = await pool
      .map(tasks.item, [1, 2, 3, 4, 5, 6], {
        chunksize: 2,
        onMessage: () => {
          calls++;
          throw error;
        },
      })
      .catch((e: unknown) => e);
    expect(outcome).toBe(error);
    expect(calls).toBe(1);
    expect(await pool.map(tasks.square, [1, 2])).toEqual([1, 4]);
  }, 15_000);

  it('a throwing onProgress rejects map with its error, called once', async () => {
    const error = boom();
    let calls = 0;
    const outcome = await pool
      .map(tasks.square, [1, 2, 3, 4], {
        chunksize: 1,
        onProgress: () => {
          calls++;
          throw error;
        },
      })
      .catch((e: unknown) => e);
    expect(outcome).toBe(error);
    expect(calls).toBe(1);
  }, 15_000);

  it('a throwing onProgress ends an imap loop with its error', async () => {
    const error = boom();
    const seen: number[] = [];
    const outcome = await (async () => {
      for await (const v of pool.imap(tasks.square, [1, 2, 3], {
        chunksize: 1,
        onProgress: () => {
          throw error;
        },
      }))
        seen.push(v);
    })().catch((e: unknown) => e);
    expect(outcome).toBe(error);
  }, 15_000);

  it('errorCallback receives the error of a throwing onMessage; callback is not called', async () => {
    const error = boom();
    const got: unknown[] = [];
    const r = pool.applyAsync(tasks.talk, ['b'], {
      onMessage: () => {
        throw error;
      },
      callback: (v) => got.push(['callback', v]),
      errorCallback: (e) => got.push(['errorCallback', e]),
    });
    expect(
      await r.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
    ).toBe(error);
    expect(got).toEqual([['errorCallback', error]]);
    expect(r.successful()).toBe(false);
  }, 15_000);

  // A throwing callback/errorCallback: test/callback-throws.test.ts (an uncaught exception, so a program).
  it('an async callback is awaited before the AsyncResult settles', async () => {
    const order: string[] = [];
    const ok = pool.applyAsync(tasks.square, [4], {
      callback: async (v) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push(`callback ${v}`);
      },
    });
    expect(await ok.get(10_000)).toBe(16);
    expect(order).toEqual(['callback 16']);
  }, 15_000);

  it('AsyncResult.finally() runs once the call settles and passes the result through', async () => {
    let ran = 0;
    const ok = await pool.applyAsync(tasks.square, [4]).finally(() => {
      ran++;
    });
    const failed = await pool
      .applyAsync(tasks.sendFunction, [], { onMessage: () => {} })
      .finally(() => {
        ran++;
      })
      .catch((e: unknown) => (e as Error).name);
    expect([ok, failed, ran]).toEqual([16, 'SerializationError', 2]);
  }, 15_000);
});
