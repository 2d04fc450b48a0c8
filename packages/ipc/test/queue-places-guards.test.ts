// Guards of places (protocol/places.ts) that held when written (full tier: each starts processes):
// a copy closed holding places (close(), joinThread()) gives them back; a copy that handed the
// queue on to a process of its own and ended leaves the room whole; one producer in another
// process puts exactly maxsize, then finds the queue full, as in Python, at the boundaries of
// placesFor() (none at 7, one at 8 and 9, two at 16 and 17, sixteen at 130).
import { Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/places-seen-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

describe.each([false, true])('a copy closed holding places (joinThread: %s)', (join) => {
  it('gives them back: the queue fills to maxsize at home', { timeout: 30_000 }, async () => {
    const maxsize = 16;
    const q = new Queue<string>({ maxsize });
    const [ctl, theirs] = Pipe<unknown>();
    startProcess('process', tasks.putOnceCloseThenSpin, [q, theirs, join]);
    expect(await ctl.recv()).toBe('closed');
    for (let i = 0; i < 300 && q.qsize() < maxsize; i++) {
      try {
        q.putNowait('home');
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    expect([q.qsize(), q.full()]).toEqual([maxsize, true]);
  });
});

describe('a copy holding places hands the queue on', () => {
  it('to a process of its own, then ends: room is whole again', { timeout: 30_000 }, async () => {
    const maxsize = 16;
    const q = new Queue<unknown>({ maxsize });
    const [ctl, theirs] = Pipe<any>();
    startProcess('process', tasks.putThenHandOn, [q, theirs, 5]);
    const { exitCode } = await ctl.recv();
    expect(exitCode).toBe(0);
    expect(q.qsize()).toBe(6);
    ctl.send('stop');
    for (let i = 0; i < 300 && q.qsize() < maxsize; i++) {
      try {
        q.putNowait('home');
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    expect([q.qsize(), q.full()]).toEqual([maxsize, true]);
    const got: unknown[] = [];
    while (!q.empty()) got.push(q.getNowait());
    expect(got.slice(0, 6)).toEqual(['first', 0, 1, 2, 3, 4]);
  });
});

describe.each([7, 8, 9, 16, 17, 130])('one producer in another process, maxsize %i', (maxsize) => {
  it('puts exactly maxsize, then finds the queue full (Python)', { timeout: 30_000 }, async () => {
    const q = new Queue<number>({ maxsize });
    const [ctl, theirs] = Pipe<any>();
    startProcess('process', tasks.putNReport, [q, theirs, maxsize + 1]);
    const { out, full, qsize } = await ctl.recv();
    expect(out).toEqual([...Array(maxsize).fill('ok'), 'full']);
    expect([full, qsize, q.full(), q.qsize()]).toEqual([true, maxsize, true, maxsize]);
  });
});
