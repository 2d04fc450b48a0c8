/** wait(): the first of several connections or queues to have something to receive. */

import { type Timeout, ValidationError } from '@multiproc/shared';
import { waitsForever } from './errors.js';
import { readyHandle, type Waitable, whenReady } from './internal/ready.js';
import { STUCK } from './internal/runtime/waiter.js';
import { checkTimeout } from './internal/schema.js';

/**
 * Waits until at least one of `objects` can be received from without waiting (data, or EOF for
 * a connection), then resolves to every one that can. Mirrors Python's
 * `multiprocessing.connection.wait(object_list, timeout)`.
 * @param objects - Connections, Queues, JoinableQueues or SimpleQueues.
 * @param timeout - ms to wait at most; @default no limit. On timeout resolves to `[]`. A negative
 *   timeout does not wait, as in Python.
 * @throws {ClosedError} when one of them was closed on this side, before the call or while it
 *   waits (then at once). Python raises `OSError` for a closed connection when called; one closed
 *   by another thread meanwhile shows up there as ready and fails on `recv()`: here the wait fails
 *   at once instead, as the same call made after `close()` does.
 * @throws {EOFError} when, without a timeout, nothing left in the program could make one ready.
 * @throws {ValidationError} when `objects` is not a list of connections and queues.
 * @example
 * const [a, b] = Pipe();
 * const [c, d] = Pipe();
 * a.send('x');
 * console.log((await wait([b, d], 1000)).length); // 1: b
 */
export async function wait<W extends Waitable>(objects: Iterable<W>, timeout?: Timeout): Promise<W[]> {
  const iterable = typeof objects === 'object' && typeof objects?.[Symbol.iterator] === 'function';
  const list = iterable ? [...objects] : [];
  if (!iterable || list.some((o) => typeof o?.[readyHandle] !== 'function')) {
    throw new ValidationError(
      'wait() takes a list of Connections and queues (for example wait([conn1, conn2], 1000)).',
    );
  }
  const ms = checkTimeout(timeout, 'wait()', { negativeIsZero: true });
  const handles = list.map((o) => o[readyHandle]());
  const ready = () => list.filter((_, i) => handles[i]!.ready());
  const now = ready();
  if (now.length > 0 || ms === 0) {
    if (now.length === 0) for (const h of handles) h.onReady(() => {})(); // fetch ahead for next time
    return now;
  }
  const r = await whenReady(handles, ms);
  for (const o of list) o[readyHandle](); // one closed meanwhile: ClosedError, as when called after
  if (r === STUCK) throw waitsForever('wait()');
  return ready();
}
