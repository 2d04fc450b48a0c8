// A pipe end put on a queue travels inside the queue's item: its copy is reserved at its home when
// the value is encoded and claimed when someone gets the item. The item owns that reservation, so
// when the item is dropped without being got (the queue is gone: every handle of it closed or
// ended; or the put was refused: full queue, timed out), the reservation is released and the
// pipe's other end sees EOFError once nothing else holds it (CONTRACT: a recv() never waits forever
// on a peer that is gone). Before, the reservation counted as a live handle for good.
import { EOFError, Pipe, Queue } from '@multiproc/ipc';
import { Event } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import type { Context } from './helpers.js';

const { tasks, SlowDecode } = await import(new URL('./fixtures/carried-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

/** The end sees EOF within `ms`: poll() answers true and recv() rejects with EOFError. */
async function seesEof(end: ReturnType<typeof Pipe>[0], ms = 10_000): Promise<void> {
  expect(await end.poll(ms)).toBe(true);
  await expect(end.recv()).rejects.toBeInstanceOf(EOFError);
}

describe('an item dropped at home', () => {
  it('a queue closed here with a pipe end in it never got: the other end sees EOF', async () => {
    const [mine, theirs] = Pipe();
    const q = new Queue<unknown>();
    await q.put({ end: theirs });
    theirs.close();
    await q.close();
    await seesEof(mine);
  });

  it('a refused putNowait(): the copy it reserved is released', async () => {
    const [mine, theirs] = Pipe();
    const q = new Queue<unknown>({ maxsize: 1 });
    q.putNowait('x');
    expect(() => q.putNowait(theirs)).toThrow(expect.objectContaining({ code: 'MP_QUEUE_FULL' }));
    await expect(q.put([theirs], { timeout: 10 })).rejects.toMatchObject({ code: 'MP_QUEUE_FULL' });
    theirs.close();
    await seesEof(mine);
    expect(await q.get()).toBe('x');
  });
});

describe('a value the codec or structured clone refused part-way', () => {
  it('a put or send whose later part cannot be sent: the pipe end before it is released', async () => {
    const ends = Array.from({ length: 4 }, () => Pipe());
    const [e0, e1, e2, e3] = ends.map(([, theirs]) => theirs);
    const q = new Queue<unknown>();
    const [, sendEnd] = Pipe<unknown>();
    // The codec refuses a symbol; structured clone refuses a Proxy the codec let through.
    await expect(q.put([e0, Symbol('no')])).rejects.toMatchObject({ code: 'MP_SERIALIZATION' });
    expect(() => q.putNowait({ end: e1, p: new Proxy({}, {}) })).toThrow(
      expect.objectContaining({ code: 'MP_SERIALIZATION' }),
    );
    expect(() => sendEnd.send([e2, () => 1])).toThrow(expect.objectContaining({ code: 'MP_SERIALIZATION' }));
    expect(() => sendEnd.send(new Map([[e3, new Proxy([], {})]]))).toThrow(
      expect.objectContaining({ code: 'MP_SERIALIZATION' }),
    );
    for (const [, theirs] of ends) theirs.close();
    for (const [mine] of ends) await seesEof(mine);
    expect(q.qsize()).toBe(0);
    await q.close();
  });
});

describe('a thread worker that took the item', () => {
  it('and was stopped before it decoded the end in it: the end is released', async () => {
    const [mine, theirs] = Pipe();
    const q = new Queue<unknown>();
    // Decoded in order: the worker is stopped inside SlowDecode's decoder, before the pipe end's.
    await q.put([new SlowDecode(), theirs]);
    theirs.close();
    const started = new Event();
    const p = startProcess('thread', tasks.takeSlowly, [q, started]);
    expect(await started.wait(20_000)).toBe(true);
    expect(q.qsize()).toBe(0); // taken: its thread counted it got
    p.kill();
    await p.join();
    await seesEof(mine);
  });
});

describe.each(matrix(import.meta.url))('a %s worker', (context) => {
  it('holds the queue and ends; the parent closes its own: the end in the item is released', async () => {
    const [mine, theirs] = Pipe();
    const q = new Queue<unknown>();
    const p = startProcess(context, tasks.holds, [q]);
    await q.put(theirs);
    theirs.close();
    await q.close();
    await p.join();
    await seesEof(mine);
  });

  it('holds the queue and ends last: the end in the item is released when it ends', async () => {
    const [mine, theirs] = Pipe();
    const q = new Queue<unknown>();
    const [gate, gateEnd] = Pipe<string>();
    const p = startProcess(context, tasks.holds, [q, gateEnd]);
    await q.put([1, { end: theirs }]);
    theirs.close();
    await q.close();
    expect(await mine.poll(200)).toBe(false); // the worker could still take it
    gate.send('end');
    await p.join();
    await seesEof(mine);
  });

  it('puts the end on a queue of its own and ends: the end in the item is released', async () => {
    const [mine, theirs] = Pipe();
    const p = startProcess(context, tasks.putInOwnQueue, [theirs]);
    theirs.close();
    await p.join();
    await seesEof(mine);
  });

  it.each(['nowait', 'timeout'])(
    'whose put (%s) of a pipe end is refused releases its copy',
    async (form) => {
      const [mine, theirs] = Pipe();
      const q = new Queue<unknown>({ maxsize: 1 });
      q.putNowait('x');
      const [report, reportEnd] = Pipe<string>();
      const p = startProcess(context, tasks.putRefused, [q, theirs, form, reportEnd]);
      theirs.close();
      expect(await report.recv()).toBe('MP_QUEUE_FULL');
      await p.join();
      await seesEof(mine);
      expect(q.qsize()).toBe(1);
    },
  );
});
