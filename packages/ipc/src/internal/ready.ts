/** How wait() reaches the handle of a Connection or queue without a public method for it. */
import type { Handle } from './runtime/handle.js';
import { type STUCK, Waiter } from './runtime/waiter.js';

/** Returns what wait() watches; throws ClosedError when the object was closed. */
export const readyHandle: unique symbol = Symbol('multiproc.readyHandle');

/**
 * What wait() watches for a connection or queue: its handle's readiness, and `check()`, which wait()
 * calls once it woke and throws as the object would now (ClosedError once closed on this side);
 * without it, wait() calls the object's method again.
 */
export type WaitHandle = Pick<Handle, 'ready' | 'onReady' | 'caughtUp'> & { check?(): void };

export interface Waitable {
  [readyHandle](): WaitHandle;
}

/**
 * Resolves once one of `handles` is ready (an item or EOF to take), after `ms` (a finite timeout),
 * or with STUCK when nothing left in the program could make one ready. Resolves to the indexes of
 * the handles whose listener fired (empty on timeout): an item that arrived for a get waiting on
 * the same handle fires it too, though that get took it at once, so the caller reports that handle
 * ready even when `ready()` says no by now, as Python's `select` does for a thread's `poll()` while
 * another thread's `recv()` takes the message.
 */
export function whenReady(
  handles: readonly Pick<Handle, 'ready' | 'onReady'>[],
  ms: number | undefined,
): Promise<ReadonlySet<number> | typeof STUCK> {
  const offs: (() => void)[] = [];
  const fired = new Set<number>();
  const w = new Waiter<ReadonlySet<number>>(() => {
    for (const off of offs) off();
  });
  const done = () => {
    for (const off of offs) off();
    w.settle(fired);
  };
  handles.forEach((h, i) => {
    offs.push(
      h.onReady(() => {
        fired.add(i);
        done();
      }),
    );
  });
  if (handles.some((h) => h.ready())) done();
  else w.expireAfter(ms, done);
  return w.promise;
}

/**
 * Resolves after the event loop passed its poll phase once, where sockets and worker ports are
 * read: two setImmediates, since one called from a poll-phase callback (a socket's data, a
 * port's message) runs in the same turn's check phase, before the next poll, and what this
 * thread's own sends flushed at the end of this turn is read only then. A "nothing yet" answer that
 * needs no wait (`poll()`, `wait(objects, 0)`, `get({ block: false })`) settles after it, so a
 * Python-style busy loop of them (`while (!(await conn.poll())) {}`) lets the data in (an `await`
 * of a promise settled at once never yields to I/O), and `wait()` reports every object whose data
 * was sent before it was called, as Python's `select` does. An answer "yes, it is here" does not
 * wait for it.
 */
export function ioTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
