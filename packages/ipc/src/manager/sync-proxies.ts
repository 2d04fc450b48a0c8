/**
 * Proxies of the manager's synchronisation primitives. Their methods have the names and forms of
 * the thread primitives in `@multiproc/shared` (`await lock.acquire({ timeout })`,
 * `await ev.wait(ms)`), so code moves between a thread `Lock` and a manager `Lock` unchanged; the
 * ones that are synchronous there return a Promise here (they cross to the manager). The Lock's
 * own proxy, the base of the others here, is in lock-proxy.ts.
 */
import { ContextError, type Timeout } from '@multiproc/shared';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { checkNotifyCount, checkReleaseCount } from '../internal/manager/counts.js';
import { noSyncWait } from '../internal/manager/no-sync.js';
import { proxyRef } from '../internal/manager/server.js';
import { callOrReject, wireTimeout } from '../internal/manager/wire.js';
import { type AcquireArg, assertFunction, LockProxy } from './lock-proxy.js';
import { BaseProxy, makeProxy, proxyClass } from './proxy.js';

export { type AcquireArg, LockProxy };

/**
 * A manager's `Semaphore` or `BoundedSemaphore`. Mirrors Python's `SyncManager.Semaphore(value)`.
 * What a thread or process acquired and did not release is released when it fails (an uncaught
 * error, a non-zero exit, a signal); when it ends normally (exit code 0, a pool worker retired after
 * `maxTasksPerChild`) it stays taken, as in Python, for another thread or process to release.
 * @example
 * const manager = Manager();
 * const sem = manager.Semaphore(2);
 * await sem.acquire();
 * console.log(await sem.getValue()); // 1
 * await manager.shutdown();
 */
export class SemaphoreProxy extends LockProxy {
  /**
   * Releases `n` permits, waking up to `n` waiters. Python: `release(n)`. Sent without waiting for
   * the manager's answer when `n` is 1 and this thread or process holds a permit (see
   * {@link LockProxy.release}).
   * @param n - Permits to release, a positive integer.
   * @default 1
   * @throws {ValidationError} when `n` is not a positive integer (at once, as a thread `Semaphore`'s).
   * @throws {LockError} for a `BoundedSemaphore` whose value would exceed its initial value: at
   *   once when only this thread or process can reach it (never sent elsewhere), else by rejecting.
   * @example
   * const manager = Manager();
   * const sem = manager.Semaphore(0);
   * await sem.release(3);
   * console.log(await sem.getValue()); // 3
   * await manager.shutdown();
   */
  override release(n = 1): Promise<void> {
    checkReleaseCount(n);
    return this.client().release(this[proxyRef], n) as Promise<void>;
  }

  /** The current count. Python: `get_value()`. */
  getValue(): Promise<number> {
    return this.callMethod('getValue') as Promise<number>;
  }

  /** Whether the count is 0 (an acquire would wait). */
  override locked(): Promise<boolean> {
    return this.getValue().then((v) => v === 0);
  }
}
proxyClass('Semaphore', SemaphoreProxy);
proxyClass('BoundedSemaphore', SemaphoreProxy);
refuseExtraArguments(SemaphoreProxy.prototype, 'Semaphore');

/**
 * A manager's `Event`. Mirrors Python's `EventProxy`.
 * @example
 * const manager = Manager();
 * const ev = manager.Event();
 * await ev.set();
 * console.log(await ev.wait(1000)); // true
 * await manager.shutdown();
 */
export class EventProxy extends BaseProxy {
  /** Sets the flag and wakes every waiter. Python: `set()`. */
  set(): Promise<void> {
    return this.callMethod('set') as Promise<void>;
  }
  /** Clears the flag. Python: `clear()`. */
  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }
  /** Whether the flag is set. Python: `is_set()`. */
  isSet(): Promise<boolean> {
    return this.callMethod('isSet') as Promise<boolean>;
  }
  /**
   * Waits until the flag is set or `timeout` ms pass; resolves to the flag. Python: `wait(timeout)`.
   * @param timeout - ms or `{ timeout }`. @default no limit
   * @throws {LockError} without a timeout, when nothing could ever set it (as `LockProxy.acquire()`).
   */
  wait(timeout?: Timeout): Promise<boolean> {
    return callOrReject(
      () => this.waitCall('wait', wireTimeout(timeout, 'Event.wait()')) as Promise<boolean>,
    );
  }

  /**
   * Not here: blocking this thread cannot wait for the manager's answer. Use `await ev.wait(timeout)`.
   * @throws {ContextError} always, saying so.
   */
  waitSync(_timeout?: Timeout): never {
    throw noSyncWait('Event', 'waitSync', 'await ev.wait(timeout)');
  }
}
proxyClass('Event', EventProxy);
refuseExtraArguments(EventProxy.prototype, 'Event');

/**
 * A manager's `Condition` (over an `RLock` unless given a manager lock). Mirrors Python's
 * `SyncManager.Condition(lock)`. `wait`/`notify` need the lock held, else `LockError`.
 * @example
 * const manager = Manager();
 * const cond = manager.Condition();
 * await cond.acquire();
 * console.log(await cond.wait(10)); // false: nobody notified
 * await cond.release();
 * await manager.shutdown();
 */
export class ConditionProxy extends LockProxy {
  #lock: LockProxy | undefined;

  /**
   * The condition's lock: the one given to `Condition(lock)`, or the `RLock` made for it. Taking
   * either takes the other. Python: `cond._lock`.
   * @throws {ContextError} for a Condition a connected manager made without a lock given (its
   *   lock has no proxy): make it with `Condition(lock)` to reach the lock.
   */
  get lock(): LockProxy {
    const over = this[proxyRef].over;
    if (over === undefined) {
      throw new ContextError(
        'This Condition was made by a connected manager without a lock: its RLock has no proxy. Make it with Condition(lock) to reach the lock.',
      );
    }
    this.#lock ??= makeProxy<LockProxy>(over);
    return this.#lock;
  }

  /**
   * Releases the lock, waits for `notify()` or `timeout` ms, re-acquires; resolves to whether it
   * was notified. Python: `wait(timeout)`.
   * @throws {LockError} when this thread or process does not hold the lock, or without a timeout
   *   when nothing could ever notify it (as `LockProxy.acquire()`; the lock is held again then).
   */
  wait(timeout?: Timeout): Promise<boolean> {
    const ms = () => wireTimeout(timeout, 'Condition.wait()');
    return callOrReject(() => this.waitCall('wait', ms()) as Promise<boolean>);
  }

  /**
   * Waits until `predicate()` is truthy (checked here, under the lock), at most `timeout` ms;
   * resolves to its last value. Python: `wait_for(predicate, timeout)`.
   * @throws {ValidationError} when `predicate` is not a function.
   * @throws {LockError} when this thread or process does not hold the lock, before the predicate
   *   is asked (as Python documents; its `wait_for` checks only once it waits).
   */
  async waitFor<R>(predicate: () => R | Promise<R>, timeout?: Timeout): Promise<R> {
    assertFunction(
      predicate,
      'Condition.waitFor(predicate)',
      'the predicate as a function (called with the lock held)',
    );
    const ms = wireTimeout(timeout, 'Condition.waitFor()');
    await this.callMethod('owned');
    let r = await predicate();
    if (r) return r;
    // As Python's wait_for: the timeout counts from the predicate's first answer, so however slow
    // it is, a positive timeout gets its wait and a falsy predicate is asked twice.
    const end = ms < 0 ? Number.POSITIVE_INFINITY : performance.now() + ms;
    for (let left = end - performance.now(); !r && left > 0; left = end - performance.now()) {
      await this.wait(left === Number.POSITIVE_INFINITY ? undefined : left);
      r = await predicate();
    }
    return r;
  }

  /**
   * Wakes up to `n` waiters (0: none). Python: `notify(n)`.
   * @param n - How many, an integer from 0, or `Infinity` for all (as {@link notifyAll}).
   * @default 1
   * @throws {ValidationError} when `n` is not such a number (1.5, '2', NaN, null, -1).
   * @throws {LockError} without the lock.
   * @example
   * const manager = Manager();
   * const cond = manager.Condition();
   * await cond.acquire();
   * await cond.notify(2); // nobody waits: wakes nobody
   * await cond.release();
   * await manager.shutdown();
   */
  notify(n = 1): Promise<void> {
    try {
      checkNotifyCount(n);
    } catch (err) {
      return Promise.reject(err);
    }
    return (
      n === Number.POSITIVE_INFINITY ? this.notifyAll() : this.callMethod('notify', n)
    ) as Promise<void>;
  }

  /**
   * Not here: use `await cond.wait(timeout)`.
   * @throws {ContextError} always, saying so.
   */
  waitSync(_timeout?: Timeout): never {
    throw noSyncWait('Condition', 'waitSync', 'await cond.wait(timeout)');
  }

  /**
   * Not here: use `await cond.waitFor(predicate, timeout)`.
   * @throws {ContextError} always, saying so.
   */
  waitForSync(_predicate: () => unknown, _timeout?: Timeout): never {
    throw noSyncWait('Condition', 'waitForSync', 'await cond.waitFor(predicate, timeout)');
  }

  /** Wakes every waiter. Python: `notify_all()`. @throws {LockError} without the lock. */
  notifyAll(): Promise<void> {
    return this.callMethod('notifyAll') as Promise<void>;
  }
}
proxyClass('Condition', ConditionProxy);
refuseExtraArguments(ConditionProxy.prototype, 'Condition');

export { BarrierProxy, type BarrierState, type ManagerBarrierOptions } from './barrier-proxy.js';
