import { Pool } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/message-tasks.ts';

const boom = () => new Error('callback threw');

// One rule for every user callback of a pool call: the first throw fails that call with the
// callback's error, nothing more of that call's callbacks runs, and the program and pool live on.
// A throwing onMessage stops its running task by recycling the worker: each such case waits for a
// worker to start, which took over 15 s in one CI run where every package's suite shared 2 cores.
describe.each(matrix(import.meta.url))('a throwing callback (%s)', (context) => {
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
  }, 60_000);

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
  }, 60_000);

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
  }, 60_000);

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
  }, 60_000);

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
  }, 60_000);

  it('a throwing callback makes the AsyncResult reject with its error instead of the result', async () => {
    const error = boom();
    const errors: unknown[] = [];
    const r = pool.applyAsync(tasks.square, [3], {
      callback: () => {
        throw error;
      },
      errorCallback: (e) => errors.push(e),
    });
    expect(await r.get(50_000).catch((e: unknown) => e)).toBe(error);
    expect(r.successful()).toBe(false);
    expect(errors).toEqual([]); // errorCallback is for the call's failure, not the callback's
  }, 60_000);

  it("a throwing errorCallback makes the AsyncResult reject with its error instead of the task's", async () => {
    const error = boom();
    const r = pool.mapAsync(tasks.sendFunction, [1], {
      onMessage: () => {},
      errorCallback: () => {
        throw error;
      },
    });
    expect(
      await r.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
    ).toBe(error);
  }, 60_000);

  it("a throwing errorCallback's error keeps the call's error as its cause, unless it has one", async () => {
    const own = new Error('own cause');
    const thrown = [boom(), new Error('with a cause', { cause: own }), 'a string'];
    const seen: unknown[] = [];
    for (const error of thrown) {
      const r = pool.applyAsync(tasks.talk, ['c'], {
        onMessage: () => {
          throw new Error('onMessage threw');
        },
        errorCallback: (e) => {
          seen.push(e);
          throw error;
        },
      });
      expect(await r.get(50_000).catch((e: unknown) => e)).toBe(error);
    }
    expect(seen).toHaveLength(3);
    expect((thrown[0] as Error).cause).toBe(seen[0]);
    expect(seen[0]).toMatchObject({ message: 'onMessage threw' });
    expect((thrown[1] as Error).cause).toBe(own);
  }, 60_000);

  it("an errorCallback that rethrows its error, or that error's cause, makes no cause cycle", async () => {
    const inner = new Error('inner');
    const outer = new Error('outer', { cause: inner });
    const pick = [(e: unknown) => e, (e: unknown) => (e as Error).cause];
    const outcomes: unknown[] = [];
    for (const rethrow of pick) {
      const r = pool.applyAsync(tasks.talk, ['d'], {
        onMessage: () => {
          throw outer;
        },
        errorCallback: (e) => {
          throw rethrow(e);
        },
      });
      outcomes.push(await r.get(50_000).catch((e: unknown) => e));
    }
    expect(outcomes).toEqual([outer, inner]);
    expect(outer.cause).toBe(inner);
    expect(Object.hasOwn(inner, 'cause')).toBe(false);
  }, 60_000);

  it('an async callback or errorCallback is awaited, and its rejection fails the call', async () => {
    const order: string[] = [];
    const ok = pool.applyAsync(tasks.square, [4], {
      callback: async (v) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push(`callback ${v}`);
      },
    });
    expect(await ok.get(50_000)).toBe(16);
    expect(order).toEqual(['callback 16']);
    const error = boom();
    const bad = pool.applyAsync(tasks.square, [5], {
      callback: async () => {
        throw error;
      },
    });
    expect(await bad.get(50_000).catch((e: unknown) => e)).toBe(error);
    const late = boom();
    const failed = pool.applyAsync(tasks.talk, ['d'], {
      onMessage: () => {
        throw new Error('onMessage threw');
      },
      errorCallback: async () => {
        throw late;
      },
    });
    expect(await failed.get(50_000).catch((e: unknown) => e)).toBe(late);
    expect(late.cause).toMatchObject({ message: 'onMessage threw' });
  }, 60_000);

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
  }, 60_000);
});
