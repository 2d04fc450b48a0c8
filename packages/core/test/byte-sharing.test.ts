// Typed arrays, DataViews, ArrayBuffers and Buffers that share a buffer arrive sharing it, each at
// its byteOffset, as structured clone (and a thread) gives them, on every route: a pool's
// arguments and results, a Queue and a Pipe (to a worker and within one thread), a manager dict.
// They used to arrive each over a private copy at offset 0 wherever a value went through Node's
// serializer (everything but a thread pool's calls), so a write through one no longer changed the
// others (bbJ 2). A Buffer still arrives as a Buffer.
import { getContext } from '@multiproc/core';
import { Manager } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { layout, makeBytes, tasks as t } from './fixtures/byte-sharing-tasks.mjs';
import { ownedWorkers } from './helpers.ts';

const own = ownedWorkers();
/** What structured clone gives, every route must give; but a Buffer arrives as a Buffer. */
function expected() {
  const want = layout(structuredClone(makeBytes()));
  want.buf[0] = 'Buffer';
  want.buf[5] = true;
  want.loneBuf = [true, 'hi'];
  return want;
}

describe.each(matrix(import.meta.url))('shared byte buffers in the %s context', (context) => {
  it('a pool call: arguments and results', { timeout: 30_000 }, async () => {
    const want = expected();
    expect(want.u8).toEqual(['Uint8Array', 4, 4, 16, true, true]);
    const pool = own.pool({ processes: 1, context });
    expect(await pool.apply(t.layout, [makeBytes()])).toEqual(want);
    expect(layout(await pool.apply(t.make, []))).toEqual(want);
    expect(await pool.map(t.layout, [makeBytes()])).toEqual([want]);
  });

  it('a Queue and a Pipe, to a worker and back, and within this thread', { timeout: 30_000 }, async () => {
    const want = expected();
    const ctx = getContext(context);
    const pool = own.pool({ processes: 1, context });
    const [qin, qout] = [ctx.Queue(), ctx.Queue()];
    const echoed = pool.apply(t.qecho, [qin, qout]);
    await qin.put(makeBytes());
    expect(layout(await qout.get())).toEqual(want);
    await echoed;
    const q = ctx.Queue();
    await q.put(makeBytes());
    expect(layout(await q.get())).toEqual(want);
    const [a, b] = ctx.Pipe();
    const piped = pool.apply(t.pecho, [b]);
    a.send(makeBytes());
    expect(layout(await a.recv())).toEqual(want);
    await piped;
    const [c, d] = ctx.Pipe();
    c.send(makeBytes());
    expect(layout(await d.recv())).toEqual(want);
    for (const end of [a, c, d]) end.close();
    for (const queue of [qin, qout, q]) queue.close();
  });
});

describe('shared byte buffers through a manager', () => {
  it('a dict value', { timeout: 30_000 }, async () => {
    const manager = Manager();
    try {
      const dict = manager.dict();
      await dict.set('k', makeBytes());
      expect(layout(await dict.get('k'))).toEqual(expected());
    } finally {
      await manager.shutdown();
    }
  });
});
