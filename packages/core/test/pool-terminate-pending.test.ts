// terminate() with calls in flight: each rejects with PoolClosedError, and only once terminate()
// has resolved, so a caller that awaits terminate() before the call sees no unhandled rejection
// (`const r = pool.apply(...); await pool.terminate(); await r.catch(...)`: the common shape of a
// test, which ended the program with an unhandled PoolClosedError while terminate() stopped the
// workers). Vitest fails a run that reports an unhandled rejection.
import { PoolClosedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/edge-tasks.mjs';
import { poolMaker } from './helpers.ts';

const pool = poolMaker();

describe.each(matrix(import.meta.url))('terminate() with calls in flight (%s)', (context) => {
  it('rejects each call with PoolClosedError after terminate() resolved, with no handler attached before', async () => {
    const p = pool({ processes: 1, context });
    const running = p.apply(tasks.sleep, [60_000]);
    const queued = p.apply(tasks.sleep, [1]);
    const mapped = p.map(tasks.sleep, [60_000, 1], { chunksize: 1 });
    const starmapped = p.starmap(tasks.sleep, [[60_000]]);
    const looped = (async () => {
      for await (const _ of p.imap(tasks.sleep, [60_000, 1], { chunksize: 1 })) {
        // never reached before terminate(): the pool's one worker sleeps for a minute
      }
    })();
    const unordered = p.imapUnordered(tasks.sleep, [60_000])[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    let resolved = false;
    await p.terminate().then(() => {
      resolved = true;
    });
    expect(resolved).toBe(true);
    for (const call of [running, queued, mapped, starmapped, looped, unordered]) {
      await expect(call).rejects.toBeInstanceOf(PoolClosedError);
    }
  }, 30_000);

  it('still rejects at once a call that fails on its own while the pool runs', async () => {
    const p = pool({ processes: 1, context });
    await expect(p.apply(tasks.exit, [3])).rejects.toThrow();
    expect(await p.apply(tasks.echo, [5])).toBe(5);
  }, 30_000);
});

// A thread that dies of an uncaught error just as terminate() stops the pool: tinypool's own handler
// of that error refilled the pool to its floor after destroy() had removed every worker, and those
// new workers were never stopped (a full-tier chaos run ended with 3 workers created and never
// destroyed; stats().workers read 3 after terminate()).
describe('terminate() beside a thread dying of its own error', () => {
  it('leaves no worker running: none is started while the pool is being destroyed', async () => {
    const p = pool({ processes: 2, context: 'thread' });
    const created = new Set<number>();
    const destroyed = new Set<number>();
    p.on('workerCreate', (w) => created.add(w.id));
    p.on('workerDestroy', (w) => destroyed.add(w.id));
    await p.map(tasks.echo, [1, 2, 3, 4], { chunksize: 1 }); // both workers up
    const cells = new Int32Array(new SharedArrayBuffer(4));
    expect(await p.apply(tasks.throwAfterReturn, [cells.buffer])).toBe('returned');
    // This thread handles no event until the worker has thrown, and a moment more for its error
    // to be posted: terminate() then stops the pool before the pool has read that error.
    Atomics.wait(cells, 0, 0, 10_000);
    Atomics.wait(cells, 0, 1, 200);
    await p.terminate();
    expect(p.stats().workers).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a start made now would be seen
    expect({ workers: p.stats().workers, left: [...created].filter((id) => !destroyed.has(id)) }).toEqual({
      workers: 0,
      left: [],
    });
  }, 30_000);
});
