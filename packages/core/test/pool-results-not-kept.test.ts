// What a pool keeps of its calls once they settled: nothing (CPython `_TestPool.
// test_release_task_refs`, bpo-29861: "task arguments and results should not be kept alive after
// we are done with them"). An idle worker must not pin the last results it sent, whatever kind
// of call they came from. Both contexts in CI: a process pool's adapter kept the last batch
// tinypool posted from its queue (session 56), which a thread pool has no part in.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/pool-start-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects in later turns (a WeakRef read in a turn keeps its target until the turn ends). */
async function collect(): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

describe.each(['thread', 'process'] as const)('results a pool no longer needs (%s)', (context) => {
  it('are collectable once the caller dropped them: map, apply, applyAsync, imap', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 2, context });
    const refs: WeakRef<object>[] = [];
    // In a frame of its own: the test's frame may keep its last locals alive.
    const run = async () => {
      for (const r of await pool.map(t.big, [1, 1, 1, 1], { chunksize: 1 })) refs.push(new WeakRef(r));
      refs.push(new WeakRef(await pool.apply(t.big, [1])));
      refs.push(new WeakRef(await pool.applyAsync(t.big, [1]).get(10_000)));
      for await (const r of pool.imap(t.big, [1, 1], { chunksize: 1 })) refs.push(new WeakRef(r));
    };
    await run();
    await collect();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(await pool.apply(t.square, [3])).toBe(9); // the pool goes on
  });
  it('a call that waited for a busy worker is collectable once the caller dropped it', {
    timeout: 60_000,
  }, async () => {
    // Its batch waits in the queue for the one worker, and is posted to it once the call before
    // ends: a child's adapter kept the last batch posted so (and with it its results) until the
    // pool's next post.
    const pool = makePool({ processes: 1, context });
    const refs: WeakRef<object>[] = [];
    const run = async () => {
      const busy = pool.applyAsync(t.sleep, [300]);
      await new Promise((resolve) => setImmediate(resolve)); // its batch is posted: the worker is busy
      const queued = pool.applyAsync(t.big, [1]);
      await busy.get(10_000);
      refs.push(new WeakRef(await queued.get(10_000)));
    };
    await run();
    await collect();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(await pool.apply(t.square, [3])).toBe(9); // the pool goes on
  });
  it('an open imap with a timeout keeps no result its loop has read, the first (read at the call) too', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 2, context });
    const refs: WeakRef<object>[] = [];
    function* endless() {
      for (;;) yield 1;
    }
    // A call with a timeout starts at the call, before its loop asks: its first step used to stay
    // referenced, with its results, for as long as the call lived.
    const results = pool.imap(t.big, endless(), { timeout: 60_000, chunksize: 1 });
    const run = async () => {
      for await (const r of results) {
        refs.push(new WeakRef(r as object));
        if (refs.length === 40) return;
      }
    };
    await run();
    // The call goes on (its timeout is a minute away), so a result it kept stays kept however long
    // this waits; one on its way out (a step the loop had just left, under load) goes within 2 s.
    const kept = () => refs.slice(0, 30).filter((ref) => ref.deref() !== undefined).length;
    for (const end = performance.now() + 2000; kept() > 0 && performance.now() < end; ) {
      await collect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(kept()).toBe(0);
  });
});
