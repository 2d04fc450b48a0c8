/**
 * `Event`: a shared flag that threads can wait for.
 *
 * Words (Int32): [0] FLAG 0 clear | 1 set. Waiters sleep on FLAG == 0; set() wakes them all.
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { newSharedBuffer } from './internal/browser-limits.js';
import { type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { deadlineFor, waitAsync, waitSync } from './internal/wait.js';
import { definePythonNames } from './python-names.js';
import type { Timeout } from './timeout.js';

const FLAG = 0;
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
    this.#w = new Int32Array(adopting ?? newSharedBuffer(4));
    refuseStructuredClone(this, 'an Event');
  }

  /** Whether the flag is set. Python: `is_set()`. */
  isSet(): boolean {
    return Atomics.load(this.#w, FLAG) === 1;
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

  /** Sets the flag and wakes every waiter. */
  set(): void {
    Atomics.store(this.#w, FLAG, 1);
    Atomics.notify(this.#w, FLAG);
  }

  /** Clears the flag; later waits wait again. */
  clear(): void {
    Atomics.store(this.#w, FLAG, 0);
  }

  /**
   * Waits until the flag is set, without blocking the event loop.
   * @param timeoutMs how long to wait, in ms.
   * @default Infinity
   * @returns the flag at the end: `false` on timeout.
   * @throws {LockError} in a program's main thread, when nothing left could end the wait (a deadlock).
   * @example
   * import { Event } from '@multiproc/shared';
   * const ev = new Event();
   * if (!(await ev.wait(100))) console.log('timed out'); // timed out
   * ev.set();
   * console.log(await ev.wait(100)); // true
   */
  async wait(timeoutMs?: Timeout): Promise<boolean> {
    if (Atomics.load(this.#w, FLAG) === 1) return true;
    const deadline = deadlineFor(timeoutMs, 'Event.wait()');
    while (Atomics.load(this.#w, FLAG) === 0) {
      if ((await waitAsync(this.#w, FLAG, 0, deadline)) === 'timed-out') break;
    }
    return this.isSet();
  }

  /**
   * Waits until the flag is set, blocking this thread.
   * @param timeoutMs how long to wait, in ms.
   * @default Infinity
   * @returns the flag at the end: `false` on timeout.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  waitSync(timeoutMs?: Timeout): boolean {
    const deadline = deadlineFor(timeoutMs, 'Event.waitSync()');
    while (Atomics.load(this.#w, FLAG) === 0) {
      if (waitSync(this.#w, FLAG, 0, deadline) === 'timed-out') break;
    }
    return this.isSet();
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
