// A worker the pool starts after its creation (a replacement after `maxTasksPerChild` or a crash,
// one started on demand) runs the pool's initializer as it starts, once, tasks or not, as Python's
// `_maintain_pool` starts a replacement that runs it at once. It used to run it only with its first
// task: a replacement left with no task never ran it. And as in Python (`_handle_workers` stops
// repopulating once the pool is closed and has no work left), a closed pool with nothing left to
// run starts no replacement.
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import type { Pool } from '../src/index.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/init-each-tasks.mjs';
import { poolMaker, reports } from './helpers.ts';

const makePool = poolMaker();
const queues: Queue<string>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

type Who = { worker: string; initializedIn: string | null };

/** A pool whose initializer reports each worker on a queue, and the workers it started (same keys). */
function watchedPool(options: ConstructorParameters<typeof Pool>[0] & { context: 'thread' | 'process' }) {
  const q = new Queue<string>();
  queues.push(q);
  const pool = makePool({ ...options, initializer: t.report, initargs: [q] });
  const started: string[] = [];
  // The fixture names a worker `${pid}:${threadId}` (a child's main thread is thread 0).
  pool.on('workerCreate', (w) => started.push(`${w.pid}:${w.threadId ?? 0}`));
  return { pool, q, started };
}

describe.each(matrix(import.meta.url))('the initializer in a worker started later (%s)', (context) => {
  it('runs in a replacement as it starts, with no task left for it', { timeout: 60_000 }, async () => {
    const { pool, q, started } = watchedPool({ processes: 2, maxTasksPerChild: 1, context });
    const first = (await pool.apply(t.who, [])) as Who;
    expect(first.initializedIn).toBe(first.worker);
    // The worker that ran the call retired; its replacement reports with no task given.
    const ran = await reports(q, 3);
    pool.close();
    await pool.join();
    expect(q.empty()).toBe(true);
    expect(new Set(ran).size).toBe(3);
    expect(ran.toSorted()).toEqual(started.toSorted());
  });

  it('runs once in every worker started for 4 calls under maxTasksPerChild 1', {
    timeout: 120_000,
  }, async () => {
    for (const submit of ['awaited', 'async'] as const) {
      const { pool, q, started } = watchedPool({ processes: 2, maxTasksPerChild: 1, context });
      const calls = [];
      for (let i = 0; i < 4; i++) {
        const call = pool.applyAsync(t.who, []).get();
        if (submit === 'awaited') await call;
        calls.push(call);
      }
      const seen = (await Promise.all(calls)) as Who[];
      pool.close();
      await pool.join();
      // Each worker started ran it once (replacements with no call too), and before its call.
      const ran = await reports(q, started.length);
      expect(ran.toSorted(), submit).toEqual(started.toSorted());
      expect(new Set(ran).size).toBe(ran.length);
      expect(new Set(seen.map((s) => s.worker)).size).toBe(4);
      for (const s of seen) expect(s.initializedIn).toBe(s.worker);
      q.close();
    }
  });

  it('starts no replacement once the pool is closed with nothing left to run', {
    timeout: 60_000,
  }, async () => {
    for (let i = 0; i < 3; i++) {
      const { pool, q, started } = watchedPool({ processes: 1, maxTasksPerChild: 1, context });
      const exited = new Promise((resolve) => pool.once('workerDestroy', resolve));
      const done = (await pool.apply(t.who, [])) as Who;
      pool.close();
      // The retired worker has exited (its replacement would start in the turns after) before join().
      await exited;
      await new Promise((resolve) => setImmediate(resolve));
      await pool.join();
      expect(started).toEqual([done.worker]);
      expect(await reports(q, 1)).toEqual([done.worker]);
      q.close();
    }
  });

  it('runs in a worker started on demand, and after one idled out', { timeout: 60_000 }, async () => {
    const { pool, q, started } = watchedPool({
      processes: 2,
      minProcesses: 0,
      idleTimeout: 1,
      context,
    });
    const exits: number[] = [];
    pool.on('workerDestroy', (w) => exits.push(w.id));
    const a = (await pool.apply(t.who, [])) as Who;
    // Wait (bounded by the test's timeout) until that worker has idled out.
    while (exits.length === 0) await new Promise((r) => setTimeout(r, 10));
    const b = (await pool.apply(t.who, [])) as Who;
    pool.close();
    await pool.join();
    expect(a.worker).not.toBe(b.worker);
    for (const s of [a, b]) expect(s.initializedIn).toBe(s.worker);
    expect((await reports(q, started.length)).toSorted()).toEqual(started.toSorted());
  });
});
