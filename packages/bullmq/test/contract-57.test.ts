/**
 * Contract audit, session 57: the Pool section of CONTRACT.md read against the BullMQ `Pool`
 * ("a Pool with the same interface"), for the sentences the parity cases (`cases.ts`) leave
 * unpinned: completion order of imapUnordered, the read-ahead bound, AsyncResult's methods, a
 * library error class and a DOMException coming back, `processes` validation, signal and timeout
 * on every submitting call, and an input that throws in every method. Real Redis, a worker in this
 * process (`startWorker()`) with two local workers.
 */
import { getContext, QueueEmptyError, TimeoutError, ValidationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks as t } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerHere } from './workers.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The error `p` rejects with (fails when it resolves). */
async function rejection(p: PromiseLike<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('resolved, expected a rejection');
}

describe.skipIf(redisMissing)('the Pool contract on the BullMQ Pool (57)', () => {
  const on = useRedisPools({ db: 14 });
  let worker: Awaited<ReturnType<typeof startWorkerHere>> | undefined;
  beforeAll(async () => {
    worker = await startWorkerHere(on.redis.url, { concurrency: 2 });
  }, 60_000);
  afterAll(async () => {
    await worker?.handle.stop();
  }, 60_000);

  test('"imapUnordered ... completion order": a fast item overtakes a slow one', {
    timeout: 60_000,
  }, async () => {
    const pool = on.pool({ processes: 2 });
    await pool.map(t.square, [1, 2], { chunksize: 1 }); // both local workers started
    const got: number[] = [];
    for await (const v of pool.imapUnordered(t.sleep, [1500, 10], { chunksize: 1 })) got.push(v as number);
    expect(got).toEqual([10, 1500]);
  });

  test('"at most inflight chunks ... are read ahead of the consumer"; leaving the loop stops reading', {
    timeout: 60_000,
  }, async () => {
    const pool = on.pool({ processes: 2 });
    let read = 0;
    let returned = false;
    function* endless() {
      try {
        for (let i = 0; ; i++) {
          read++;
          yield i;
        }
      } finally {
        returned = true;
      }
    }
    const seen: number[] = [];
    for await (const _ of pool.imap(t.square, endless(), { inflight: 2, chunksize: 3 })) {
      await sleep(200); // time enough to read far ahead, were it allowed
      seen.push(read);
      if (seen.length === 6) break;
    }
    // After k items of chunks of 3 are consumed: the chunk being consumed and 2 more at most.
    for (const [k, r] of seen.entries())
      expect(r, `after ${k + 1}`).toBeLessThanOrEqual(3 * (Math.floor(k / 3) + 1) + 6);
    const after = read;
    await sleep(300);
    expect([read, returned]).toEqual([after, true]);
  });

  test('"AsyncResult ... get(ms) (rejects with TimeoutError), wait(ms), ready(), successful() (throws if not ready)"', {
    timeout: 60_000,
  }, async () => {
    const pool = on.pool({ processes: 2 });
    const r = pool.applyAsync(t.sleep, [800]);
    expect(r.ready()).toBe(false);
    expect(() => r.successful()).toThrow();
    expect(await rejection(r.get(20))).toBeInstanceOf(TimeoutError);
    expect(await rejection(r.get({ timeout: 20 }))).toBeInstanceOf(TimeoutError);
    expect(await r.wait(20)).toBe(false);
    expect(await r.wait()).toBe(true);
    expect([r.ready(), r.successful(), await r.get(), await r]).toEqual([true, true, 800, 800]);
    const failed = pool.applyAsync(t.failAt, [3]);
    await failed.wait();
    expect([failed.ready(), failed.successful()]).toEqual([true, false]);
    expect(await rejection(failed.get())).toBeInstanceOf(RangeError);
  });

  test('"this library\'s classes ... come back as the same class", "DOMException with its name"', {
    timeout: 60_000,
  }, async () => {
    const pool = on.pool({ processes: 2 });
    const ours = (() => {
      try {
        getContext('thread').Queue().getNowait(); // the queue's own error, as a task would meet it
      } catch (err) {
        return err as Error;
      }
      throw new Error('getNowait() of an empty queue did not throw');
    })();
    const back = await rejection(pool.apply(t.throwIt, [ours]));
    expect(back).toBeInstanceOf(QueueEmptyError);
    const dom = (await rejection(
      pool.apply(t.throwIt, [new DOMException('gone', 'NotFoundError')]),
    )) as DOMException;
    expect([dom instanceof DOMException, dom.name, dom.message]).toEqual([true, 'NotFoundError', 'gone']);
  });

  test('"Bad options (processes 0, negative or not an integer ...) throw ValidationError naming the option"', () => {
    for (const processes of [0, -1, 1.5]) {
      const err = (() => {
        try {
          new Pool({ connection: on.redis.url, secret: 'x'.repeat(32), processes });
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(err, String(processes)).toBeInstanceOf(ValidationError);
      expect(err?.message).toContain('processes');
    }
  });

  test('"Every submitting call also takes signal?: AbortSignal and timeout?: ms": map, mapAsync, starmap, imap', {
    timeout: 60_000,
  }, async () => {
    const pool = on.pool({ processes: 2 });
    await pool.map(t.square, [1, 2], { chunksize: 1 });
    expect(await rejection(pool.map(t.sleep, [5000, 5000], { timeout: 100 }))).toBeInstanceOf(TimeoutError);
    expect(await rejection(pool.mapAsync(t.sleep, [5000], { timeout: 100 }).get())).toBeInstanceOf(
      TimeoutError,
    );
    const ac = new AbortController();
    const starmap = pool.starmap(t.slowSquare, [[2, 5000]], { signal: ac.signal });
    await sleep(100);
    ac.abort('why');
    const aborted = await rejection(starmap);
    expect([aborted.name, aborted.cause]).toEqual(['AbortError', 'why']);
    const stop = new AbortController();
    const got: unknown[] = [];
    const reason = new Error('stop');
    const imapError = await rejection(
      (async () => {
        for await (const v of pool.imap(t.sleep, [1, 5000], { signal: stop.signal, chunksize: 1 })) {
          got.push(v);
          stop.abort(reason);
        }
      })(),
    );
    expect([imapError.name, imapError.cause, got]).toEqual(['AbortError', reason, [1]]);
    const pre = await rejection(pool.apply(t.square, [2], { signal: AbortSignal.abort('early') }));
    expect([pre.name, pre.cause]).toEqual(['AbortError', 'early']);
  });

  test('"An input iterable that throws fails the call with that very error": every method, sync and async input', {
    timeout: 60_000,
  }, async () => {
    const pool = on.pool({ processes: 2 });
    for (const method of ['map', 'starmap', 'mapAsync', 'starmapAsync', 'imap', 'imapUnordered'] as const) {
      for (const isAsync of [false, true]) {
        const boom = new RangeError('input broke');
        function* gen() {
          yield* [
            [1, 2],
            [3, 4],
          ];
          throw boom;
        }
        async function* agen() {
          yield* gen();
        }
        const input = isAsync ? agen() : gen();
        const task = method.startsWith('starmap') ? t.add : t.echo;
        const got: unknown[] = [];
        const call = pool as unknown as Record<string, (t: unknown, i: unknown) => unknown>;
        const err = await rejection(
          (async () => {
            if (method.startsWith('imap'))
              for await (const v of call[method]!(task, input) as AsyncIterable<unknown>) got.push(v);
            else if (method.endsWith('Async'))
              await (call[method]!(task, input) as { get(): Promise<unknown> }).get();
            else await call[method]!(task, input);
          })(),
        );
        expect(err, `${method} ${isAsync}`).toBe(boom);
        if (method === 'imap')
          expect(got).toEqual([
            [1, 2],
            [3, 4],
          ]);
      }
    }
  });
});
