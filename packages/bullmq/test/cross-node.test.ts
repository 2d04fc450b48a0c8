/**
 * A client and its workers may run different Node versions (Scaling out guide): values a newer
 * Node makes whose class an older one lacks (SuppressedError, Float16Array: Node 24; Node 20 and
 * 22 have neither) are rebuilt faithfully or refused by name, and every call settles. The "older
 * Node" side runs with NODE_OPTIONS --import without-new-classes.mjs, which deletes those classes
 * (its task processes inherit it). Before: a thrown SuppressedError left the call pending for ever,
 * a returned one or a Float16Array failed as "could not be decoded" with a TypeError, and a
 * Float16Array argument failed as a WorkerCrashedError though no worker died.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SerializationError, WorkerCrashedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { SECRET, startWorkerHere, startWorkerProcess } from './workers.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const OLD_NODE = `--import=${here('../../core/test/fixtures/cross-node/without-new-classes.mjs')}`;
const TASKS = here('./fixtures/cross-node-tasks.mjs');
const g = globalThis as { SuppressedError?: any; Float16Array?: any };
const hasNewClasses = typeof g.SuppressedError === 'function' && typeof g.Float16Array === 'function';

describe.skipIf(redisMissing || !hasNewClasses)('a worker and a client on Nodes of different classes', () => {
  const pools = useRedisPools();

  it('a worker lacking Float16Array refuses it as an argument by name; a SuppressedError argument arrives faithful', {
    timeout: 60_000,
  }, async ({ onTestFinished }) => {
    const oldWorker = await startWorkerProcess(pools.redis.url, ['--tasks', TASKS], {
      NODE_OPTIONS: OLD_NODE,
    });
    onTestFinished(async () => {
      await oldWorker.stop();
    });
    const pool = pools.pool();
    const { tasks } = await import('./fixtures/cross-node-tasks.mjs');
    const error = await pool.apply(tasks.describe, [new g.Float16Array([1.5])]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).not.toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(
      /^The arguments of job \S+ \(\S*describe\) could not be decoded on this worker \(Node v[\d.]+\): SerializationError: Received a Float16Array \(1 item\), but this runtime .* has no Float16Array class/,
    );
    const sup = new g.SuppressedError(new Error('inner'), new TypeError('sup'), 'arg');
    expect(await pool.apply(tasks.describe, [sup])).toEqual({
      name: 'SuppressedError',
      message: 'arg',
      error: 'inner',
      suppressed: 'sup',
    });
    expect(await pool.apply(tasks.square, [3])).toBe(9);
  });

  it('a client lacking them: thrown and returned SuppressedErrors rebuilt, a Float16Array result refused by name', {
    timeout: 60_000,
  }, async () => {
    const worker = await startWorkerHere(pools.redis.url, { tasks: [TASKS] });
    try {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [here('./fixtures/old-node-client.mjs'), pools.redis.url, SECRET],
          { env: { ...process.env, NODE_OPTIONS: OLD_NODE }, timeout: 50_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      const suppressed = { name: 'SuppressedError', error: 'inner', suppressed: 'sup' };
      expect(JSON.parse(out)).toEqual({
        missing: 'undefinedundefined',
        throwSuppressed: { ctor: 'Error', message: 'outer', ...suppressed },
        causeSuppressed: {
          ctor: 'Error',
          name: 'Error',
          message: 'outer',
          cause: { name: 'SuppressedError', message: 'nested', error: 'inner' },
        },
        float16: {
          ctor: 'SerializationError',
          name: 'SerializationError',
          message: expect.stringMatching(
            /^The result of job \S+ \(\S*float16\) could not be decoded on this client \(Node v[\d.]+\): SerializationError: Received a Float16Array \(2 items\)/,
          ),
          cause: expect.objectContaining({ name: 'SerializationError' }),
        },
        returnedValue: { message: 'as value', ...suppressed },
        after: 49,
      });
    } finally {
      await worker.handle.stop();
    }
  });
});
