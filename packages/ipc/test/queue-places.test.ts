// A bounded queue's copy in a child process calls putNowait() while the queue's home (this
// program) holds its event loop: Python's put_nowait() on a queue with room never raises Full
// because another process is busy (it takes a shared semaphore). Here the copy spends a place the
// home granted it ahead, with its first put (protocol/places.ts); before, it asked the home and
// threw QueueFullError after 1 s without an answer. A thread copy reads the queue's count in shared
// memory and never asked. The invariants that come with places: never more than maxsize items held
// (producers in threads and processes racing), qsize() counts items only, places a copy holds go
// back when the home recalls them or the copy's process is killed, put() waits for them.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/room-places-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const BUSY_MS = 1500; // past the 1 s a copy waits for its home's answer
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Takes the items qsize() counts (what a worker put may still be on its way), then checks none is left.
async function takeAll(q: Queue<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let n = q.qsize(); n > 0; n--) out.push(await q.get({ timeout: 10_000 }));
  expect(q.qsize()).toBe(0);
  return out;
}

describe.each(['process', 'thread'] as const)('putNowait() in a %s while the home is busy', (context) => {
  it('puts into a queue with room, without waiting for the home', async () => {
    const q = new Queue<unknown>({ maxsize: 64 });
    const [ctl, theirs] = Pipe<unknown>();
    const done = join(mkdtempSync(join(tmpdir(), 'mp-places-')), 'done');
    start(context, tasks.putWhileHomeBusy, [q, theirs, 4, done]);
    expect(await ctl.recv()).toBe('warm');
    await sleep(5); // a send after a quiet spell leaves at once
    const busyFrom = Date.now(); // before 'go', which a thread may get at once
    ctl.send('go');
    // The home's event loop is held past the 1 s a copy used to wait, and until the calls returned
    // (a loaded machine may start them late), at most 30 s.
    while ((Date.now() - busyFrom < BUSY_MS || !existsSync(done)) && Date.now() - busyFrom < 30_000);
    const busyTo = Date.now();
    const out = (await ctl.recv()) as { r: string; begin: number; end: number }[];
    expect(out.map((o) => o.r)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // Each call ran while the home was busy, and returned at once.
    for (const o of out) {
      expect(o.begin).toBeGreaterThanOrEqual(busyFrom);
      expect(o.end).toBeLessThanOrEqual(busyTo);
      expect(o.end - o.begin).toBeLessThan(800); // the old path waited 1 s for the home
    }
    expect(await takeAll(q)).toEqual(['warm', 0, 1, 2, 3]);
    rmSync(dirname(done), { recursive: true, force: true });
  });
});

function start(context: 'thread' | 'process', target: unknown, args: unknown[]) {
  return startProcess(context, target, args);
}

describe('places granted ahead to a copy in another process', () => {
  it('never let the queue hold more than maxsize: producers in threads and processes race', async () => {
    const maxsize = 24;
    const q = new Queue<number>({ maxsize });
    const [report, theirs] = Pipe<{ ok: number; full: number }>();
    const gates = [Pipe(), Pipe(), Pipe(), Pipe()];
    for (const [i, [, gate]] of gates.entries())
      start(i % 2 === 0 ? 'process' : 'thread', tasks.race, [q, theirs, gate, 20, i < 2 ? 0 : 3]);
    for (const [go] of gates) go.send('go');
    let mine = 0;
    for (let i = 0; i < 10; i++) {
      try {
        q.putNowait(-1);
        mine++;
      } catch {}
      await sleep(1);
    }
    const counts = await Promise.all(gates.map(() => report.recv()));
    const theirsOk = counts.reduce((n, c) => n + c.ok, 0);
    expect(counts.reduce((n, c) => n + c.ok + c.full, 0)).toBe(4 * 20);
    expect(theirsOk + mine).toBeLessThanOrEqual(maxsize);
    expect(q.qsize()).toBe(theirsOk + mine);
    expect(await takeAll(q)).toHaveLength(theirsOk + mine);
  });

  it('qsize() counts items only; the places come back once the queue nears full', async () => {
    const maxsize = 16;
    const q = new Queue<string>({ maxsize });
    const [ctl, theirs] = Pipe<unknown>();
    start('process', tasks.putOnceThenWait, [q, theirs]);
    // The copy holds places now (an eighth of maxsize): they are no items.
    expect(await ctl.recv()).toEqual({ qsize: 1, full: false, empty: false });
    expect([q.qsize(), q.full(), q.empty()]).toEqual([1, false, false]);
    // The copy's event loop runs: it gives its places back when the home recalls them, so the
    // home's putNowait() fills the queue to maxsize, as with Python's one semaphore.
    for (let i = 1; i < maxsize; i++) {
      q.putNowait(`home ${i}`);
      await sleep(10);
    }
    expect([q.qsize(), q.full()]).toEqual([maxsize, true]);
    expect(() => q.putNowait('past')).toThrow(expect.objectContaining({ code: 'MP_QUEUE_FULL' }));
    ctl.send('stop');
    expect(await takeAll(q)).toHaveLength(maxsize);
  });

  it('put() waits for places a copy holds and gives back when recalled', async () => {
    const maxsize = 16;
    const q = new Queue<string>({ maxsize });
    const [ctl, theirs] = Pipe<unknown>();
    start('process', tasks.putOnceThenWait, [q, theirs]);
    await ctl.recv();
    // Without yielding: the recall cannot be answered yet, so putNowait() finds the places taken...
    let n = 1;
    for (; n < maxsize; n++) {
      try {
        q.putNowait(`home ${n}`);
      } catch {
        break;
      }
    }
    expect(n).toBeGreaterThanOrEqual(maxsize - 2);
    // ...and put() waits for them as the copy gives them back.
    for (; n < maxsize; n++) await q.put(`home ${n}`, { timeout: 10_000 });
    expect([q.qsize(), q.full()]).toEqual([maxsize, true]);
    ctl.send('stop');
    expect(await takeAll(q)).toHaveLength(maxsize);
  });

  it('gives back the places of a copy whose process was SIGKILLed', async () => {
    const maxsize = 16;
    const q = new Queue<string>({ maxsize });
    const [ctl, theirs] = Pipe<unknown>();
    const p = start('process', tasks.putOnceThenSpin, [q, theirs]);
    expect(await ctl.recv()).toBe('put');
    p.kill();
    await p.join();
    expect(await q.get({ timeout: 10_000 })).toBe('one');
    // All the room is the queue's again: nothing held by the dead copy (the home learns of the
    // death when the copy's socket closes, which may come a little after join() on a loaded machine).
    for (let i = 0, end = Date.now() + 10_000; i < maxsize; ) {
      try {
        q.putNowait(`home ${i}`);
        i++;
      } catch (err) {
        if (Date.now() > end) throw err;
        await sleep(20);
      }
    }
    expect(q.full()).toBe(true);
    expect(() => q.putNowait('past')).toThrow(expect.objectContaining({ code: 'MP_QUEUE_FULL' }));
    expect(await takeAll(q)).toHaveLength(maxsize);
  });
});
