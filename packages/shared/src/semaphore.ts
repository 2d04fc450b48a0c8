/**
 * `Semaphore` and `BoundedSemaphore` on shared memory.
 *
 * Words (Int32): [0] VALUE permits left | [1] WAITERS sleeping acquirers | [2] MAX initial value
 * | [3] BOUNDED 0/1 | [4...] owner table (internal/owner-table.ts): the permits each thread took and
 * has not given back itself, so those of a thread that dies can be returned (never above MAX).
 *
 * Fairness: a released permit may be taken by whichever thread gets there first (barging), and
 * sleepers are woken in the futex's FIFO order, one per permit. Unlike `Lock` there is no
 * starvation hand-off, so a waiter is not starved while its timeout allows, but no bound is
 * promised under unbounded contention.
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { LockError, ValidationError } from './errors.js';
import { rejectArguments, TAKES_ACQUIRE, tooManyArguments } from './internal/arity.js';
import { assertMayBlock, newSharedBuffer } from './internal/browser-limits.js';
import { type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
import {
  freeIfEmpty,
  OWNER_TABLE_WORDS,
  ownedSlot,
  ownedTotal,
  ownersOf,
  takeOwned,
} from './internal/owner-table.js';
import { type Abandonable, kAbandon } from './internal/protocol.js';
import { waitSyncWatching } from './internal/roster-wait.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { unawaitedAcquire } from './internal/unawaited.js';
import { assertCanEnd, deadlineFor, NO_WAIT, now, waitAsync } from './internal/wait.js';
import { runLocked } from './internal/with-lock.js';
import type { AcquireOptions } from './lock.js';
import { describeValue } from './options.js';
import { getOwnerId, trackAbandonable } from './owner.js';
import { definePythonNames, noUsingForm } from './python-names.js';

const VALUE = 0;
const WAITERS = 1;
const MAX = 2;
const BOUNDED = 3;
const TABLE = 4;
const SPIN = 32;
// This thread's owner id, set by the first constructor: `getOwnerId()` loads node:worker_threads,
// which an import of this package must not pay for (issue #18).
let ME = 0;
let adopting: SharedArrayBuffer | undefined;

// Takes a permit if one is free, and records it as this thread's in the same instant: the row is
// found first, and the record is a plain write right after the CAS (no call, not even an Atomics
// one, and no loop between), so a terminate() cannot leave a permit taken and not recorded (lost
// for good: the others would wait forever). See internal/owner-table.ts.
function tryDecrement(w: Int32Array): boolean {
  let v = Atomics.load(w, VALUE);
  if (v <= 0) return false;
  const slot = ownedSlot(w, TABLE, ME, true);
  for (; v > 0; v = Atomics.load(w, VALUE)) {
    if (Atomics.compareExchange(w, VALUE, v, v - 1) === v) {
      if (slot >= 0) w[slot] = (w[slot]! + 1) | 0;
      return true;
    }
  }
  freeIfEmpty(w, slot);
  return false;
}

// A waiter that gives up after being woken passes the wake-up on, so no permit strands sleepers.
function passWakeup(w: Int32Array): false {
  if (Atomics.load(w, VALUE) > 0 && Atomics.load(w, WAITERS) > 1) Atomics.notify(w, VALUE, 1);
  return false;
}

/**
 * A counter of permits shared between threads. Mirrors Python's `multiprocessing.Semaphore`:
 * `acquire` takes a permit (waiting while there is none), `release` gives one back, from any
 * thread. Permits a worker took stay taken when it ends normally (its target or task returned), as
 * in Python, for another thread to release. Beyond Python, the permits a worker thread started by
 * multiproc took and had not released are given back when it fails (throws at top level, exits
 * non-zero, is terminated or killed, runs out of memory: see `abandonOwner()`), never raising the
 * value above its initial one, nor giving back one another thread released for it and took again.
 * Such a permit is like any other: unlike `Lock` and `RLock`, a
 * semaphore has no `abandoned` flag (its permits are a count, and whoever takes the given-back
 * one is not told); guard data that a failed worker could leave half-updated with a `Lock`.
 * @example
 * const sem = new Semaphore(2);
 * await sem.withLock(async () => {
 *   // at most two threads run this at once
 * });
 */
export class Semaphore implements Abandonable {
  readonly #w: Int32Array;
  readonly #kind: string = this.constructor.name;
  /** Async acquires through this object waiting in this thread (names a missing `await`). */
  #waiting = 0;

  /**
   * @param value the initial number of permits.
   * @default 1
   * @throws {ValidationError} when `value` is not an integer in 0..2**31-1.
   */
  constructor(value = 1) {
    if (arguments.length > 1)
      throw tooManyArguments('new Semaphore()', arguments.length, 'an optional initial value');
    ME ||= getOwnerId();
    if (adopting) this.#w = new Int32Array(adopting);
    else {
      if (!Number.isInteger(value) || value < 0 || value > 0x7fff_ffff) {
        throw new ValidationError(
          `Semaphore value must be an integer from 0 to 2**31-1, got ${describeValue(value)}.`,
        );
      }
      this.#w = new Int32Array(newSharedBuffer(4 * (TABLE + OWNER_TABLE_WORDS)));
      this.#w[VALUE] = value;
      this.#w[MAX] = value;
      // `instanceof`, not `new.target === BoundedSemaphore`: `new.target` is the subclass for a
      // subclass, and the wrapper for a context's callable member (`new mp.BoundedSemaphore(2)`).
      if (this instanceof BoundedSemaphore) this.#w[BOUNDED] = 1;
    }
    trackAbandonable(this);
    refuseStructuredClone(this, this instanceof BoundedSemaphore ? 'a BoundedSemaphore' : 'a Semaphore');
  }

  /**
   * Takes a permit, waiting without blocking the event loop.
   * @param options `timeout` in ms, or `{ block: false }` to try once (a `timeout` given with it is
   *   ignored, as by Python's `multiprocessing` locks).
   * @throws {ValidationError} for another form.
   * @returns `true` once taken, `false` on timeout.
   * @throws {LockError} in a program's main thread, when nothing left could end the wait (a deadlock);
   *   in a worker thread too, on one made there and sent at most to workers it started.
   * @example
   * import { Semaphore } from '@multiproc/shared';
   * const sem = new Semaphore(1);
   * console.log(await sem.acquire({ timeout: 10 })); // true
   * console.log(await sem.acquire({ timeout: 10 })); // false: no permit left
   * sem.release();
   */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    if (arguments.length > 1) throw tooManyArguments('Semaphore.acquire()', arguments.length, TAKES_ACQUIRE);
    const w = this.#w;
    const deadline = deadlineFor(options, `${this.#kind}.acquire()`, true);
    if (tryDecrement(w)) return true;
    Atomics.add(w, WAITERS, 1);
    this.#waiting++;
    try {
      for (;;) {
        if (tryDecrement(w)) return true;
        if (now() >= deadline) return passWakeup(w);
        await waitAsync(w, VALUE, 0, deadline);
      }
    } finally {
      this.#waiting--;
      Atomics.sub(w, WAITERS, 1);
    }
  }

  /**
   * Takes a permit, blocking this thread while there is none.
   * @param options `timeout` in ms, or `{ block: false }` to try once (a `timeout` given with it is
   *   ignored, as by Python's `multiprocessing` locks).
   * @throws {ValidationError} for another form.
   * @returns `true` once taken, `false` on timeout.
   * @example
   * import { Semaphore } from '@multiproc/shared';
   * const sem = new Semaphore(2);
   * sem.acquireSync();
   * console.log(sem.getValue()); // 1
   * sem.release();
   * @throws {LockError} at once for an unbounded wait that could never end: no permit free, and no
   *   other thread has the semaphore (never sent to one); Python would block for ever.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  acquireSync(options?: AcquireOptions): boolean {
    if (arguments.length > 1)
      throw tooManyArguments('Semaphore.acquireSync()', arguments.length, TAKES_ACQUIRE);
    const w = this.#w;
    const deadline = deadlineFor(options, `${this.#kind}.acquireSync()`, true);
    for (let i = 0; i < SPIN; i++) if (tryDecrement(w)) return true;
    // A call that asked to wait is refused where this thread may not block (a page's main
    // thread), however long the spin took, and before it counts as a waiter: a release must not
    // be spent on it, nor getValue()/a waiter count read wrong meanwhile. One that never waits
    // (a timeout of 0, or whose time is up) answers without counting itself either.
    if (deadline !== NO_WAIT) assertMayBlock();
    assertCanEnd(w, deadline);
    if (now() >= deadline) return false;
    Atomics.add(w, WAITERS, 1);
    try {
      for (;;) {
        if (tryDecrement(w)) return true;
        if (now() >= deadline) return passWakeup(w);
        // A holder that died unseen (out of memory) gives its permits back: thread-roster.ts.
        waitSyncWatching(w, VALUE, 0, deadline, () => ownersOf(w, TABLE));
      }
    } finally {
      Atomics.sub(w, WAITERS, 1);
    }
  }

  /** Takes a permit if one is free now. Python: `acquire(block=False)`. */
  tryAcquire(): boolean {
    if (arguments.length > 0)
      throw tooManyArguments(
        'Semaphore.tryAcquire()',
        arguments.length,
        'no argument',
        'it never waits: use acquire({ timeout }) to wait at most ms',
      );
    return tryDecrement(this.#w);
  }

  /**
   * Gives back `n` permits and wakes as many waiters.
   * @param n how many permits.
   * @default 1
   * @throws {LockError} from a `BoundedSemaphore` when that would exceed its initial value, and
   *   from any semaphore when the value would exceed 2**31-1 (Python: `ValueError`); the value is
   *   then unchanged.
   * @throws {ValidationError} when `n` is not a positive integer.
   * @example
   * import { Semaphore } from '@multiproc/shared';
   * const sem = new Semaphore(0);
   * sem.release(2);
   * console.log(sem.getValue()); // 2
   */
  release(n = 1): void {
    if (arguments.length > 1)
      throw tooManyArguments('Semaphore.release()', arguments.length, 'an optional count n');
    if (!Number.isInteger(n) || n < 1)
      throw new ValidationError(`release(n) needs a positive integer, got ${describeValue(n)}.`);
    const w = this.#w;
    const bounded = Atomics.load(w, BOUNDED) !== 0;
    // An unbounded count stops at the largest Int32 rather than wrapping negative (Python's
    // semaphore stops at SEM_VALUE_MAX the same way).
    const max = bounded ? Atomics.load(w, MAX) : 0x7fff_ffff;
    const slot = ownedSlot(w, TABLE, ME, false);
    for (;;) {
      const v = Atomics.load(w, VALUE);
      if (v + n > max) {
        throw new LockError(
          bounded
            ? `BoundedSemaphore released too many times: its value would exceed ${max}. Call release() once per acquire().${this.#waiting > 0 ? unawaitedAcquire('BoundedSemaphore', 'sem') : ''}`
            : `Semaphore released too many times: its value ${v} plus ${n} would exceed 2**31-1, the most it holds.`,
        );
      }
      if (Atomics.compareExchange(w, VALUE, v, v + n) === v) {
        if (slot >= 0) w[slot] = (w[slot]! - n) | 0; // in the same instant, as in tryDecrement
        break;
      }
    }
    freeIfEmpty(w, slot);
    if (Atomics.load(w, WAITERS) !== 0) Atomics.notify(w, VALUE, n);
  }

  /** Permits left now. Python: `get_value()`. */
  getValue(): number {
    if (arguments.length > 0) throw tooManyArguments('Semaphore.getValue()', arguments.length, 'no argument');
    return Atomics.load(this.#w, VALUE);
  }

  /** Whether no permit is free now (an acquire would wait). */
  locked(): boolean {
    if (arguments.length > 0) throw tooManyArguments('Semaphore.locked()', arguments.length, 'no argument');
    return Atomics.load(this.#w, VALUE) <= 0;
  }

  /**
   * Its state, as Python's repr: `<Semaphore(value=2)>`, the permits left now; a
   * `BoundedSemaphore` adds its initial value, `<BoundedSemaphore(value=1, maxvalue=2)>`.
   * Python: `repr(sem)`.
   * @throws Nothing.
   * @example
   * import { BoundedSemaphore, Semaphore } from '@multiproc/shared';
   * console.log(String(new Semaphore(2))); // <Semaphore(value=2)>
   * const b = new BoundedSemaphore(2);
   * b.acquireSync();
   * console.log(String(b)); // <BoundedSemaphore(value=1, maxvalue=2)>
   */
  toString(): string {
    const { value, maxValue } = this.#state();
    return `<${this.#kind}(value=${value}${maxValue === undefined ? '' : `, maxvalue=${maxValue}`})>`;
  }

  /**
   * What `console.log(sem)` shows: `Semaphore { value: 2 }`, or
   * `BoundedSemaphore { value: 1, maxValue: 2 }`. Python: `repr(sem)`, which `toString()` gives.
   * @throws Nothing.
   * @example
   * import { Semaphore } from '@multiproc/shared';
   * console.log(new Semaphore(3)); // Semaphore { value: 3 }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const { value, maxValue } = this.#state();
    return showFields(this.#kind, maxValue === undefined ? { value } : { value, maxValue }, options, inspect);
  }

  #state(): { value: number; maxValue?: number } {
    const value = Atomics.load(this.#w, VALUE);
    return Atomics.load(this.#w, BOUNDED) === 1 ? { value, maxValue: Atomics.load(this.#w, MAX) } : { value };
  }

  /**
   * Runs `fn` holding one permit, giving it back afterwards even if `fn` throws.
   * @throws {ValidationError} when `fn` is not a function (nothing is acquired).
   * @throws {TimeoutError} when no permit was free within `options.timeout` ms.
   * @example
   * import { Semaphore } from '@multiproc/shared';
   * const sem = new Semaphore(2); // at most two at a time
   * const doubled = await Promise.all([1, 2, 3].map((n) => sem.withLock(async () => n * 2)));
   * console.log(doubled); // [ 2, 4, 6 ]
   */
  withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (arguments.length > 2)
      return rejectArguments(
        'Semaphore.withLock()',
        arguments.length,
        'the function to run and an optional timeout (ms, or { timeout, block })',
      );
    return runLocked(this, fn, options, 'A permit', this.#kind);
  }

  /**
   * Called by `abandonOwner()`: gives back the permits of a thread that failed, up to the initial
   * value. Those of a thread that ended normally stay taken, as in Python (any thread may release
   * them); only its row is freed, so rows are not used up by threads that come and go.
   *
   * A row counts what its thread took and did not release itself: a permit another thread released
   * for it (a semaphore has no owner) stays in its row, and may have been taken again since, by a
   * thread that now counts it too. So at most the permits taken (initial value minus value) that
   * no other row accounts for come back: a permit that could be held by a live thread never does
   * (two threads in a one-permit section), at the cost of keeping one that was not (Python keeps
   * every permit of a dead process).
   */
  [kAbandon](ownerId: number, failed: boolean): number {
    const w = this.#w;
    const held = takeOwned(w, TABLE, ownerId);
    if (held <= 0 || !failed) return 0;
    for (;;) {
      const v = Atomics.load(w, VALUE);
      const back = Math.min(held, Atomics.load(w, MAX) - v - ownedTotal(w, TABLE));
      if (back <= 0) return 1;
      if (Atomics.compareExchange(w, VALUE, v, v + back) === v) {
        Atomics.notify(w, VALUE, back);
        return 1;
      }
    }
  }

  /** Sends the semaphore to a worker thread; it keeps working there on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    const bounded = Atomics.load(this.#w, BOUNDED) === 1;
    assertThreadTarget(ctx, bounded ? 'BoundedSemaphore' : 'Semaphore');
    return { type: bounded ? 'multiproc.BoundedSemaphore' : 'multiproc.Semaphore', data: this.#w.buffer };
  }
}

/**
 * A `Semaphore` that may not be released above its initial value. Mirrors Python's
 * `multiprocessing.BoundedSemaphore`.
 * @throws {LockError} from `release()` past the initial value.
 * @example
 * const b = new BoundedSemaphore(1);
 * b.acquireSync();
 * b.release();
 * // b.release(); // would throw LockError
 */
export class BoundedSemaphore extends Semaphore {}
definePythonNames(Semaphore.prototype, { get_value: 'getValue()', ...noUsingForm('Semaphore') });

function adopt<T>(make: () => T, sab: SharedArrayBuffer): T {
  adopting = sab;
  try {
    return make();
  } finally {
    adopting = undefined;
  }
}

registerCodec('multiproc.Semaphore', (sab: SharedArrayBuffer) => adopt(() => new Semaphore(), sab));
registerCodec('multiproc.BoundedSemaphore', (sab: SharedArrayBuffer) =>
  adopt(() => new BoundedSemaphore(), sab),
);
