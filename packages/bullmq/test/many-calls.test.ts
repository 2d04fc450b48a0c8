/**
 * Many calls in flight on one pool: Node prints no `MaxListenersExceededWarning` (each signal has
 * one abort listener, not one per call), and each call still ends when the pool is terminated or
 * the signal it shares with others aborts.
 */
import { PoolClosedError } from '@multiproc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

const STEADY = ['--lock-duration', '15000', '--stalled-interval', '5000', '--ttl', '15000'];
/** Longer than any test's timeout: only the pool's end or a signal ends these calls. */
const LONG = 120_000;
const CALLS = 50;

describe.skipIf(redisMissing)('many calls in flight', () => {
  let redis: RedisServer;
  let w: WorkerProcess;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);

  beforeAll(async () => {
    redis = await startRedis({ db: 7 });
    w = await startWorkerProcess(redis.url, ['--concurrency', '2', ...STEADY]);
    process.on('warning', onWarning);
  }, 60_000);
  afterEach(() => {
    warnings.length = 0;
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await w?.stop('SIGKILL');
    await redis?.stop();
  });

  const leakWarnings = () => warnings.filter((w) => w.name === 'MaxListenersExceededWarning');

  test('50 calls in flight print no MaxListenersExceededWarning, and terminate() ends every one', async () => {
    const p = new Pool({ connection: redis.url, secret: SECRET });
    const queue = p.keyPrefix.split(':').at(-2)!;
    // Half of them share one signal of the user's, half have none: both watch the pool's signal.
    const shared = new AbortController();
    const calls = Array.from({ length: CALLS }, (_, i) =>
      p.apply(tasks.sleep, [LONG], i % 2 ? { signal: shared.signal } : {}).catch((e: unknown) => e),
    );
    await w.waitFor(new RegExp(`job started .*pool=${queue} `));
    await p.terminate();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((e) => e instanceof PoolClosedError)).toHaveLength(CALLS);
    // A warning is emitted on the next tick after the listener that crosses the limit.
    await new Promise((resolve) => setImmediate(resolve));
    expect(leakWarnings()).toEqual([]);
  }, 60_000);

  test('a signal shared by 20 calls aborts all 20, and the pool goes on serving the others', async () => {
    const p = new Pool({ connection: redis.url, secret: SECRET });
    try {
      const shared = new AbortController();
      const aborted = Array.from({ length: 20 }, () =>
        p.apply(tasks.sleep, [LONG], { signal: shared.signal }).catch((e: unknown) => e),
      );
      const others = Array.from({ length: 20 }, (_, i) => p.apply(tasks.square, [i]));
      shared.abort();
      const errors = await Promise.all(aborted);
      expect(errors.map((e) => (e as Error).name)).toEqual(Array(20).fill('AbortError'));
      expect(await Promise.all(others)).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
      await new Promise((resolve) => setImmediate(resolve));
      expect(leakWarnings()).toEqual([]);
    } finally {
      await p.terminate();
    }
  }, 60_000);
});
