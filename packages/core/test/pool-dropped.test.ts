// A Pool the program dropped without close()/terminate(): Python's finalizer terminates it once it
// is collected (CPython `_TestPool.test_del_pool`, and `Pool.__del__`'s "unclosed running
// multiprocessing pool"), so a long-running program that forgets close() does not keep every
// pool's workers for its whole life. A pending call keeps its pool alive.
import { existsSync, readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pool } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/pool-start-tasks.mjs';
import { isRunning, runProgram } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
// How long a program of dropped pools may run before it counts as hung: 30 'thread' pools took
// 41 s alone on 2 busy cores, over 80 s beside a full test run there. What the tests check is what
// the program counts, not its speed.
const PROGRAM_MS = 240_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects until `done()` holds (finalizers run in a later task), for at most `ms`. */
async function collectUntil(done: () => boolean, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    if (done()) return true;
    await sleep(50);
  }
  return done();
}

/** This process's OS threads (a worker thread is one). */
const threads = () => readdirSync('/proc/self/task').length;

describe.each(matrix(import.meta.url))('a dropped pool (%s)', (context) => {
  it('is collected, used or not, and its workers end', { timeout: 90_000 }, async () => {
    const linux = existsSync('/proc/self/task');
    const before = linux ? threads() : 0;
    const refs: WeakRef<Pool>[] = [];
    // In a frame of its own: the test's frame may keep its last locals alive.
    const make = async (): Promise<number[]> => {
      const used = new Pool({ processes: 2, context });
      refs.push(new WeakRef(used), new WeakRef(new Pool({ processes: 1, context })));
      return used.map(t.pid, [1, 2, 3, 4], { chunksize: 1 });
    };
    const pids = await make();
    expect(await collectUntil(() => refs.every((ref) => ref.deref() === undefined))).toBe(true);
    if (context === 'process') {
      const children = pids.filter((pid) => pid !== process.pid);
      expect(children.length).toBeGreaterThan(0);
      expect(await collectUntil(() => children.every((pid) => !isRunning(pid)))).toBe(true);
    } else if (linux) {
      expect(await collectUntil(() => threads() <= before)).toBe(true);
    }
  });

  // Without a forced collection: V8 sees a pool as a few kilobytes (its workers' memory is not on
  // this thread's heap), so before pools carried a weight (`gc-weight.ts`) every dropped pool of a
  // loop stayed alive, workers and all: 30 of 30 here, 295 threads after 200 'thread' pools.
  it('does not pile up when a loop drops one pool after another', {
    timeout: PROGRAM_MS + 10_000,
  }, async () => {
    const count = context === 'thread' ? 30 : 12;
    const run = await runProgram('dropped-pools.mjs', [context, String(count)], {}, PROGRAM_MS);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const most = JSON.parse(run.stdout) as { alive: number; threads: number; children: number };
    // Seen: at most 5 alive, 21 threads (Node's own: 11 on Node 20, 7 on 22 and 24), 10 children.
    expect(most.alive).toBeLessThanOrEqual(8);
    if (!existsSync('/proc/self/task')) return;
    if (context === 'thread') expect(most.threads).toBeLessThanOrEqual(12 + 2 * 10);
    else expect(most.children).toBeLessThanOrEqual(2 * 10);
  });

  // The weight must not cost a program that ends its pools: a stopped pool's weight goes to the
  // next pool. Left to the collector, it made V8 run a major collection every second pool (7 in
  // 12 here, +8 ms of CPU on each 'process' pool's start); now 1, the first weight's.
  it.each(['terminate', 'join'])(
    'brings no collection to pools ended by %s()',
    { timeout: PROGRAM_MS + 10_000 },
    async (end) => {
      const run = await runProgram('dropped-pools.mjs', [context, '12', end], {}, PROGRAM_MS);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect((JSON.parse(run.stdout) as { majorGCs: number }).majorGCs).toBeLessThanOrEqual(2);
    },
  );

  it('is kept alive by a pending call, which completes', { timeout: 60_000 }, async () => {
    const call = new Pool({ processes: 1, context }).apply(t.square, [7]);
    for (let i = 0; i < 5; i++) {
      await sleep(20);
      gc();
    }
    expect(await call).toBe(49);
    // Fire and forget: the AsyncResult dropped too, a callback takes the result.
    const called = new Promise((callback) => {
      new Pool({ processes: 1, context }).applyAsync(t.square, [5], { callback });
    });
    for (let i = 0; i < 5; i++) {
      await sleep(20);
      gc();
    }
    expect(await called).toBe(25);
    const results = new Pool({ processes: 1, context }).imap(t.square, [1, 2, 3], { chunksize: 1 });
    const seen: number[] = [];
    for await (const r of results) {
      gc();
      await sleep(20);
      seen.push(r);
    }
    expect(seen).toEqual([1, 4, 9]);
  });
});
