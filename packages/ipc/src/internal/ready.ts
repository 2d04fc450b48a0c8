/** How wait() reaches the handle of a Connection or queue without a public method for it. */
import type { Handle } from './runtime/handle.js';
import { type STUCK, Waiter } from './runtime/waiter.js';

/** Returns the handle; throws ClosedError when the object was closed. */
export const readyHandle: unique symbol = Symbol('multiproc.readyHandle');

export interface Waitable {
  [readyHandle](): Handle;
}

/**
 * Resolves once one of `handles` is ready (an item or EOF to take), after `ms` (a finite timeout),
 * or with STUCK when nothing left in the program could make one ready.
 */
export function whenReady(
  handles: readonly Pick<Handle, 'ready' | 'onReady'>[],
  ms: number | undefined,
): Promise<undefined | typeof STUCK> {
  const offs: (() => void)[] = [];
  const w = new Waiter<undefined>(() => {
    for (const off of offs) off();
  });
  const done = () => {
    for (const off of offs) off();
    w.settle(undefined);
  };
  for (const h of handles) offs.push(h.onReady(done));
  if (handles.some((h) => h.ready())) done();
  else w.expireAfter(ms, done);
  return w.promise;
}

/**
 * Resolves after the event loop had one turn to read what arrived (setImmediate runs after its
 * poll phase: sockets and worker ports are read there). A "nothing yet" answer that needs no wait
 * (`poll()`, `wait(objects, 0)`, `get({ block: false })`) settles after it, so a Python-style busy
 * loop of them (`while (!(await conn.poll())) {}`) lets the data in: an `await` of a promise
 * settled at once never yields to I/O. An answer "yes, it is here" does not wait for it.
 */
export function ioTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
