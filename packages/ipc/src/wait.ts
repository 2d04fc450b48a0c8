/** wait(): the first of several connections, queues or processes to be ready. */

import { describeValue, type Timeout, ValidationError } from '@multiproc/shared';
import { tooManyArguments } from './internal/arity.js';
import { ioTurn, readyHandle, type Waitable, type WaitHandle, whenReady } from './internal/ready.js';
import { STUCK } from './internal/runtime/waiter.js';
import { checkTimeout } from './internal/schema.js';
import { waitsForever } from './internal/waits-forever.js';
import { isWaitableObject, type WaitableObject, type WaitReadiness, waitable } from './waitable.js';

/** What `wait()` watches for one object. */
function readinessOf(o: Waitable | WaitableObject): WaitReadiness | WaitHandle {
  return typeof (o as Waitable)[readyHandle] === 'function'
    ? (o as Waitable)[readyHandle]()
    : (o as WaitableObject)[waitable]();
}

/** Throws when one was closed on this side while wait() waited: ClosedError, as when called after. */
function recheckAll(list: readonly (Waitable | WaitableObject)[], handles: (WaitReadiness | WaitHandle)[]) {
  list.forEach((o, i) => {
    const h = handles[i]!;
    if ('check' in h && h.check) h.check();
    else readinessOf(o);
  });
}

/** The indexes `[first, second]` of the first object `list` holds twice, or `undefined`. */
function firstRepeat(list: readonly unknown[]): [number, number] | undefined {
  const seen = new Map<unknown, number>();
  for (let i = 0; i < list.length; i++) {
    const first = seen.get(list[i]);
    if (first !== undefined) return [first, i];
    seen.set(list[i], i);
  }
  return undefined;
}

/**
 * Waits until at least one of `objects` can be received from without waiting (data, or EOF for
 * a connection) or, for a `Process` or its `sentinel`, has ended; then resolves to every one that
 * is ready. Mirrors Python's `multiprocessing.connection.wait(object_list, timeout)`. An object
 * whose message or item arrived while it waited counts as ready even when a `recv()`/`get()`
 * waiting on that same object took it at once, as Python's `select` reports the fd. A connection
 * whose `recvBytes(maxlength)` refused a longer message while it waited counts as ready too (Python's
 * `wait()` reports it, and its next `recv()` raises): receiving on it now fails at once.
 * @param objects - Connections, Queues, JoinableQueues, SimpleQueues, `Process`es and their
 *   `sentinel`s (any object implementing the {@link waitable} protocol).
 * @param timeout - ms to wait at most; @default no limit. On timeout resolves to `[]`. A negative
 *   timeout does not wait, as in Python. Without a wait, a copy of a connection or queue held in
 *   another thread or process than the one that made it counts as not ready only once its home
 *   answered (at most 1 s): what was sent or put before the call makes it ready, also what was
 *   sent before this process started, as Python's `select` sees what the OS pipe holds.
 * @throws {ClosedError} when one of them was closed on this side, before the call or while it
 *   waits (then at once). Python raises `OSError` for a closed connection when called; one closed
 *   by another thread meanwhile shows up there as ready and fails on `recv()`: here the wait fails
 *   at once instead, as the same call made after `close()` does.
 * @throws {EOFError} when, without a timeout, nothing left in the program could make one ready.
 * @throws {ValidationError} when `objects` is not a list of connections, queues and processes (the
 *   message names the first other item), holds the same object twice (the message names both
 *   indexes; Python's `wait()` raises `KeyError` "already registered" there, on POSIX), is empty with
 *   no timeout (it could never return; Python's would block for ever), or when given a third
 *   argument. A `Process` and its `sentinel` are two objects: each is reported ready on its own.
 * @throws {ProcessError} for a `Process` that was not started (from core), or the send-only end of a
 *   one-way `Pipe` (as its `poll()` does), even when another object is ready.
 * @example
 * const [a, b] = Pipe();
 * const [c, d] = Pipe();
 * a.send('x');
 * console.log((await wait([b, d], 1000)).length); // 1: b
 * // With processes: the first of a result or a worker's end, as Python's wait([conn, p.sentinel]).
 * // const ready = await wait([conn, p.sentinel]);
 * // if (ready.includes(p.sentinel)) console.log('worker ended', p.exitCode);
 */
export async function wait<W extends Waitable | WaitableObject>(
  objects: Iterable<W>,
  timeout?: Timeout,
): Promise<W[]> {
  if (arguments.length > 2) throw tooManyArguments('wait', arguments.length);
  const iterable = typeof objects === 'object' && typeof objects?.[Symbol.iterator] === 'function';
  const list = iterable ? [...objects] : [];
  const accepted = (o: unknown) =>
    typeof (o as Waitable)?.[readyHandle] === 'function' || isWaitableObject(o);
  const bad = iterable ? list.findIndex((o) => !accepted(o)) : -1;
  if (!iterable || bad >= 0) {
    const got = iterable ? `objects[${bad}] is ${describeValue(list[bad])}` : `got ${describeValue(objects)}`;
    throw new ValidationError(
      `wait() takes a list of Connections, queues, Processes and Process sentinels (for example wait([conn1, conn2, p.sentinel], 1000)); ${got}.`,
    );
  }
  const repeat = firstRepeat(list);
  if (repeat) {
    throw new ValidationError(
      `wait() takes each object once: objects[${repeat[1]}] repeats objects[${repeat[0]}] (${describeValue(list[repeat[0]])}); ` +
        "pass each once (Python's wait() raises KeyError 'already registered' for a repeated object).",
    );
  }
  const ms = checkTimeout(timeout, 'wait()', { negativeIsZero: true });
  if (list.length === 0 && ms === undefined) {
    throw new ValidationError(
      'wait([]) with no timeout would never return: nothing in an empty list can become ready. Give a timeout (wait([], 100) resolves to [] after it) or objects to wait on.',
    );
  }
  const handles = list.map(readinessOf);
  const ready = () => list.filter((_, i) => handles[i]!.ready());
  const now = ready();
  if (now.length > 0 || ms === 0) {
    if (now.length === list.length) return now;
    for (const h of handles) if (!h.ready()) h.onReady(() => {})(); // fetch ahead for next time
    // What has arrived for the others is read meanwhile: a loop of waits sees every ready object.
    await ioTurn();
    // A copy's home answers once what it held then has reached it (sent before, in another process).
    await Promise.all(handles.map((h) => (!h.ready() && 'caughtUp' in h ? h.caughtUp?.() : undefined)));
    recheckAll(list, handles);
    return list.filter((o, i) => now.includes(o) || handles[i]!.ready());
  }
  const r = await whenReady(handles, ms);
  recheckAll(list, handles);
  if (r === STUCK) throw waitsForever('wait()');
  // An object whose item a get waiting on it took at once counts too (it became ready), as in Python.
  return list.filter((_, i) => r.has(i) || handles[i]!.ready());
}
