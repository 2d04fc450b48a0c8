// A queue copy's synchronous methods in a worker (thread and process) tell the truth about the one
// queue every holder shares, as in Python: `maxsize` holds for `putNowait()` and `put({ timeout })`
// wherever they are called, also with producers in several workers at once; `qsize()`, `empty()`
// and `full()` agree with the parent's once puts settled; `getNowait()` takes an item that is
// there. `Process` comes from the core package's build, which turbo builds before these tests run.
import { Pipe, Queue } from '@multiproc/ipc';
import { RawArray } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/sync-tasks.mjs', import.meta.url).href);

const start = startProcess;

afterEach(killProcesses);

// Takes the items qsize() counts, then checks none is left. What a worker put may still be on its
// way (qsize() counts it at once, as Python's semaphore does before its feeder thread sends it), so
// each get waits for its item.
async function takeAll(q: Queue<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let n = q.qsize(); n > 0; n--) out.push(await q.get({ timeout: 10_000 }));
  expect(q.qsize()).toBe(0);
  expect(() => q.getNowait()).toThrow(expect.objectContaining({ code: 'MP_QUEUE_EMPTY' }));
  return out;
}

describe.each(matrix(import.meta.url))('a queue copy in a worker (%s)', (context) => {
  it('putNowait() in a worker stops at maxsize with QueueFullError', async () => {
    const q = new Queue<number>({ maxsize: 3 });
    await q.put(-1);
    const [report, theirs] = Pipe<{ ok: number; full: number }>();
    start(context, tasks.putNowaitMany, [q, theirs, null, 6]);
    expect(await report.recv()).toEqual({ ok: 2, full: 4 });
    expect(q.qsize()).toBe(3);
    expect(q.full()).toBe(true);
    expect(await takeAll(q)).toEqual([-1, 0, 1]);
  });

  it('put({ timeout }) in a worker stops at maxsize with QueueFullError', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const [report, theirs] = Pipe<{ ok: number; full: number }>();
    start(context, tasks.putTimeoutMany, [q, theirs, null, 4, 20]);
    expect(await report.recv()).toEqual({ ok: 2, full: 2 });
    expect(q.qsize()).toBe(2);
    expect(await takeAll(q)).toEqual([0, 1]);
  });

  it('producers in several workers at once never put more than maxsize items', async () => {
    const maxsize = 5;
    const q = new Queue<number>({ maxsize });
    const [report, theirs] = Pipe<{ ok: number; full: number }>();
    const gates = [Pipe(), Pipe(), Pipe(), Pipe()];
    for (const [i, [, gate]] of gates.entries()) {
      start(context, i % 2 === 0 ? tasks.putNowaitMany : tasks.putTimeoutMany, [q, theirs, gate, 8, 5]);
    }
    for (const [go] of gates) go.send('go');
    const counts = await Promise.all(gates.map(() => report.recv()));
    expect(counts.reduce((n, c) => n + c.ok, 0)).toBe(maxsize);
    expect(counts.reduce((n, c) => n + c.ok + c.full, 0)).toBe(4 * 8);
    expect(q.qsize()).toBe(maxsize);
    expect(await takeAll(q)).toHaveLength(maxsize);
  });

  it("putNowait() in a worker does not overtake that worker's put() still on its way", async () => {
    const q = new Queue<string>({ maxsize: 1 });
    const [report, theirs] = Pipe<{ ok: boolean; value: unknown }>();
    start(context, tasks.putThenPutNowait, [q, theirs]);
    // The put came first: it takes the one place, and putNowait() finds the queue full.
    expect(await report.recv()).toEqual({ ok: false, value: 'MP_QUEUE_FULL' });
    expect(await takeAll(q)).toEqual(['first']);
  });

  it("putNowait() in a worker leaves the room its get freed to the parent's put already waiting", async () => {
    const q = new Queue<string>({ maxsize: 1 });
    const [report, theirs] = Pipe<{ got: string; ok: boolean; value: unknown }>();
    const [steps, stepsTheirs] = Pipe<string>();
    start(context, tasks.observe, [q, theirs, stepsTheirs]);
    await q.put('a');
    const waiting = q.put('b'); // full: waits for room, first in line
    steps.send('getThenPutNowait');
    // As the parent's own putNowait() would: the freed place is the waiting put's.
    expect(await report.recv()).toEqual({ got: 'a', ok: false, value: 'MP_QUEUE_FULL' });
    await waiting;
    expect(await takeAll(q)).toEqual(['b']);
    steps.send('stop');
  });

  it('putNowait() in a worker takes freed room again once the waiting put gave up', async () => {
    const q = new Queue<string>({ maxsize: 1 });
    const [report, theirs] = Pipe<{ got: string; ok: boolean; value: unknown }>();
    const [steps, stepsTheirs] = Pipe<string>();
    start(context, tasks.observe, [q, theirs, stepsTheirs]);
    await q.put('a');
    await expect(q.put('b', { timeout: 20 })).rejects.toMatchObject({ code: 'MP_QUEUE_FULL' });
    steps.send('getThenPutNowait');
    expect(await report.recv()).toEqual({ got: 'a', ok: true });
    expect(await takeAll(q)).toEqual(['from worker']);
    steps.send('stop');
  });

  it('qsize(), empty() and full() in a worker agree with the parent once puts settled', async () => {
    const q = new Queue<string>({ maxsize: 3 });
    const [report, theirs] = Pipe<{ qsize: number; empty: boolean; full: boolean }>();
    const [steps, stepsTheirs] = Pipe<string>();
    start(context, tasks.observe, [q, theirs, stepsTheirs]);
    steps.send('state');
    expect(await report.recv()).toEqual({ qsize: 0, empty: true, full: false });
    await q.put('a');
    await q.put('b');
    steps.send('state');
    expect(await report.recv()).toEqual({ qsize: 2, empty: false, full: false });
    await q.put('c');
    steps.send('state');
    expect(await report.recv()).toEqual({ qsize: 3, empty: false, full: true });
    expect([q.qsize(), q.empty(), q.full()]).toEqual([3, false, true]);
    await q.get();
    steps.send('state');
    expect(await report.recv()).toEqual({ qsize: 2, empty: false, full: false });
    steps.send('stop');
  });

  it('getNowait() in a worker takes an item the parent put, and throws QueueEmptyError when none is left', async () => {
    const q = new Queue<string>();
    const [report, theirs] = Pipe<{ ok: boolean; value: unknown }>();
    const [steps, stepsTheirs] = Pipe<string>();
    start(context, tasks.observe, [q, theirs, stepsTheirs]);
    steps.send('getNowait');
    expect(await report.recv()).toEqual({ ok: false, value: 'MP_QUEUE_EMPTY' });
    await q.put('first');
    await q.put('second');
    steps.send('getNowait');
    expect(await report.recv()).toEqual({ ok: true, value: 'first' });
    steps.send('getNowait');
    expect(await report.recv()).toEqual({ ok: true, value: 'second' });
    steps.send('getNowait');
    expect(await report.recv()).toEqual({ ok: false, value: 'MP_QUEUE_EMPTY' });
    expect(q.qsize()).toBe(0);
    steps.send('stop');
  });

  it('putNowait() in a worker and in the parent share one maxsize', async () => {
    const q = new Queue<string>({ maxsize: 2 });
    const [report, theirs] = Pipe<{ ok: boolean; value: unknown }>();
    const [steps, stepsTheirs] = Pipe<string>();
    start(context, tasks.observe, [q, theirs, stepsTheirs]);
    q.putNowait('from parent');
    steps.send('putNowait');
    expect(await report.recv()).toEqual({ ok: true });
    expect(() => q.putNowait('again')).toThrow(expect.objectContaining({ code: 'MP_QUEUE_FULL' }));
    steps.send('putNowait');
    expect(await report.recv()).toEqual({ ok: false, value: 'MP_QUEUE_FULL' });
    expect(q.qsize()).toBe(2);
    expect(await q.get()).toBe('from parent');
    steps.send('putNowait');
    expect(await report.recv()).toEqual({ ok: true });
    steps.send('state');
    expect(await report.recv()).toEqual({ qsize: 2, empty: false, full: true });
    expect(await q.get()).toBe('from worker');
    expect(await q.get()).toBe('from worker');
    steps.send('stop');
  });
});

describe('a queue copy in a worker thread that is killed', () => {
  it('gives back the room it took for an item that never left the thread', async () => {
    const q = new Queue<string>({ maxsize: 2 });
    const flag = new RawArray('i', 1);
    const p = start('thread', tasks.putNowaitThenSpin, [q, flag]);
    for (let i = 0; i < 2000 && flag.get(0) === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(flag.get(0)).toBe(1);
    expect(q.qsize()).toBe(2); // counted at once, though an item is still in the worker
    p.kill();
    await p.join();
    // What arrived is counted, what never left is not: takeAll() gets exactly qsize() items.
    // (The second put stays in the worker unless a preemption of over 1 ms fell between the two.)
    const arrived = await takeAll(q);
    expect(arrived).toEqual(['sent', 'never sent'].slice(0, arrived.length));
    q.putNowait('a');
    q.putNowait('b');
    expect(q.full()).toBe(true);
    expect(await takeAll(q)).toEqual(['a', 'b']);
  });
});
