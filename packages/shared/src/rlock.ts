/**
 * `RLock`: a re-entrant mutex on shared memory. Same words and fairness as `Lock` (see
 * internal/mutex.ts); word [3] COUNT holds the recursion depth, touched only by the owner.
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
  COUNT,
  heldBy,
  holderOf,
  type LockResult,
  lockAsync,
  lockSync,
  MUTEX_BYTES,
  type Owner,
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
import type { AcquireOptions } from './lock.js';
import { getOwnerId, trackAbandonable } from './owner.js';
import { definePythonNames, noUsingForm } from './python-names.js';

// This thread's owner id, set by the first constructor: `getOwnerId()` loads node:worker_threads,
// which an import of this package must not pay for (issue #18).
let ME = 0;
let adopting: SharedArrayBuffer | undefined;

/**
 * A re-entrant lock shared between threads. Mirrors Python's `multiprocessing.RLock`: the thread
 * that holds it may acquire it again, and must release it as many times. The owner is the thread
 * (JS realm), so two async functions of one thread share ownership, as two Python coroutines do.
 * @example
 * const r = new RLock();
 * r.acquireSync();
 * r.acquireSync(); // re-entry: no deadlock
 * r.release();
 * r.release();
 */
export class RLock implements ConditionLock, Abandonable {
  readonly #w: Int32Array;
  #abandoned = false;

  constructor() {
    if (arguments.length > 0)
      throw tooManyArguments(
        'new RLock()',
        arguments.length,
        'no argument',
        "Python's RLock() takes none either",
      );
    ME ||= getOwnerId();
    this.#w = new Int32Array(adopting ?? newSharedBuffer(MUTEX_BYTES));
    trackAbandonable(this);
    refuseStructuredClone(this, 'an RLock');
  }

  /** Async acquires through this object waiting in this thread. */
  #waiting = 0;

  /** Counts the first level of a lock just taken; `self` is 1 from an async acquire that was counted in #waiting. */
  #enter(r: LockResult, self = 0): boolean {
    if (r === TIMED_OUT) return false;
    this.#abandoned = r === ACQUIRED_ABANDONED;
    Atomics.store(this.#w, COUNT, 1);
    // Other async acquires of this thread asleep on the word: now theirs too, so they re-enter.
    if (this.#waiting > self) Atomics.notify(this.#w, STATE);
    return true;
  }

  // An async acquire counts its level in the instant it takes the lock, and re-enters if another
  // acquire of this thread took it while it waited: never after an await, where another acquire
  // of this thread could come between (it would be overwritten, or wait for its own thread).
  readonly #owner: Owner = { taken: (r) => this.#enter(r, 1), reenter: () => this.#reenter() };

  #reenter(): boolean {
    if (holderOf(Atomics.load(this.#w, STATE)) !== ME) return false;
    // The depth is an Int32: one more would wrap it negative and leave the lock held for good.
    if (Atomics.load(this.#w, COUNT) === 0x7fff_ffff) {
      throw new LockError(
        'RLock acquired 2**31-1 times by this thread without a release: the most it counts.',
      );
    }
    Atomics.add(this.#w, COUNT, 1);
    return true;
  }

  /**
   * Waits for the lock without blocking the event loop; succeeds at once if this thread holds it.
   * @param options `timeout` in ms, or `{ block: false }` to try once (a `timeout` given with it is
   *   ignored, as by Python's `multiprocessing` locks).
   * @throws {ValidationError} for another form.
   * @returns `true` once acquired, `false` on timeout.
   * @throws {LockError} in a program's main thread, when nothing left could end the wait (a deadlock;
   *   in a worker thread too, on one made there and sent at most to workers it started), or when this thread already holds it 2**31-1 times (the most its depth counts).
   * @example
   * import { RLock } from '@multiproc/shared';
   * const r = new RLock();
   * console.log(await r.acquire({ timeout: 50 })); // true
   * console.log(await r.acquire({ timeout: 50 })); // true: this thread holds it, so it re-enters
   * r.release();
   * r.release();
   */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    if (arguments.length > 1) throw tooManyArguments('RLock.acquire()', arguments.length, TAKES_ACQUIRE);
    const deadline = deadlineFor(options, 'RLock.acquire()', true);
    if (this.#reenter()) return true;
    this.#waiting++;
    try {
      return (await lockAsync(this.#w, ME, deadline, true, this.#owner)) !== TIMED_OUT;
    } finally {
      this.#waiting--;
    }
  }

  /**
   * Waits for the lock, blocking this thread; succeeds at once if this thread holds it.
   * @param options `timeout` in ms, or `{ block: false }` to try once (a `timeout` given with it is
   *   ignored, as by Python's `multiprocessing` locks).
   * @throws {ValidationError} for another form.
   * @throws {LockError} when this thread already holds it 2**31-1 times (the most its depth counts).
   * @returns `true` once acquired, `false` on timeout.
   * @example
   * import { RLock } from '@multiproc/shared';
   * const r = new RLock();
   * r.acquireSync();
   * r.release();
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  acquireSync(options?: AcquireOptions): boolean {
    if (arguments.length > 1) throw tooManyArguments('RLock.acquireSync()', arguments.length, TAKES_ACQUIRE);
    const deadline = deadlineFor(options, 'RLock.acquireSync()', true);
    if (this.#reenter()) return true;
    return this.#enter(lockSync(this.#w, ME, deadline));
  }

  /** Takes the lock if it is free now or already this thread's. Python: `acquire(block=False)`. */
  tryAcquire(): boolean {
    if (arguments.length > 0)
      throw tooManyArguments(
        'RLock.tryAcquire()',
        arguments.length,
        'no argument',
        'it never waits: use acquire({ timeout }) to wait at most ms',
      );
    return this.#reenter() || this.#enter(tryLock(this.#w, ME));
  }

  /**
   * Undoes one acquire; the lock is free once every acquire was undone.
   * @throws {LockError} when this thread does not hold the lock (nobody does, or another thread).
   * @example
   * import { RLock } from '@multiproc/shared';
   * const r = new RLock();
   * r.acquireSync();
   * r.acquireSync();
   * r.release(); // still held: one acquire left to undo
   * r.release(); // free
   */
  release(): void {
    if (arguments.length > 0) throw tooManyArguments('RLock.release()', arguments.length, 'no argument');
    const s = Atomics.load(this.#w, STATE);
    if (holderOf(s) !== ME) {
      const free = s === 0 || s === ABANDONED;
      if (this.#waiting > 0) {
        throw new LockError(
          `Cannot release an RLock ${free ? 'that nobody holds' : 'held by another thread'}.${unawaitedAcquire('RLock', 'lock')}`,
        );
      }
      throw new LockError(
        free
          ? 'Cannot release an RLock that nobody holds: call release() once per acquire(). An RLock belongs to a thread, as in Python, so the async functions of one thread share it (one release() undoes another acquire()): to keep async functions of one thread apart, use a Lock (for a Condition: new Condition(new Lock())).'
          : 'Cannot release an RLock held by another thread: only its owner may release it.',
      );
    }
    if (Atomics.sub(this.#w, COUNT, 1) === 1) unlock(this.#w, ME);
  }

  /** Whether some thread holds the lock. */
  locked(): boolean {
    if (arguments.length > 0) throw tooManyArguments('RLock.locked()', arguments.length, 'no argument');
    const s = Atomics.load(this.#w, STATE);
    return s !== 0 && s !== ABANDONED;
  }

  /** Whether this thread holds the lock. Python: `RLock._is_owned()`. */
  isOwned(): boolean {
    if (arguments.length > 0) throw tooManyArguments('RLock.isOwned()', arguments.length, 'no argument');
    return holderOf(Atomics.load(this.#w, STATE)) === ME;
  }

  /** `true` when the latest first-level acquire took over from a thread that died holding it. */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /**
   * Runs `fn` holding the lock, releasing it afterwards even if `fn` throws.
   * @throws {ValidationError} when `fn` is not a function (nothing is acquired).
   * @throws {TimeoutError} when the lock was not acquired within `options.timeout` ms.
   * @example
   * import { RLock } from '@multiproc/shared';
   * const r = new RLock();
   * await r.withLock(() => r.withLock(() => console.log('inside'))); // inside
   */
  withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (arguments.length > 2)
      return rejectArguments(
        'RLock.withLock()',
        arguments.length,
        'the function to run and an optional timeout (ms, or { timeout, block })',
      );
    return runLocked(this, fn, options, 'RLock');
  }

  /**
   * Its state, as Python's repr: `<RLock(None, 0)>` when free, `<RLock(MainProcess, 3)>` when
   * this thread holds it three levels deep (its `currentProcess().name`), and
   * `<RLock(SomeOtherProcess, nonzero)>` when another worker does. Python: `repr(rlock)`.
   * @throws Nothing.
   * @example
   * import { RLock } from '@multiproc/shared';
   * const r = new RLock();
   * console.log(String(r)); // <RLock(None, 0)>
   * r.acquireSync();
   * r.acquireSync();
   * console.log(String(r)); // <RLock(MainProcess, 2)>
   * r.release();
   * r.release();
   */
  toString(): string {
    const holder = heldBy(Atomics.load(this.#w, STATE));
    if (holder === 0) return '<RLock(None, 0)>';
    const count = holder === ME ? Atomics.load(this.#w, COUNT) : 'nonzero';
    return `<RLock(${holderName(holder)}, ${count})>`;
  }

  /**
   * What `console.log(rlock)` shows: `RLock { locked: true, owner: 'MainProcess', count: 2 }`
   * (`owner: null, count: 0` when free). Python: `repr(rlock)`, which {@link RLock.toString} gives.
   * @throws Nothing.
   * @example
   * import { RLock } from '@multiproc/shared';
   * console.log(new RLock()); // RLock { locked: false, owner: null, count: 0 }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const holder = heldBy(Atomics.load(this.#w, STATE));
    const fields =
      holder === 0
        ? { locked: false, owner: null, count: 0 }
        : { locked: true, owner: holderName(holder), count: Atomics.load(this.#w, COUNT) };
    return showFields('RLock', fields, options, inspect);
  }

  /** @internal Used by `Condition`. */
  [kIsOwned](): boolean {
    return this.isOwned();
  }
  /** @internal Used by `Condition`. */
  [kReleaseAll](): number {
    const depth = Atomics.load(this.#w, COUNT);
    Atomics.store(this.#w, COUNT, 1);
    this.release();
    return depth;
  }
  /** @internal Used by `Condition`. */
  [kRestoreSync](depth: number): void {
    this.acquireSync();
    Atomics.store(this.#w, COUNT, depth);
  }
  /** @internal Used by `Condition`. */
  async [kRestoreAsync](depth: number): Promise<void> {
    await this.acquire();
    // Added to the level acquire() counted, keeping any a re-entry of this thread counted meanwhile.
    Atomics.add(this.#w, COUNT, depth - 1);
  }

  /**
   * Called by `abandonOwner()`: an RLock has an owner and only it may release it, so the lock of a
   * thread that ended holding it is given back however it ended (`abandoned` reads `true` next).
   */
  [kAbandon](ownerId: number): number {
    return abandonWord(this.#w, ownerId);
  }

  /** Sends the lock to a worker thread; it keeps working there on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, 'RLock');
    return { type: 'multiproc.RLock', data: this.#w.buffer };
  }
}

registerCodec('multiproc.RLock', (sab: SharedArrayBuffer) => {
  adopting = sab;
  try {
    return new RLock();
  } finally {
    adopting = undefined;
  }
});

definePythonNames(RLock.prototype, noUsingForm('RLock'));
