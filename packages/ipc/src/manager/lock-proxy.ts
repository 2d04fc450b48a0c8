/**
 * The proxy of a manager's `Lock` and `RLock` (and the base of its semaphores' and Condition's,
 * sync-proxies.ts). Its methods have the names and forms of the thread `Lock`'s in
 * `@multiproc/shared`; those that are synchronous there return a Promise here (they cross to the
 * manager), but for what this thread or process knows by itself (client-lease.ts).
 */
import {
  type AcquireOptions,
  ContextError,
  describeValue,
  resolveTimeout,
  TimeoutError,
  ValidationError,
} from '@multiproc/shared';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import type { ManagerClient } from '../internal/manager/client.js';
import { acquireLock, holdKey, isLocked } from '../internal/manager/client-lease.js';
import { noSyncWait } from '../internal/manager/no-sync.js';
import { proxyRef } from '../internal/manager/server.js';
import { wireTimeout } from '../internal/manager/wire.js';
import { BaseProxy, proxyClass } from './proxy.js';

/** `acquire()`'s argument: ms, `{ timeout }`, or `{ block: false }` (answer at once). */
export type AcquireArg = AcquireOptions | null | undefined;

/**
 * A manager's `Lock` (or `RLock`): mutual exclusion between threads and processes. Mirrors
 * Python's `AcquirerProxy` of `SyncManager.Lock()`. If the thread or process holding it fails (an
 * uncaught error, a non-zero exit, a signal), the manager releases it. One that ends normally (exit
 * code 0, a pool worker retired after `maxTasksPerChild`) leaves a `Lock` held, as in Python, for
 * another thread or process to release; an `RLock`, which only its holder may release, is released
 * however its holder ended.
 *
 * A plain `Lock` that one thread or process takes again and again while nobody else asks for it is
 * leased to it: its `acquire()`, `release()` and `locked()` then answer at once, without a message
 * to the manager, until another thread or process asks for the lock, which first gets it back
 * from the holder (one more round trip for that asker). A lease holder whose event loop is blocked
 * (a long synchronous computation) delays the asker until its loop runs again.
 * @example
 * const manager = Manager();
 * const lock = manager.Lock();
 * await lock.withLock(async () => console.log('held')); // held
 * await manager.shutdown();
 */
export class LockProxy extends BaseProxy {
  /**
   * Acquires the lock, waiting up to `timeout` ms; resolves to whether it did. Python: `acquire(block, timeout)`.
   * @param timeout - ms, `{ timeout }` or `{ block: false }` (answers at once; a `timeout` given with
   *   it is ignored, as by Python's `multiprocessing.Lock`). @default waits without limit
   * @throws {ValidationError} for another form of timeout.
   * @throws {LockError} without a timeout, when nothing could ever release it: the manager is
   *   served from this thread, no other thread, process or program uses it, and this program has
   *   nothing else left to do (a deadlock Python would block in forever).
   * @throws {ManagerClosedError} when the manager is gone.
   */
  acquire(timeout?: AcquireArg): Promise<boolean> {
    let ms: number;
    try {
      ms = wireTimeout(timeout, `${this.typeid}.acquire()`, true);
    } catch (err) {
      return Promise.reject(err);
    }
    // Not async: a leased lock's acquire is settled at once (client-lease.ts).
    const ref = this[proxyRef];
    return acquireLock(this.client(), ref.id, ms, this.typeid === 'Lock', ms < 0, holdKey(ref));
  }

  /** Acquires the lock if it is free now; resolves to whether it did. */
  tryAcquire(): Promise<boolean> {
    const ref = this[proxyRef];
    return acquireLock(this.client(), ref.id, 0, this.typeid === 'Lock', false, holdKey(ref));
  }

  /**
   * Releases the lock. Python: `release()`. When this thread or process holds it by its own count
   * of acquires and releases, the release is sent without waiting for the manager's answer and the
   * promise never rejects (so `lock.release()` without `await` works, as with a thread `Lock`): it
   * settles at once, or right after an earlier call of this lock still unanswered (`cond.notify();
   * cond.release()` settle in that order); this thread's or process's later calls run after it,
   * and another's `acquire()` gets the lock once the manager has read it. If another thread or process released it first (a
   * plain `Lock` or `Semaphore` allows that), the error is emitted as a warning and rejects this
   * thread's next call of this lock.
   *
   * A release this thread or process knows to fail throws `LockError` at once, as a thread
   * `Lock`'s does: an `RLock` (or a `Condition` over one) it does not hold, or a plain `Lock` it
   * does not hold that nobody else can reach (never sent to another thread or process, or leased
   * here). Otherwise only the manager can tell (another process may hold a plain `Lock`, and may
   * release it, as in Python): the returned promise rejects with `LockError` then.
   * @throws {LockError} when it is not held (an `RLock`: not held by this thread or process): at
   *   once when known here, else by rejecting.
   * @throws {ManagerClosedError} when the manager is gone (rejects).
   * @example
   * const manager = Manager();
   * const r = manager.RLock();
   * try {
   *   r.release();
   * } catch (err) {
   *   console.log((err as Error).name); // LockError: this thread does not hold it
   * }
   * await manager.shutdown();
   */
  release(): Promise<void> {
    return this.client().release(this[proxyRef]) as Promise<void>;
  }

  /** Whether anyone holds the lock. Python: `locked()`. */
  locked(): Promise<boolean> {
    return isLocked(this.client(), this[proxyRef].id);
  }

  /**
   * Not here: blocking this thread cannot wait for the manager's answer. Use `await lock.acquire(timeout)`.
   * (A thread `Lock`'s `acquireSync()` works.)
   * @throws {ContextError} always, saying so.
   */
  acquireSync(_timeout?: AcquireArg): never {
    const name = this.typeid === 'Condition' ? 'cond' : this.typeid.endsWith('Semaphore') ? 'sem' : 'lock';
    throw noSyncWait(this.typeid, 'acquireSync', `await ${name}.acquire(timeout)`);
  }

  /**
   * Whether this thread or process holds the lock, known here (its own count of acquires and
   * releases; not counting an acquire still on its way, nor the release a `Condition.wait()` in
   * progress makes at the manager). Python: `RLock._is_owned()`.
   * @throws {ContextError} for a plain `Lock` or a semaphore, which have no owner (any thread or
   *   process may release them): use an `RLock`.
   * @example
   * const manager = Manager();
   * const r = manager.RLock();
   * await r.acquire();
   * console.log(r.isOwned()); // true
   * await manager.shutdown();
   */
  isOwned(): boolean {
    const ref = this[proxyRef];
    const type = ref.typeid === 'Condition' ? (ref.over?.typeid ?? 'RLock') : ref.typeid;
    if (type !== 'RLock') {
      throw new ContextError(
        `isOwned() is an RLock's: a ${type} has no owner (any thread or process may release it). Use an RLock.`,
      );
    }
    return (this.client() as Partial<ManagerClient>).leases?.holds(holdKey(ref)) ?? false;
  }

  /**
   * Not here: the manager releases what a thread or process that failed held, and does not tell
   * the next acquirer. Keep a flag or version in the guarded data to detect a half-done update.
   * (A thread `Lock`'s `abandoned` works.)
   * @throws {ContextError} always, saying so.
   */
  get abandoned(): never {
    throw new ContextError(
      `A manager's (or getContext('process')'s) ${this.typeid} cannot tell whether the one that held it ` +
        'before died holding it: the manager releases what a failed thread or process held. Keep a flag or ' +
        'version in the guarded data to detect a half-done update; `.abandoned` works on a thread Lock only.',
    );
  }

  /**
   * Runs `fn` holding the lock, and releases it after, even if `fn` throws (Python: `with lock:`).
   * @param fn - what to run; its result is returned.
   * @param options - `timeout` in ms for acquiring (ms, `{ timeout }`). @default no limit
   * @throws {ValidationError} when `fn` is not a function (nothing is acquired).
   * @throws {TimeoutError} when the lock was not acquired in time (`fn` did not run).
   */
  async withLock<R>(fn: () => R | Promise<R>, options?: AcquireOptions): Promise<R> {
    assertFunction(fn, `${this.typeid}.withLock(fn)`, 'the function to run holding the lock');
    if (!(await this.acquire(options))) {
      const { timeoutMs } = resolveTimeout(options, 'withLock()', { block: true });
      throw new TimeoutError(`${this.typeid} not acquired within ${timeoutMs} ms.`);
    }
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }
}
/**
 * Throws `ValidationError` unless `fn` is a function, as the thread primitives do (their
 * `internal/callbacks.ts` in @multiproc/shared), rather than a bare `TypeError` after acquiring.
 */
export function assertFunction(fn: unknown, what: string, role: string): void {
  if (typeof fn !== 'function') throw new ValidationError(`${what} takes ${role}, got ${describeValue(fn)}.`);
}

proxyClass('Lock', LockProxy);
proxyClass('RLock', LockProxy);
refuseExtraArguments(LockProxy.prototype, 'Lock');
