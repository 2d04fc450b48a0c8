/**
 * `Lock`: a non-recursive mutex on shared memory (layout and fairness: see internal/mutex.ts).
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { LockError } from './errors.js';
import { rejectArguments, TAKES_ACQUIRE, tooManyArguments } from './internal/arity.js';
import { newSharedBuffer } from './internal/browser-limits.js';
import { holderName, type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
import {
  ABANDONED,
  ACQUIRED_ABANDONED,
  abandonWord,
  heldBy,
  holderOf,
  lockAsync,
  lockSync,
  MUTEX_BYTES,
  STATE,
  TIMED_OUT,
  tryLock,
  unlock,
} from './internal/mutex.js';
import {
  type Abandonable,
  type ConditionLock,
  kAbandon,
  kIsOwned,
  kReleaseAll,
  kRestoreAsync,
  kRestoreSync,
} from './internal/protocol.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { unawaitedAcquire } from './internal/unawaited.js';
import { deadlineFor } from './internal/wait.js';
import { runLocked } from './internal/with-lock.js';
import { getOwnerId, trackAbandonable } from './owner.js';
import { definePythonNames, noUsingForm } from './python-names.js';

import type { BlockingWaitOptions } from './timeout.js';

/**
 * The timeout argument of `acquire()`/`acquireSync()`/`withLock()` on every lock: a number of
 * milliseconds, or `{ timeout?, block? }` (`block: false` tries once, Python's `block=False`).
 */
export type AcquireOptions = number | BlockingWaitOptions;

// This thread's owner id, set by the first constructor: `getOwnerId()` loads node:worker_threads,
// which an import of this package must not pay for (issue #18).
let ME = 0;
// Set only while a decoder builds an object on received memory; see the codec at the bottom.
let adopting: SharedArrayBuffer | undefined;

/**
 * A mutual-exclusion lock shared between threads. Mirrors Python's `multiprocessing.Lock`: any
 * thread may release it, it is not re-entrant. A lock held by a worker that ends normally (its
 * target or task returned) stays held, as in Python, so a worker may take it and another thread
 * release it later. Beyond Python, it records its holder, so a lock held by a worker that fails
 * (throws at top level, exits non-zero, is terminated or killed, runs out of memory) is recovered
 * by `abandonOwner()` and the next acquirer sees `abandoned === true`.
 * @example
 * const lock = new Lock();
 * await lock.withLock(async () => {
 *   // critical section
 * });
 */
export class Lock implements ConditionLock, Abandonable {
  readonly #w: Int32Array;
  #abandoned = false;
  /** Async acquires through this object waiting in this thread (names a missing `await`). */
  #waiting = 0;

  constructor() {
    if (arguments.length > 0)
      throw tooManyArguments(
        'new Lock()',
        arguments.length,
        'no argument',
        "Python's Lock() takes none either",
      );
    ME ||= getOwnerId();
    this.#w = new Int32Array(adopting ?? newSharedBuffer(MUTEX_BYTES));
    trackAbandonable(this);
    refuseStructuredClone(this, 'a Lock');
  }

  /**
   * Waits for the lock without blocking the event loop.
   * @param options `timeout` in ms, or `{ block: false }` to try once (a `timeout` given with it is
   *   ignored, as by Python's `multiprocessing` locks).
   * @throws {ValidationError} for another form.
   * @returns `true` once acquired, `false` on timeout.
   * @throws {LockError} in a program's main thread, when nothing left could end the wait (a deadlock);
   *   in a worker thread too, on one made there and sent at most to workers it started.
   * @example
   * import { Lock } from '@multiproc/shared';
   * const lock = new Lock();
   * console.log(await lock.acquire({ timeout: 100 })); // true
   * console.log(await lock.acquire({ timeout: 100 })); // false: held, so it timed out
   * lock.release();
   */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    if (arguments.length > 1) throw tooManyArguments('Lock.acquire()', arguments.length, TAKES_ACQUIRE);
    const deadline = deadlineFor(options, 'Lock.acquire()', true);
    if (Atomics.compareExchange(this.#w, STATE, 0, ME) === 0) {
      this.#abandoned = false;
      return true;
    }
    this.#waiting++;
    try {
      return this.#took(await lockAsync(this.#w, ME, deadline));
    } finally {
      this.#waiting--;
    }
  }

  /**
   * Waits for the lock, blocking this thread (for worker hot loops; not on a browser main thread).
   * @param options `timeout` in ms, or `{ block: false }` to try once (a `timeout` given with it is
   *   ignored, as by Python's `multiprocessing` locks).
   * @throws {ValidationError} for another form.
   * @returns `true` once acquired, `false` on timeout.
   * @example
   * import { Lock, RawValue } from '@multiproc/shared';
   * const lock = new Lock();
   * const counter = new RawValue('i', 0);
   * lock.acquireSync();
   * try { counter.value += 1; } finally { lock.release(); }
   * console.log(counter.value); // 1
   * @throws {LockError} at once for an unbounded wait that could never end: on a lock this thread
   *   holds that no other thread has (never sent to one); Python would block for ever.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  acquireSync(options?: AcquireOptions): boolean {
    if (arguments.length > 1) throw tooManyArguments('Lock.acquireSync()', arguments.length, TAKES_ACQUIRE);
    const deadline = deadlineFor(options, 'Lock.acquireSync()', true);
    if (Atomics.compareExchange(this.#w, STATE, 0, ME) === 0) {
      this.#abandoned = false;
      return true;
    }
    return this.#took(lockSync(this.#w, ME, deadline));
  }

  /**
   * Takes the lock only if it is free now. Python: `acquire(block=False)`.
   * @example
   * import { Lock } from '@multiproc/shared';
   * const lock = new Lock();
   * console.log(lock.tryAcquire(), lock.tryAcquire()); // true false
   * lock.release();
   */
  tryAcquire(): boolean {
    if (arguments.length > 0)
      throw tooManyArguments(
        'Lock.tryAcquire()',
        arguments.length,
        'no argument',
        'it never waits: use acquire({ timeout }) to wait at most ms',
      );
    return this.#took(tryLock(this.#w, ME));
  }

  #took(r: 0 | 1 | 2): boolean {
    if (r === TIMED_OUT) return false;
    this.#abandoned = r === ACQUIRED_ABANDONED;
    return true;
  }

  /**
   * Releases the lock (from any thread, as in Python).
   * @throws {LockError} when the lock is not held (the message names a missing `await` when an
   *   `acquire()` of this thread is still waiting for it).
   * @example
   * import { Lock } from '@multiproc/shared';
   * const lock = new Lock();
   * lock.acquireSync();
   * lock.release(); // a second release() would throw LockError
   */
  release(): void {
    if (arguments.length > 0) throw tooManyArguments('Lock.release()', arguments.length, 'no argument');
    if (!unlock(this.#w, ME))
      throw new LockError(
        this.#waiting > 0
          ? `Cannot release a Lock that is not held.${unawaitedAcquire('Lock', 'lock')}`
          : 'Cannot release a Lock that is not held. Call acquire() first; if this thread did, another ' +
              'thread released it meanwhile (any thread may release a Lock, as in Python), as one whose ' +
              '`lock.acquire()` lacks an `await` does.',
      );
  }

  /** Whether some thread holds the lock. Python: `Lock.locked()` (3.14). */
  locked(): boolean {
    if (arguments.length > 0) throw tooManyArguments('Lock.locked()', arguments.length, 'no argument');
    const s = Atomics.load(this.#w, STATE);
    return s !== 0 && s !== ABANDONED;
  }

  /**
   * `true` when the latest acquire through this object took over the lock from a thread that died
   * holding it (see `abandonOwner()`): the data it protects may be half-updated. Beyond Python.
   */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /**
   * Runs `fn` holding the lock and releases it afterwards, even if `fn` throws. Python: `with lock:`.
   * @param fn the critical section; may be async.
   * @param options `timeout` in ms for acquiring.
   * @throws {ValidationError} when `fn` is not a function (nothing is acquired).
   * @throws {TimeoutError} when the lock was not acquired in time.
   * @example
   * import { Lock } from '@multiproc/shared';
   * const lock = new Lock();
   * const n = await lock.withLock(() => 42);
   * console.log(n, lock.locked()); // 42 false
   */
  withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (arguments.length > 2)
      return rejectArguments(
        'Lock.withLock()',
        arguments.length,
        'the function to run and an optional timeout (ms, or { timeout, block })',
      );
    return runLocked(this, fn, options, 'Lock');
  }

  /**
   * Its state, as Python's repr: `<Lock(owner=None)>` when free, `<Lock(owner=MainProcess)>`
   * when this thread holds it (its `currentProcess().name`), `<Lock(owner=SomeOtherProcess)>`
   * when another worker does. Python: `repr(lock)`.
   * @throws Nothing.
   * @example
   * import { Lock } from '@multiproc/shared';
   * const lock = new Lock();
   * console.log(String(lock)); // <Lock(owner=None)>
   * lock.acquireSync();
   * console.log(String(lock)); // <Lock(owner=MainProcess)>
   * lock.release();
   */
  toString(): string {
    return `<Lock(owner=${holderName(heldBy(Atomics.load(this.#w, STATE)))})>`;
  }

  /**
   * What `console.log(lock)` shows: `Lock { locked: true, owner: 'MainProcess' }` (`owner: null`
   * when free). Python: `repr(lock)`, which {@link Lock.toString} gives.
   * @throws Nothing.
   * @example
   * import { Lock } from '@multiproc/shared';
   * console.log(new Lock()); // Lock { locked: false, owner: null }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const holder = heldBy(Atomics.load(this.#w, STATE));
    const fields = { locked: holder !== 0, owner: holder === 0 ? null : holderName(holder) };
    return showFields('Lock', fields, options, inspect);
  }

  /** @internal Used by `Condition`. */
  [kIsOwned](): boolean {
    return holderOf(Atomics.load(this.#w, STATE)) === ME;
  }
  /** @internal Used by `Condition`. */
  [kReleaseAll](): number {
    this.release();
    return 1;
  }
  /** @internal Used by `Condition`. */
  [kRestoreSync](): void {
    this.acquireSync();
  }
  /** @internal Used by `Condition`. */
  async [kRestoreAsync](): Promise<void> {
    await this.acquire();
  }

  /**
   * Called by `abandonOwner()`: the lock of a thread that failed is given back; that of a thread
   * that ended normally stays held, as in Python, where any thread may release a Lock.
   */
  [kAbandon](ownerId: number, failed: boolean): number {
    return abandonWord(this.#w, ownerId, failed);
  }

  /** Sends the lock to a worker thread; it keeps working there on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, 'Lock');
    return { type: 'multiproc.Lock', data: this.#w.buffer };
  }
}

registerCodec('multiproc.Lock', (sab: SharedArrayBuffer) => {
  adopting = sab;
  try {
    return new Lock();
  } finally {
    adopting = undefined;
  }
});

definePythonNames(Lock.prototype, noUsingForm('Lock'));
