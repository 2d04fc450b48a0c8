/**
 * `Event`: a shared flag that threads can wait for.
 *
 * Words (Int32):
 *
 *   [0] STATE    bit 0 the flag (1 set) | bits 1-31 generation, moved by every set() of a clear flag
 *
 * A waiter sleeps on the clear STATE it read and returns as soon as STATE differs from it. clear()
 * only drops bit 0, so STATE never goes back to a value a waiter sleeps on (until 2^31 set()s wrap
 * the generation): a set() followed at once by clear() still wakes, and releases, every thread that
 * was waiting, even one that had not yet fallen asleep. Python's `threading.Event` does the same.
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { TAKES_TIMEOUT, tooManyArguments } from './internal/arity.js';
import { newSharedBuffer } from './internal/browser-limits.js';
import { type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { assertCanEnd, deadlineFor, waitAsync, waitSync } from './internal/wait.js';
import { definePythonNames } from './python-names.js';
import type { Timeout } from './timeout.js';

const STATE = 0;
const FLAG_BIT = 1;
let adopting: SharedArrayBuffer | undefined;

/**
 * A flag shared between threads. Mirrors Python's `multiprocessing.Event`.
 * @example
 * const ev = new Event();
 * setTimeout(() => ev.set(), 10);
 * console.log(await ev.wait(1000)); // true
 */
export class Event {
  readonly #w: Int32Array;

  constructor() {
    if (arguments.length > 0)
      throw tooManyArguments(
        'new Event()',
        arguments.length,
        'no argument',
        "Python's Event() takes none either",
      );
    this.#w = new Int32Array(adopting ?? newSharedBuffer(4));
    refuseStructuredClone(this, 'an Event');
  }

  /** Whether the flag is set. Python: `is_set()`. */
  isSet(): boolean {
    if (arguments.length > 0) throw tooManyArguments('Event.isSet()', arguments.length, 'no argument');
    return (Atomics.load(this.#w, STATE) & FLAG_BIT) !== 0;
  }

  /**
   * Its state, as Python's repr: `<Event(set)>` or `<Event(unset)>`. Python: `repr(event)`
   * (`<Event at 0x… set>`).
   * @throws Nothing.
   * @example
   * import { Event } from '@multiproc/shared';
   * const ev = new Event();
   * console.log(String(ev)); // <Event(unset)>
   * ev.set();
   * console.log(String(ev)); // <Event(set)>
   */
  toString(): string {
    return this.isSet() ? '<Event(set)>' : '<Event(unset)>';
  }

  /**
   * What `console.log(event)` shows: `Event { isSet: false }`. Python: `repr(event)`, which
   * {@link Event.toString} gives.
   * @throws Nothing.
   * @example
   * import { Event } from '@multiproc/shared';
   * console.log(new Event()); // Event { isSet: false }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    return showFields('Event', { isSet: this.isSet() }, options, inspect);
  }

  /**
   * Sets the flag and wakes every waiter; each of them returns `true`, even when `clear()` comes
   * before it runs again (as Python's `threading.Event`; a `multiprocessing.Event` waiter there
   * may return `False`).
   */
  set(): void {
    if (arguments.length > 0) throw tooManyArguments('Event.set()', arguments.length, 'no argument');
    const w = this.#w;
    for (;;) {
      const s = Atomics.load(w, STATE);
      // Already set: nobody sleeps on a set STATE, and the set() that made it so woke the rest.
      if (s & FLAG_BIT) return;
      // Next generation, flag on: `s` is even, so +3 is (generation + 1) << 1 | 1 (wrapping at 2^31).
      if (Atomics.compareExchange(w, STATE, s, (s + 3) | 0) === s) break;
    }
    Atomics.notify(w, STATE);
  }

  /** Clears the flag; later waits wait again (waiters a `set()` already woke still return `true`). */
  clear(): void {
    if (arguments.length > 0) throw tooManyArguments('Event.clear()', arguments.length, 'no argument');
    Atomics.and(this.#w, STATE, ~FLAG_BIT);
  }

  /**
   * Waits until the flag is set, without blocking the event loop.
   * @param timeoutMs how long to wait, in ms.
   * @default Infinity
   * @returns `true` when the flag was set, or was set during the wait (even if cleared again since,
   *   as Python's `threading.Event`); `false` on timeout.
   * @throws {LockError} in a program's main thread, when nothing left could end the wait (a deadlock);
   *   in a worker thread too, on one made there and sent at most to workers it started.
   * @throws {ValidationError} for a timeout in another form, even when the flag is set.
   * @example
   * import { Event } from '@multiproc/shared';
   * const ev = new Event();
   * if (!(await ev.wait(100))) console.log('timed out'); // timed out
   * ev.set();
   * console.log(await ev.wait(100)); // true
   */
  async wait(timeoutMs?: Timeout): Promise<boolean> {
    if (arguments.length > 1) throw tooManyArguments('Event.wait()', arguments.length, TAKES_TIMEOUT);
    const w = this.#w;
    // The argument first: a bad timeout is refused whether or not the flag is set (as waitSync()).
    const deadline = deadlineFor(timeoutMs, 'Event.wait()');
    const start = Atomics.load(w, STATE);
    if (start & FLAG_BIT) return true;
    while (Atomics.load(w, STATE) === start) {
      if ((await waitAsync(w, STATE, start, deadline)) === 'timed-out') break;
    }
    return Atomics.load(w, STATE) !== start;
  }

  /**
   * Waits until the flag is set, blocking this thread.
   * @param timeoutMs how long to wait, in ms.
   * @default Infinity
   * @returns `true` when the flag was set, or was set during the wait (even if cleared again since);
   *   `false` on timeout.
   * @throws {ValidationError} for a timeout in another form, even when the flag is set.
   * @throws {LockError} at once for an unbounded wait that could never end: the flag is not set, and
   *   no other thread has the event (never sent to one); Python would block for ever.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  waitSync(timeoutMs?: Timeout): boolean {
    if (arguments.length > 1) throw tooManyArguments('Event.waitSync()', arguments.length, TAKES_TIMEOUT);
    const w = this.#w;
    const deadline = deadlineFor(timeoutMs, 'Event.waitSync()');
    const start = Atomics.load(w, STATE);
    if (start & FLAG_BIT) return true;
    assertCanEnd(w, deadline);
    while (Atomics.load(w, STATE) === start) {
      if (waitSync(w, STATE, start, deadline) === 'timed-out') break;
    }
    return Atomics.load(w, STATE) !== start;
  }

  /** Sends the event to a worker thread; it keeps working there on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, 'Event');
    return { type: 'multiproc.Event', data: this.#w.buffer };
  }
}

definePythonNames(Event.prototype, { is_set: 'isSet()' });

registerCodec('multiproc.Event', (sab: SharedArrayBuffer) => {
  adopting = sab;
  try {
    return new Event();
  } finally {
    adopting = undefined;
  }
});
