// Pool edge cases of issue #12 found after its first round: terminate() in the same turn as the
// calls, re-sending calls whose arguments were transferred, and queues passed to batched calls.

import { readdirSync, readlinkSync } from 'node:fs';
import { move, PoolClosedError, SerializationError } from '@multiproc/core';
import { JoinableQueue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/edge-tasks.mjs';
import { FULL_TESTS, poolMaker } from './helpers.ts';

const makePool = poolMaker();
const queues: JoinableQueue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) q.close();
});

/** How each promise settled: its value, or its error's class name; 'unsettled' after `ms`. */
function outcomes(calls: PromiseLike<unknown>[], ms = 20_000): Promise<unknown[]> {
  const late = new Promise<string>((resolve) => setTimeout(resolve, ms, 'unsettled').unref());
  return Promise.all(
    calls.map((call) =>
      Promise.race([
        Promise.resolve(call).then(
          (v) => v,
          (e: Error) => e?.constructor?.name,
        ),
        late,
      ]),
    ),
  );
}

async function drainImap(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe.each(matrix(import.meta.url))('Pool edges in %s context', (context) => {
  it.each([
    ['before its workers are up', false],
    ['once its workers are up', true],
  ])(
    'terminate() in the same turn as the calls settles every one with PoolClosedError (%s)',
    async (_when, warm) => {
      const pool = makePool({ processes: 2, context });
      if (warm) await pool.map(t.echo, [1, 2, 3, 4]);
      const calls = [
        pool.apply(t.sleep, [50]),
        pool.applyAsync(t.sleep, [50]),
        pool.map(t.echo, [1, 2, 3]),
        pool.mapAsync(t.echo, [1, 2, 3]),
        pool.starmap(t.echo, [[1], [2]]),
        drainImap(pool.imap(t.echo, [1, 2, 3])),
        drainImap(pool.imapUnordered(t.echo, [1, 2, 3])),
        ...Array.from({ length: 50 }, (_, i) => pool.applyAsync(t.echo, [i])),
      ];
      const settled = outcomes(calls); // handled before terminate() lets them reject
      await pool.terminate();
      const got = await settled;
      expect(new Set(got)).toEqual(new Set(['PoolClosedError']));
      await expect(pool.apply(t.echo, [1])).rejects.toBeInstanceOf(PoolClosedError);
    },
    30_000,
  );

  it('join() after close() waits for every call made before close(), even one not yet sent', async () => {
    const pool = makePool({ processes: 2, context });
    // Python: map_async(), close(), join() waits for the map. Here the awaited forms are still
    // between their admission and their first message when close() and join() run.
    const calls = [
      pool.map(t.echo, [1, 2, 3], { chunksize: 1 }),
      pool.apply(t.sleep, [20]),
      pool.starmap(t.echo, [[4], [5]]),
      pool.mapAsync(t.echo, [6, 7]),
      pool.applyAsync(t.echo, [8]),
    ];
    pool.close();
    let joined = false;
    const join = pool.join().then(() => {
      joined = true;
    });
    const got = await Promise.all(calls.map((c) => Promise.resolve(c).then((v) => [joined, v])));
    await join;
    expect(got).toEqual([
      [false, [1, 2, 3]],
      [false, 20],
      [false, [4, 5]],
      [false, [6, 7]],
      [false, 8],
    ]);
  }, 30_000);

  it('calls batched with a crashing one run once more with their Buffers and moved memory', async () => {
    const pool = makePool({ processes: 1, context });
    // Warm the task up so that its calls are batched.
    await Promise.all(Array.from({ length: 300 }, (_, i) => pool.applyAsync(t.echo, [i])));
    const buffer = (fill: number) => Buffer.alloc(1000, fill);
    const moved = move(new Uint8Array(1 << 20).fill(7));
    const calls = [
      pool.applyAsync(t.echo, [1]),
      pool.applyAsync(t.exit, [9]),
      pool.applyAsync(t.bytes, [buffer(5), 5]),
      pool.applyAsync(t.echo, [[buffer(6)]]),
      pool.applyAsync(t.bytes, [moved, 7]),
      pool.applyAsync(t.echo, [2]),
    ];
    const got = await outcomes(calls, 30_000);
    expect(got[0]).toBe(1);
    expect(got[1]).toBe('WorkerCrashedError');
    expect(got[2]).toEqual({ length: 1000, right: true });
    expect(Buffer.isBuffer((got[3] as Buffer[])[0])).toBe(true);
    expect((got[3] as Buffer[])[0]).toEqual(buffer(6));
    expect(got[4]).toEqual({ length: 1 << 20, right: true });
    expect(got[5]).toBe(2);
  }, 60_000);

  it('a call whose moved memory went to a worker that stopped before running it settles, never hangs', async () => {
    // Each worker serves one call: a call queued behind the first may reach the retiring worker,
    // which hands it back unrun. Moved memory cannot be sent twice: it must still run (it went
    // to a fresh worker) or fail with a SerializationError that says so.
    const pool = makePool({ processes: 1, context, maxTasksPerChild: 1 });
    const calls = Array.from({ length: 4 }, (_, i) =>
      pool.apply(t.bytes, [move(new Uint8Array(1000).fill(i + 1)), i + 1]).catch((error: Error) => error),
    );
    for (const got of await outcomes(calls, 30_000)) {
      if (got instanceof Error) {
        expect(got).toBeInstanceOf(SerializationError);
        expect(got.message).toMatch(/move\(\)/);
      } else expect(got).toEqual({ length: 1000, right: true });
    }
  }, 60_000);

  it('batched calls that each get() from a JoinableQueue they were passed receive every item once', async () => {
    const pool = makePool({ processes: 2, context });
    const n = 50;
    for (let round = 0; round < 3; round++) {
      const jq = new JoinableQueue<number>();
      queues.push(jq);
      const calls = Array.from({ length: n }, () => pool.applyAsync(t.takeOne, [jq]));
      for (let i = 0; i < n; i++) await jq.put(i);
      const got = (await outcomes(calls, 60_000)) as number[];
      expect(got.filter((v) => typeof v !== 'number')).toEqual([]);
      expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      await jq.join();
    }
  }, 200_000); // 150 calls in three rounds: about 12 s in CI, 38 s once under its full load
});

describe('Pool edges in thread context', () => {
  // Full tier only: on a machine as loaded as CI's, a thread can take longer than the pool's
  // LOADING_MS wait to load, and is then stopped mid-load on purpose (Node 20 leaks that fd).
  it.runIf(FULL_TESTS)(
    'terminate() while its workers are still loading leaves no file descriptor open',
    async () => {
      // Node 20's module loader leaks the descriptor of the file it is reading when its thread is
      // terminated mid-load; the pool lets a starting thread finish loading before it stops it.
      const fds = () =>
        readdirSync('/proc/self/fd').flatMap((fd) => {
          try {
            return [readlinkSync(`/proc/self/fd/${fd}`)];
          } catch {
            return [];
          }
        });
      const warm = makePool({ processes: 1, context: 'thread' });
      await warm.apply(t.echo, [1]);
      await warm.terminate();
      const before = fds();
      for (let i = 0; i < 40; i++) {
        const pool = makePool({ processes: 2, context: 'thread' });
        await new Promise((resolve) => setTimeout(resolve, (i * 7) % 50));
        await pool.terminate();
      }
      const extra = fds().filter((target) => !before.includes(target));
      expect(extra.filter((target) => target.endsWith('.js'))).toEqual([]);
    },
    120_000,
  ); // 40 pools: about 1 s each while the other test files run on 2 cores
});
