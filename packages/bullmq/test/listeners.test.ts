/**
 * A listener of the pool's events that throws: as on the local pool, its error surfaces on a turn
 * of its own (an uncaught exception), and the pool's bookkeeping goes on: every call settles with
 * its own outcome, and `terminate()` settles.
 */
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerHere } from './workers.js';

const EVENTS = ['completed', 'failed', 'active', 'drain', 'workerCreate', 'workerDestroy'] as const;
/** Bounds each call: without the fix a `completed` or `failed` listener left its call pending for good. */
const CALL_MS = 10_000;

describe.skipIf(redisMissing)('a pool event listener that throws', () => {
  const on = useRedisPools({ db: 12 });
  let worker: Awaited<ReturnType<typeof startWorkerHere>> | undefined;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    worker = await startWorkerHere(on.redis.url, { concurrency: 2 });
  }, 60_000);
  afterAll(async () => {
    await worker?.handle.stop();
  }, 30_000);
  beforeEach(() => {
    uncaught.length = 0;
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
  });

  test.each(EVENTS)(
    "'%s': every call settles as without it, and its error is thrown on its own turn",
    {
      timeout: 30_000,
    },
    async (event) => {
      const p = on.pool({ processes: 2 });
      // The worker is seen (workerCreate) before the calls, and is let go (workerDestroy) by terminate().
      const seen = once(p, 'workerCreate');
      p.on(event, () => {
        throw new RangeError(`listener of ${event}`);
      });
      await seen;
      const outcome = (call: Promise<unknown>) =>
        call.then(
          (value) => ({ value }),
          (error: Error) => ({ error: error.name }),
        );
      expect(await outcome(p.apply(tasks.square, [3], { timeout: CALL_MS }))).toEqual({ value: 9 });
      expect(await outcome(p.apply(tasks.failAt, [3], { timeout: CALL_MS }))).toEqual({
        error: 'RangeError',
      });
      expect(await outcome(p.map(tasks.square, [1, 2, 3], { timeout: CALL_MS }))).toEqual({
        value: [1, 4, 9],
      });
      await p.terminate();
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught.length).toBeGreaterThan(0);
      for (const error of uncaught) expect(error).toMatchObject({ message: `listener of ${event}` });
    },
  );
});

/** Status lines whose writer throws; each is seen in the course of the test below. */
const LINES = ['connected', 'attached', 'job started', 'job completed', 'job failed', 'detached', 'stopping'];

describe.skipIf(redisMissing)("a worker's log writer that throws", () => {
  const on = useRedisPools({ db: 12 });
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  beforeEach(() => {
    uncaught.length = 0;
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
  });

  test.each(LINES)(
    "on '%s': the worker starts, serves and stops as without it; the error is thrown on its own turn",
    {
      timeout: 30_000,
    },
    async (bad) => {
      const { handle } = await startWorkerHere(on.redis.url, {
        concurrency: 2,
        log: (line) => {
          if (line.split(' ').slice(1).join(' ').startsWith(`${bad} `) || line.endsWith(` ${bad}`)) {
            throw new RangeError(`log writer broke on ${bad}`);
          }
        },
      });
      let stopped = false;
      try {
        const p = on.pool();
        const outcome = (call: Promise<unknown>) =>
          call.then(
            (value) => ({ value }),
            (error: Error) => ({ error: error.name }),
          );
        expect(await outcome(p.apply(tasks.square, [3], { timeout: CALL_MS }))).toEqual({ value: 9 });
        expect(await outcome(p.apply(tasks.failAt, [3], { timeout: CALL_MS }))).toEqual({
          error: 'RangeError',
        });
        await p.terminate();
        await handle.stop();
        stopped = true;
      } finally {
        if (!stopped) await handle.stop().catch(() => {});
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught.length).toBeGreaterThan(0);
      for (const error of uncaught) expect(error).toMatchObject({ message: `log writer broke on ${bad}` });
    },
  );
});
