/**
 * The missing `isMain()` guard, as the local Pool refuses it: a pool (local or BullMQ) created at
 * the top level of a task module while a worker imports it throws `ContextError`, in
 * multiproc-worker's loading of `--tasks` modules and in a local pool worker running a task. No
 * Redis needed: task modules load before the worker connects.
 */
import { fileURLToPath } from 'node:url';
import { ContextError, Pool as LocalPool, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, test } from 'vitest';
import { startWorker } from '../dist/index.js';
import { unguardedBull } from './fixtures/unguarded-bull.mjs';
import { SECRET } from './workers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('a pool at the top level of a task module (no isMain() guard)', () => {
  const pools: LocalPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  });

  test.each(['unguarded-local.mjs', 'unguarded-bull.mjs'])(
    'multiproc-worker --tasks %s fails to start with the guard advice',
    async (name) => {
      const error = await startWorker({
        tasks: [fixture(name)],
        connection: 'redis://127.0.0.1:1',
        secret: SECRET,
        concurrency: 1,
        connectTimeout: 500,
      }).then(
        async (worker) => {
          await worker.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(
        /--tasks: .*Cannot create a Pool while this worker is importing/,
      );
      expect((error as Error).message).toMatch(/isMain\(\)/);
      expect((error as Error).cause).toBeInstanceOf(ContextError);
    },
    30_000,
  );

  test('a local pool task whose module creates a BullMQ Pool at its top level rejects with ContextError', async () => {
    const local = new LocalPool({ processes: 1 });
    pools.push(local);
    const error = await local.apply(unguardedBull.one).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextError);
    expect((error as Error).message).toMatch(
      /Cannot create a Pool while this worker is importing .*unguarded-bull/,
    );
  }, 30_000);
});
