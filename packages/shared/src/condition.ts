/**
 * `Condition`: wait until notified, releasing a lock meanwhile. The protocol on its shared words
 * (who may take a wake-up, and the invariants that keep one from being lost) is
 * internal/condition-words.ts; this module is the public class.
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { LockError, ValidationError } from './errors.js';
import { rejectArguments, TAKES_ACQUIRE, TAKES_TIMEOUT, tooManyArguments } from './internal/arity.js';
import { assertMayBlock, canBlock } from './internal/browser-limits.js';
import { assertCallback, syncPredicate } from './internal/callbacks.js';
import {
  abandonWaits,
  createWords,
  enterWait,
  grant,
  leaveWait,
  leaveWaitUnlocked,
  SEQ,
  sleepSync,
  waitingIn,
} from './internal/condition-words.js';
import { type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
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
import { assertCanEnd, deadlineFor, NO_WAIT, now, type WaitResult, waitAsync } from './internal/wait.js';
import { type AcquireOptions, Lock } from './lock.js';
import { describeValue } from './options.js';
import { getOwnerId, trackAbandonable } from './owner.js';
import { definePythonNames, noUsingForm } from './python-names.js';
import { RLock } from './rlock.js';
import type { Timeout } from './timeout.js';

// This thread's owner id, set by the first constructor (getOwnerId() loads worker_threads: issue #18).
let ME = 0;
let adopting: SharedArrayBuffer | undefined;

/**
 * A condition variable shared between threads. Mirrors Python's `multiprocessing.Condition`:
 * `wait`, `waitFor`, `notify` and `notifyAll` need the condition's lock held by this thread.
 *
 * Several async functions of ONE thread: give it a `Lock` (`new Condition(new Lock())`). The
 * default lock is an `RLock`, as in Python's `threading.Condition`, and an RLock's owner is the
 * thread, so a second async function's `acquire()` re-enters at once instead of waiting; the first
 * one's `wait()` then releases every level and the others' `wait()` throws `LockError`. Python's
 * `threading.Condition` is the same: its coroutines are one thread. A `Lock` has no owner, so each
 * async function waits its turn, as with Python's `asyncio.Condition` (whose default lock is an
 * `asyncio.Lock`). Threads and processes keep each other out with either lock.
 * @example
 * import { Condition, Lock } from '@multiproc/shared';
 * const cond = new Condition(new Lock()); // a Lock: two async functions of one thread
 * const items: number[] = [];
 * setTimeout(() => cond.withLock(() => { items.push(1); cond.notify(); }), 10);
 * await cond.acquire();
 * try {
 *   while (items.length === 0) await cond.wait(1000);
 * } finally {
 *   cond.release();
 * }
 * console.log(items); // [ 1 ]
 */
export class Condition implements Abandonable {
  readonly #w: Int32Array;
  readonly #lock: Lock | RLock;

  /**
   * @param lock the lock to use; a `Lock` when several async functions of one thread wait on it.
   * @default a new `RLock`, as in Python (it does not keep async functions of one thread apart)
   * @throws {ValidationError} when `lock` is not a `Lock` or `RLock`.
   */
  constructor(lock?: Lock | RLock | null) {
    if (arguments.length > 1)
      throw tooManyArguments('new Condition()', arguments.length, 'an optional Lock or RLock');
    ME ||= getOwnerId();
    // `null` is Python's `None`: a new RLock, as when it is left out.
    if (lock != null && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new ValidationError(`Condition(lock) needs a Lock or an RLock, got ${describeValue(lock)}.`);
    }
    this.#lock = lock ?? new RLock();
    this.#w = adopting ? new Int32Array(adopting) : createWords();
    trackAbandonable(this);
    refuseStructuredClone(this, 'a Condition');
  }

  /** The condition's lock. */
  get lock(): Lock | RLock {
    return this.#lock;
  }

  /**
   * Its state, as Python's repr: its lock's, and how many waiters are not notified yet, e.g.
   * `<Condition(<RLock(None, 0)>, 0)>`. Python: `repr(cond)`.
   * @throws Nothing.
   * @example
   * import { Condition, Lock } from '@multiproc/shared';
   * console.log(String(new Condition(new Lock()))); // <Condition(<Lock(owner=None)>, 0)>
   */
  toString(): string {
    return `<Condition(${String(this.#lock)}, ${waitingIn(this.#w)})>`;
  }

  /**
   * What `console.log(cond)` shows: `Condition { lock: RLock { ... }, waiters: 0 }`. Python:
   * `repr(cond)`, which {@link Condition.toString} gives.
   * @throws Nothing.
   * @example
   * import { Condition, Lock } from '@multiproc/shared';
   * console.log(new Condition(new Lock())); // Condition { lock: Lock { locked: false, owner: null }, waiters: 0 }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    return showFields('Condition', { lock: this.#lock, waiters: waitingIn(this.#w) }, options, inspect);
  }

  /** Acquires the condition's lock without blocking the event loop. @returns `false` on timeout. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    if (arguments.length > 1) return rejectArguments('Condition.acquire()', arguments.length, TAKES_ACQUIRE);
    return this.#lock.acquire(options);
  }
  /**
   * Acquires the condition's lock, blocking this thread. @returns `false` on timeout.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  acquireSync(options?: AcquireOptions): boolean {
    if (arguments.length > 1)
      throw tooManyArguments('Condition.acquireSync()', arguments.length, TAKES_ACQUIRE);
    return this.#lock.acquireSync(options);
  }
  /** Releases the condition's lock. @throws {LockError} when it is not held. */
  release(): void {
    if (arguments.length > 0) throw tooManyArguments('Condition.release()', arguments.length, 'no argument');
    try {
      this.#lock.release();
    } catch (err) {
      if (!(err instanceof LockError)) throw err;
      throw new LockError(
        `Condition.release(): this thread does not hold the condition's lock (${err.message}) Call release() only after acquire().`,
        { cause: err },
      );
    }
  }
  /**
   * Whether anyone holds the condition's lock (its lock's `locked()`). Python 3.14+: `cond.locked()`.
   * @example
   * import { Condition } from '@multiproc/shared';
   * console.log(new Condition().locked()); // false
   */
  locked(): boolean {
    if (arguments.length > 0) throw tooManyArguments('Condition.locked()', arguments.length, 'no argument');
    return this.#lock.locked();
  }
  /**
   * Runs `fn` holding the condition's lock. Python: `with cond:`.
   * @throws {ValidationError} when `fn` is not a function.
   * @throws {TimeoutError} when the lock was not acquired within `options.timeout` ms.
   */
  async withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (arguments.length > 2)
      throw tooManyArguments(
        'Condition.withLock()',
        arguments.length,
        'the function to run and an optional timeout (ms, or { timeout, block })',
      );
    assertCallback(fn, 'Condition.withLock(fn)', 'the function to run holding the lock');
    return this.#lock.withLock(fn, options);
  }

  /** Throws `LockError` unless this thread holds the lock: before anything else `what` does. */
  #assertOwned(what: string): void {
    if (!(this.#lock as unknown as ConditionLock)[kIsOwned]())
      throw new LockError(
        `Condition.${what}() needs its lock held by this thread: call acquire() first (Python: with cond:).`,
      );
  }

  #enter(what: string): { entered: number; saved: number } {
    this.#assertOwned(what);
    const entered = enterWait(this.#w, ME);
    return { entered, saved: (this.#lock as unknown as ConditionLock)[kReleaseAll]() };
  }

  /**
   * Releases the lock, waits to be notified (without blocking the event loop), reacquires it.
   * @param timeoutMs how long to wait, in ms.
   * @default Infinity
   * @returns `false` on timeout.
   * @throws {LockError} when this thread does not hold the lock; when nothing left could notify it
   * (a deadlock, in the main thread or the worker that made it; the lock is held again first).
   */
  async wait(timeoutMs?: Timeout): Promise<boolean> {
    if (arguments.length > 1) throw tooManyArguments('Condition.wait()', arguments.length, TAKES_TIMEOUT);
    return this.#waitUntil(deadlineFor(timeoutMs, 'Condition.wait()'));
  }

  async #waitUntil(deadline: number): Promise<boolean> {
    const lock = this.#lock as unknown as ConditionLock;
    let { entered, saved } = this.#enter('wait');
    for (let seq = entered; ; ) {
      let stuck: unknown;
      const r = await waitAsync(this.#w, SEQ, seq, deadline).catch((e: unknown) => {
        stuck = e;
        return 'timed-out' as const;
      });
      try {
        await lock[kRestoreAsync](saved);
      } catch (err) {
        leaveWaitUnlocked(this.#w, ME, entered);
        throw err;
      }
      const left = leaveWait(this.#w, ME, entered, r === 'timed-out' || now() >= deadline);
      if (left === true) return true;
      if (left === false) {
        if (stuck !== undefined) throw stuck;
        return false;
      }
      seq = Atomics.load(this.#w, SEQ);
      saved = lock[kReleaseAll]();
    }
  }

  /**
   * Like {@link Condition.wait}, blocking this thread.
   * @returns `false` on timeout.
   * @throws {LockError} when this thread does not hold the lock; at once, without a timeout, when no
   *   other thread has the condition (never sent to one), so nothing could notify it.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  waitSync(timeoutMs?: Timeout): boolean {
    if (arguments.length > 1) throw tooManyArguments('Condition.waitSync()', arguments.length, TAKES_TIMEOUT);
    return this.#waitSyncUntil(deadlineFor(timeoutMs, 'Condition.waitSync()'));
  }

  #waitSyncUntil(deadline: number): boolean {
    const lock = this.#lock as unknown as ConditionLock;
    if (!canBlock()) {
      // A page's main thread: refused before it registers or lets go of the lock, unless it never
      // waits (a timeout of 0: it then cannot be notified, and taking the lock back could block).
      this.#assertOwned('waitSync');
      if (deadline === NO_WAIT) return false;
      assertMayBlock();
    }
    this.#assertOwned('waitSync');
    assertCanEnd(this.#w, deadline); // nobody else could notify(): only this thread has the condition
    let { entered, saved } = this.#enter('waitSync');
    for (let seq = entered; ; ) {
      let r: WaitResult;
      try {
        r = sleepSync(this.#w, seq, deadline, ME);
      } catch (err) {
        lock[kRestoreSync](saved);
        leaveWait(this.#w, ME, entered, true);
        throw err;
      }
      lock[kRestoreSync](saved);
      const left = leaveWait(this.#w, ME, entered, r === 'timed-out' || now() >= deadline);
      if (left !== null) return left;
      seq = Atomics.load(this.#w, SEQ);
      saved = lock[kReleaseAll]();
    }
  }

  /**
   * Waits until `predicate()` is truthy. Python: `wait_for(predicate, timeout)`.
   * @param predicate checked with the lock held, before each wait and after each wake-up.
   * @param timeoutMs the total time to wait, in ms, counted from the predicate's first answer, as
   *   Python's: a falsy one is asked again at the wait's end (0 or less: no wait).
   * @default Infinity
   * @returns the predicate's last value (falsy on timeout).
   * @throws {ValidationError} when `predicate` is not a function.
   * @throws {LockError} when this thread does not hold the lock, before the predicate is asked (as
   *   Python documents; its `wait_for` checks only once it waits).
   * @example
   * import { Condition, Lock } from '@multiproc/shared';
   * const cond = new Condition(new Lock());
   * const queue: string[] = [];
   * setTimeout(() => cond.withLock(() => { queue.push('job'); cond.notifyAll(); }), 10);
   * await cond.acquire();
   * console.log(await cond.waitFor(() => queue.length > 0, 1000)); // true
   * cond.release();
   */
  async waitFor<T>(predicate: () => T | Promise<T>, timeoutMs?: Timeout): Promise<T> {
    if (arguments.length > 2)
      throw tooManyArguments('Condition.waitFor()', arguments.length, TAKES_PREDICATE);
    assertCallback(predicate, 'Condition.waitFor(predicate)', PREDICATE);
    const t0 = now();
    let deadline = deadlineFor(timeoutMs, 'Condition.waitFor()');
    this.#assertOwned('waitFor'); // also when the predicate holds at once: it runs under the lock
    let result = await predicate();
    if (result) return result;
    deadline += now() - t0; // see waitForSync()
    while (!result && deadline - now() > 0) {
      await this.#waitUntil(deadline);
      result = await predicate();
    }
    return result;
  }

  /**
   * Like {@link Condition.waitFor}, blocking this thread. The predicate must be synchronous: a
   * blocking wait cannot await a Promise (which is truthy), so one returned is refused.
   * @returns the predicate's last value.
   * @throws {ValidationError} when `predicate` is not a function, or returns a Promise (use
   *   `await cond.waitFor(predicate)` for an async one); the lock is still held then.
   * @throws {LockError} when this thread does not hold the lock, before the predicate is asked.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  waitForSync<T>(predicate: () => T, timeoutMs?: Timeout): T {
    if (arguments.length > 2)
      throw tooManyArguments('Condition.waitForSync()', arguments.length, TAKES_PREDICATE);
    assertCallback(predicate, 'Condition.waitForSync(predicate)', PREDICATE);
    const t0 = now();
    let deadline = deadlineFor(timeoutMs, 'Condition.waitForSync()');
    this.#assertOwned('waitForSync');
    let result = syncPredicate(predicate);
    if (result) return result;
    // As multiprocessing's wait_for: the timeout counts from the predicate's first answer, so however
    // slow it (or the machine) is, a positive timeout gets its wait and a falsy predicate is asked twice.
    deadline += now() - t0;
    while (!result && deadline - now() > 0) {
      this.#waitSyncUntil(deadline);
      result = syncPredicate(predicate);
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters (0: none). Python: `notify(n)`.
   * @param n how many: an integer from 0, or `Infinity` for all (as {@link notifyAll}).
   * @default 1
   * @throws {ValidationError} when `n` is not such a number (1.5, '2', NaN, null, -1).
   * @throws {LockError} when this thread does not hold the lock.
   * @example
   * const cond = new Condition();
   * cond.acquireSync();
   * cond.notify(2); // nobody waits: wakes nobody
   * cond.release();
   */
  notify(n = 1): void {
    if (arguments.length > 1)
      throw tooManyArguments('Condition.notify()', arguments.length, 'an optional number of waiters n');
    this.#notify(n, 'notify');
  }

  /** Wakes every waiter. Python: `notify_all()`. @throws {LockError} when the lock is not held. */
  notifyAll(): void {
    if (arguments.length > 0)
      throw tooManyArguments('Condition.notifyAll()', arguments.length, 'no argument');
    this.#notify(Number.POSITIVE_INFINITY, 'notifyAll');
  }

  #notify(n: number, what: string): void {
    if (typeof n !== 'number' || !(Number.isInteger(n) || n === Number.POSITIVE_INFINITY) || n < 0) {
      throw new ValidationError(
        `notify(n) needs the number of waiters to wake, an integer from 0 (or Infinity: all), got ${describeValue(n)}.`,
      );
    }
    this.#assertOwned(what);
    grant(this.#w, n);
  }

  /**
   * Called by `abandonOwner()`: stops counting the ended thread's waits, however it ended (nobody
   * else can end them). Its lock recovers itself, by the rule of that lock's class.
   */
  [kAbandon](ownerId: number): number {
    return abandonWaits(this.#w, ownerId);
  }

  /** Sends the condition (and its lock) to a worker thread; both keep working on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, 'Condition');
    return { type: 'multiproc.Condition', data: { sab: this.#w.buffer, lock: this.#lock } };
  }
}

const TAKES_PREDICATE = 'a predicate and an optional timeout (ms, or { timeout })';
const PREDICATE = 'the predicate as a function (called with the lock held)';

definePythonNames(Condition.prototype, { wait_for: 'waitFor()', notify_all: 'notifyAll()' });
definePythonNames(Condition.prototype, noUsingForm('Condition'));

registerCodec('multiproc.Condition', (data: { sab: SharedArrayBuffer; lock: Lock | RLock }) => {
  adopting = data.sab;
  try {
    return new Condition(data.lock);
  } finally {
    adopting = undefined;
  }
});
