/**
 * A pool that no worker serves says so (Python's manager client fails at once instead): once its
 * jobs have waited `noWorkerWarning` ms with no worker attached, one `MP_NO_WORKER` process warning
 * names the likely cause (no worker running, or workers holding another secret), and the calls go
 * on waiting for a worker that may still come. A worker holding another secret says, in a status
 * line, that it ignores the pool.
 */
import { PoolClosedError } from '@multiproc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { shortfalls } from '../../../test-support/shortfalls.ts';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere, startWorkerProcess } from './workers.js';

const OTHER_SECRET = 'another-secret-0123456789abcdef';

interface Warning extends Error {
  code?: string;
}

describe.skipIf(redisMissing)('a pool no worker serves', () => {
  let redis: RedisServer;
  const warnings: Warning[] = [];
  const waiters = new Set<() => void>();
  const onWarning = (warning: Warning) => {
    warnings.push(warning);
    for (const wake of waiters) wake();
  };
  const noWorker = () => warnings.filter((w) => w.code === 'MP_NO_WORKER');
  /** Resolves with the first MP_NO_WORKER warning (the test's timeout bounds the wait). */
  const nextNoWorker = () =>
    new Promise<Warning>((resolve) => {
      const check = () => {
        const found = noWorker()[0];
        if (found) {
          waiters.delete(check);
          resolve(found);
        }
      };
      waiters.add(check);
      check();
    });
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    redis = await startRedis({ db: 11 });
    process.on('warning', onWarning);
  }, 60_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    warnings.length = 0;
    waiters.clear();
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await redis?.stop();
  });

  const pool = (options: ConstructorParameters<typeof Pool>[0] = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, noWorkerWarning: 300, ...options });
    cleanups.push(() => p.terminate());
    return p;
  };

  test('with no worker running: one MP_NO_WORKER warning saying so, and the call runs once a worker starts', async () => {
    const p = pool();
    const call = p.apply(tasks.square, [5]);
    const warning = await nextNoWorker();
    expect(warning.name).toBe('ProcessWarning');
    expect(warning.message).toMatch(
      /no multiproc-worker is running with prefix 'multiproc' on Redis at redis:/,
    );
    expect(warning.message).toMatch(/same Redis, prefix and secret/);
    expect(warning.message).toMatch(/timeout/);
    // The call was not failed: a worker started now serves it.
    const { handle } = await startWorkerHere(redis.url);
    cleanups.push(() => handle.stop({ grace: 0 }));
    expect(await call).toBe(25);
    expect(noWorker()).toHaveLength(1);
  }, 60_000);

  test('with a worker holding another secret: the warning names the secret, the worker logs "pool ignored"', async () => {
    const worker = await startWorkerProcess(redis.url, ['--concurrency', '1']);
    cleanups.push(() => worker.stop('SIGKILL'));
    const p = pool({ secret: OTHER_SECRET });
    const queue = p.keyPrefix.split(':').at(-2)!;
    const call = p.apply(tasks.square, [5]).catch((e: unknown) => e);
    const warning = await nextNoWorker();
    expect(warning.message).toMatch(/1 multiproc-worker process\(es\) run .* none serves this pool/);
    expect(warning.message).toMatch(/another secret/);
    await worker.waitFor(new RegExp(`pool ignored pool=${queue} .*another secret`));
    // Once, though the worker has had heartbeats (two a second here) since the pool registered.
    expect(worker.lines.filter((l) => l.includes(`pool ignored pool=${queue} `))).toHaveLength(1);
    await p.terminate();
    expect(await call).toBeInstanceOf(PoolClosedError);
  }, 60_000);

  test('a served pool whose job runs longer than noWorkerWarning gives no warning', async () => {
    const { handle } = await startWorkerHere(redis.url);
    cleanups.push(() => handle.stop({ grace: 0 }));
    const p = pool();
    expect(await p.apply(tasks.square, [2])).toBe(4);
    warnings.length = 0;
    // Several heartbeats (one a second) pass while the job runs on the attached worker.
    expect(await p.apply(tasks.slowSquare, [3, 2500])).toBe(9);
    expect(noWorker()).toEqual([]);
  }, 60_000);

  test('a starmap item that is not an argument list rejects at once, as on the local pool: no worker needed', async () => {
    const p = pool({ noWorkerWarning: false });
    const error = await p
      .starmap(tasks.add, [[1, 2], 5] as never, { timeout: 5000 })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('ValidationError');
    expect((error as Error).message).toMatch(/^Pool\.starmap\(\): item 1 is not an argument list/);
  }, 60_000);

  test('noWorkerWarning: false gives no warning; the call waits until its timeout', async () => {
    const p = pool({ noWorkerWarning: false });
    const error = await p.apply(tasks.square, [5], { timeout: 2500 }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(noWorker()).toEqual([]);
  }, 60_000);

  test("a call's timeout is never cut short on performance.now()'s clock (Node's timers fire up to 1 ms early)", async () => {
    const p = pool({ noWorkerWarning: false });
    await p.apply(tasks.square, [5], { timeout: 50 }).catch(() => {}); // connected
    expect(await shortfalls((ms) => p.apply(tasks.square, [5], { timeout: ms }))).toEqual([]);
  }, 60_000);
});
