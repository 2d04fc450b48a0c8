// The cheap cases of bug-reports-60.test.ts, in the CI tier: public bug reports of Python's
// multiprocessing and its relatives that need no worker (a listener, a manager served from this
// thread, semaphores waited on in this thread), a few milliseconds each. The cases that start
// workers are in bug-reports-60.test.ts (full tier, both contexts).
//
// Reports covered here:
// - python/cpython#76425 (bpo-32244): Listener.accept() takes no timeout; a waiting accept at close.
// - sybrenjansen/mpire#24: connecting to a manager address nobody serves.
// - classner/pymp#29: a proxy made after the manager ended: ConnectionRefusedError.
// - gevent/gevent#11: a BoundedSemaphore released past its value blocked instead of failing.
// - python/cpython#89474 (bpo-45311): release(n) wakes n waiters at once.
// - nipy/nipype#1689: a process waiting on a semaphore used 100% CPU.
// - python/cpython#98447: Array('i', 12) seemed to hold 6 items (read back as doubles).
import {
  BaseManager,
  BoundedSemaphore,
  ClosedError,
  Listener,
  LockError,
  Manager,
  ProcessError,
  RawArray,
  Semaphore,
  SharedArray,
  ValidationError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { range, rejection, reportSuite, sleep, within } from './report-helpers.ts';

const { managers, scratchFile } = reportSuite(import.meta.url, 'reports-60-');

describe('bug reports (60), listeners and managers', () => {
  // python/cpython#76425 (bpo-32244): Listener.accept() takes no timeout and a waiting accept()
  // could not be stopped. Here accept(ms) is refused with ValidationError saying so, and close()
  // rejects a waiting accept() with ClosedError instead of leaving it pending.
  it('cpython#76425 (bpo-32244): accept() takes no timeout; close() ends a waiting accept()', {
    timeout: 20_000,
  }, async () => {
    const listener = new Listener(['127.0.0.1', 0]);
    await listener.ready();
    expect(await rejection((listener.accept as (ms: number) => Promise<unknown>)(1000))).toBeInstanceOf(
      ValidationError,
    );
    const waiting = listener.accept();
    await sleep(50);
    listener.close();
    expect(await within(rejection(waiting), 5_000)).toBeInstanceOf(ClosedError);
  });

  // sybrenjansen/mpire#24: connecting to a manager at an address nobody serves raised an unexpected
  // FileNotFoundError. Here connect() rejects at once with one of this library's errors.
  it('mpire#24: connect() to an address nobody serves rejects with a named error', {
    timeout: 20_000,
  }, async () => {
    const free = new Listener(['127.0.0.1', 0]);
    const address = await free.ready();
    free.close();
    const client = new BaseManager({ address, authkey: 'x' });
    const err = await within(rejection(client.connect()), 10_000);
    expect(err).toBeInstanceOf(ProcessError);
    const path = scratchFile();
    const err2 = await within(rejection(new BaseManager({ address: path, authkey: 'x' }).connect()), 10_000);
    expect(err2).toBeInstanceOf(ProcessError);
  });

  // classner/pymp#29: making a shared queue once the manager had ended raised
  // ConnectionRefusedError from deep inside. Here a proxy asked of a manager that was shut down
  // fails with one of this library's errors, at once.
  it('pymp#29: a proxy asked of a manager that was shut down fails with a named error', {
    timeout: 20_000,
  }, async () => {
    const m = Manager();
    managers.push(m);
    const d = m.dict<string, number>([['k', 1]]);
    expect(await d.get('k')).toBe(1);
    await m.shutdown();
    const err = await within(
      (async () => {
        try {
          const q = m.Queue();
          await q.put(1);
        } catch (e) {
          return e as Error;
        }
        throw new Error('a queue was made of a manager that was shut down');
      })(),
      10_000,
    );
    expect(err).toBeInstanceOf(ProcessError);
  });
});

describe('bug reports (60), semaphores waited on in this thread', () => {
  // gevent/gevent#11: a BoundedSemaphore released past its initial value blocked instead of
  // failing as the standard library's does. Here it throws LockError at once, and the value stays.
  it('gevent#11: releasing a BoundedSemaphore past its value throws LockError at once', () => {
    const sem = new BoundedSemaphore(1);
    expect(() => sem.release()).toThrow(LockError);
    expect([sem.tryAcquire(), sem.tryAcquire()]).toEqual([true, false]);
  });

  // python/cpython#89474 (bpo-45311): Semaphore.release(n) (Python 3.9) must wake n waiters.
  it('cpython#89474 (bpo-45311): release(3) wakes three waiters at once', { timeout: 20_000 }, async () => {
    const sem = new Semaphore(0);
    const waiters = range(3).map(() => sem.acquire({ timeout: 10_000 }));
    sem.release(3);
    expect(await within(Promise.all(waiters), 5_000)).toEqual([true, true, true]);
    expect(sem.tryAcquire()).toBe(false);
  });

  // nipy/nipype#1689: the main process waiting on a semaphore spun at 100% CPU. Here half a second
  // of waiting on acquire() costs this thread a small part of it.
  it('nipype#1689: waiting on a semaphore does not spin', { timeout: 20_000 }, async () => {
    const sem = new Semaphore(0);
    const before = process.cpuUsage();
    expect(await sem.acquire({ timeout: 500 })).toBe(false);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(150);
  });
});

describe('bug reports (60), shared arrays', () => {
  // python/cpython#98447: an Array('i', 12) read through a buffer looked like 6 items, as the
  // buffer kept no item type. Here length, the typed view and its byte length all agree on the
  // typecode, for the locked and the raw form.
  it("cpython#98447: SharedArray('i', 12) and RawArray('i', 12) hold 12 items of 4 bytes", () => {
    for (const a of [new SharedArray('i', 12), new RawArray('i', 12)]) {
      expect([a.length, a.view.length, a.view.byteLength, a.view.BYTES_PER_ELEMENT]).toEqual([12, 12, 48, 4]);
      expect(a.view).toBeInstanceOf(Int32Array);
    }
    const d = new SharedArray('d', 12);
    expect([d.length, d.view.length, d.view.byteLength]).toEqual([12, 12, 96]);
  });
});
