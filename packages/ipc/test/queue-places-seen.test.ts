// full() of a bounded Queue seen from each kind of holder while a copy in another process holds
// places (room granted ahead, protocol/places.ts) it cannot give back yet (its event loop is held).
// Python's full() is "the shared semaphore is at zero": exactly when put_nowait() would raise Full.
// The home and a thread copy count places as taken room; a copy in another process asked the home
// for its item count only, so its full() said false while its putNowait() threw QueueFullError.
import { Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/places-seen-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

describe.each(['process', 'thread'] as const)('full() in a %s copy while places are out', (context) => {
  it('says full exactly when putNowait() finds no room, as at home', { timeout: 30_000 }, async () => {
    const maxsize = 16;
    const q = new Queue<string>({ maxsize });
    const [ctl, theirs] = Pipe<unknown>();
    const holder = startProcess('process', tasks.putOnceThenSpin, [q, theirs]);
    expect(await ctl.recv()).toBe('put');
    // Fill at home without yielding: the holder's places stay out (it cannot answer a recall).
    let n = 1;
    while (!q.full()) {
      q.putNowait(`home ${n}`);
      n++;
    }
    const items = q.qsize();
    expect(items).toBeLessThan(maxsize); // places are out: room taken, no items
    expect(() => q.putNowait('past')).toThrow(expect.objectContaining({ code: 'MP_QUEUE_FULL' }));
    const [look, lookTheirs] = Pipe<unknown>();
    const p = startProcess(context, tasks.look, [q, lookTheirs]);
    expect(await look.recv()).toEqual({ qsize: items, full: true, put: 'full' });
    await p.join();
    holder.kill();
    await holder.join();
    // The holder's places came back with its end: the queue fills to maxsize.
    for (let i = 0; i < 100 && q.qsize() < maxsize; i++) {
      try {
        q.putNowait('more');
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    expect([q.qsize(), q.full()]).toEqual([maxsize, true]);
  });
});

describe('a putNowait() that spends a place', () => {
  it('sends its item at once: the copy may never yield again', { timeout: 30_000 }, async () => {
    const q = new Queue<number>({ maxsize: 128 });
    // Its first put asks for room (and places); the next nine spend places (16 granted).
    startProcess('process', tasks.putThenSpin, [q, 10]);
    // Python's feeder thread writes each while the process's code runs on; before, the puts that
    // spent a place waited in the copy's batch for a turn that never came (only 0 and 1 arrived).
    const got: unknown[] = [];
    got.push(await q.get({ timeout: 20_000 })); // the process starts (slow on a loaded machine)
    for (let i = 1; i < 10; i++) got.push(await q.get({ timeout: 2_000 }).catch(() => 'none'));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("a thread copy's putNowait() while a process copy holds places", () => {
  it('fills the queue to maxsize: the places are recalled', { timeout: 30_000 }, async () => {
    const maxsize = 16;
    const q = new Queue<unknown>({ maxsize });
    const [ctl, theirs] = Pipe<unknown>();
    startProcess('process', tasks.putOnceThenWait, [q, theirs]);
    expect(await ctl.recv()).toBe('put'); // its copy holds two places, its event loop free
    const [report, reportTheirs] = Pipe<unknown>();
    startProcess('thread', tasks.putNowaitTrying, [q, reportTheirs, maxsize, 100]);
    expect(await report.recv()).toBe(maxsize - 1);
    expect([q.qsize(), q.full()]).toEqual([maxsize, true]);
    ctl.send('stop');
  });
});
