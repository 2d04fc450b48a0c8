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
