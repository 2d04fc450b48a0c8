import {
  Barrier,
  BrokenBarrierError,
  Condition,
  JoinableQueue,
  Process,
  Queue,
  Semaphore,
  SimpleQueue,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/bugs-43-tasks.mjs';
import { CONTEXTS, eventually, poolsEndedAfterEach, runProgram, sleep } from './report-helpers.ts';

const pool = poolsEndedAfterEach();

describe.each(CONTEXTS)('CPython multiprocessing bug reports (43), %s context', (context) => {
  // bpo-35311 (gh-79492): an exception that could not be unpickled hung the Pool forever.
  it('bpo-35311: a task throwing a symbol or a function rejects with an Error naming it; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    for (const kind of ['symbol', 'function'] as const) {
      const error = await p.apply(t.throwValue, [kind]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(kind === 'symbol' ? /Symbol\(boom\)/ : /handler/);
    }
    expect(await p.apply(t.identity, ['next'])).toBe('next');
  });

  // pebble #132: map with chunksize > 1 and a timeout.
  it('pebble #132: map with chunksize 2 whose chunk outlasts its timeout rejects; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const error = await p
      .map(t.sleep, [5, 5, 10_000, 5], { chunksize: 2, timeout: 200 })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(await p.map(t.identity, [1, 2, 3], { chunksize: 2 })).toEqual([1, 2, 3]);
  });

  // IMapIterator.next(timeout): a TimeoutError does not consume the result it waited for.
  it('imap next(ms) that times out leaves that result to the next call', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context });
    const it = p.imap(t.sleep, [300, 5]);
    const first = await it.next(20).catch((e: unknown) => e);
    expect((first as Error).name).toBe('TimeoutError');
    expect(await it.next()).toEqual({ value: 300, done: false });
    expect(await it.next()).toEqual({ value: 5, done: false });
    expect((await it.next()).done).toBe(true);
  });

  // A value is never lost silently: a getter killed while blocked in get() must not swallow the next item.
  it('an item put after its only getter was killed mid-get() is got by the next reader', {
    timeout: 30_000,
  }, async () => {
    for (const q of [new Queue<string>(), new SimpleQueue<string>(), new JoinableQueue<string>()]) {
      const getter = new Process({ target: t.getOne, args: [q], context });
      getter.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      getter.kill();
      await getter.join();
      await q.put('x');
      const p = pool({ processes: 1, context });
      expect(await p.apply(t.getOne, [q], { timeout: 10_000 })).toBe('x');
      q.close();
    }
  });

  // bpo-41761: a Queue holding a reasonable amount of data kept the program from exiting.
  it('bpo-41761: a program leaving 20 MB unread on a queue, put there by itself and a joined child, ends', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-43-program.mjs', ['unread-queue', context]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('JOINED 0 200');
  });
});

describe('CPython multiprocessing synchronisation reports (43)', () => {
  // gh-123899: Barrier.wait(timeout) never returned once a party waiting at it was terminated.
  it('gh-123899: a party killed while waiting breaks the barrier; the others do not wait; reset() reuses it', {
    timeout: 20_000,
  }, async () => {
    const bar = new Barrier(3);
    const doomed = new Process({ target: t.barrierWait, args: [bar] });
    doomed.start();
    while (bar.nWaiting < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    doomed.kill();
    await doomed.join();
    await expect(bar.wait(5000)).rejects.toBeInstanceOf(BrokenBarrierError);
    bar.reset();
    const party = new Process({ target: t.barrierWait, args: [bar] });
    party.start();
    const indexes = await Promise.all([bar.wait(10_000), bar.wait(10_000)]);
    await party.join();
    expect(party.exitCode).toBe(0);
    expect(indexes.every((i) => i >= 0 && i < 3)).toBe(true);
  });

  // bpo-29293: Condition.notify(n) woke one waiter or all of them, not n. Each worker tells that it
  // waits while it holds the lock, so once this side holds the lock all four wait, however slowly
  // they started (a fixed pause before notify() raced them on a loaded machine); the two left
  // waiting are woken by notifyAll() instead of being left to time out.
  it('bpo-29293: notify(2) wakes exactly two of four waiting workers', { timeout: 60_000 }, async () => {
    const cond = new Condition();
    const sleeping = new Semaphore(0);
    const woken = new Semaphore(0);
    const p = pool({ processes: 4 });
    await Promise.all([0, 1, 2, 3].map(() => p.apply(t.identity, [0]))); // four workers up
    const waits = [0, 1, 2, 3].map(() => p.apply(t.condWait, [cond, sleeping, woken, 30_000]));
    for (let i = 0; i < 4; i++) expect(await sleeping.acquire(30_000)).toBe(true);
    await cond.acquire();
    cond.notify(2);
    cond.release();
    expect(await eventually(() => woken.getValue() >= 2, 30_000)).toBe(true);
    await sleep(300); // a third waiter woken by notify(2) would show by now
    expect(woken.getValue()).toBe(2);
    await cond.acquire();
    cond.notifyAll();
    cond.release();
    expect(await Promise.all(waits)).toEqual([true, true, true, true]);
  });
});
