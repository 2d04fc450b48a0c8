/**
 * The Value and Array of `getContext('process')`: manager proxies that carry a lock, as Python's
 * `ctx.Value()`/`ctx.Array()` are `Synchronized` wrappers with `get_lock()`. The lock's reference
 * travels inside the value's, so every copy (in any thread or process) returns the same lock.
 */
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { proxyRef } from '../internal/manager/server.js';
import type { ProxyRef } from '../internal/manager/wire.js';
import { makeProxy, proxyClass } from './proxy.js';
import type { LockProxy } from './sync-proxies.js';
import { ArrayProxy, ValueProxy } from './value-proxies.js';

function lockOf(self: ValueProxy<never> | ArrayProxy<never>, cached: LockProxy | undefined): LockProxy {
  return cached ?? makeProxy<LockProxy>(self[proxyRef].lock as ProxyRef);
}

/** A proxy of the same referent without the lock (Python's `get_obj()`). */
function objOf<P>(self: ValueProxy<never> | ArrayProxy<never>): P {
  const { lock: _lock, ...ref } = self[proxyRef];
  return makeProxy<P>(ref);
}

/**
 * A process-shared `Value` with a lock: what `getContext('process').Value()` returns. Mirrors
 * Python's `Synchronized` (`ctx.Value(typecode, v)`): `getLock()` returns the lock that guards
 * a read-modify-write, the same one in every process the value is sent to.
 * @example
 * const ctx = getContext('process');
 * const v = ctx.Value('i', 0);
 * const lock = v.getLock();
 * await lock.acquire();
 * try { await v.set((await v.get()) + 1); } finally { await lock.release(); }
 */
export class SynchronizedValueProxy<T extends number | bigint = number> extends ValueProxy<T> {
  #lock: LockProxy | undefined;

  /**
   * The lock that guards this value: a process-safe `Lock`, or the very object given as `{ lock }`
   * (in the process that made the value; a copy sent elsewhere returns a proxy of the same lock).
   * Python: `get_lock()`.
   */
  getLock(): LockProxy {
    this.#lock = lockOf(this as never, this.#lock);
    return this.#lock;
  }

  /**
   * The value without its lock: a `ValueProxy` of the same shared value, whose calls do not take the
   * lock. Python: `get_obj()`.
   * @returns a new proxy on each call (each one reads and writes the same value).
   * @throws Nothing.
   * @example
   * const v = getContext('process').Value('i', 1);
   * await v.getObj().set(5);
   * console.log(await v.get()); // 5
   */
  getObj(): ValueProxy<T> {
    return objOf<ValueProxy<T>>(this as never);
  }

  /** @internal `value` with `lock` attached (the process context's `Value()`). */
  static withLock<T extends number | bigint>(
    value: ValueProxy<T>,
    lock: LockProxy,
  ): SynchronizedValueProxy<T> {
    const synchronized = makeProxy<SynchronizedValueProxy<T>>({ ...value[proxyRef], lock: lock[proxyRef] });
    // The lock given is the one getLock() returns (Python: `Value(..., lock=lk).get_lock() is lk`).
    synchronized.#lock = lock;
    return synchronized;
  }
}
proxyClass('SynchronizedValue', SynchronizedValueProxy);
refuseExtraArguments(SynchronizedValueProxy.prototype, 'Synchronized');

/**
 * A process-shared `Array` with a lock: what `getContext('process').Array()` returns. Mirrors
 * Python's `SynchronizedArray` (`ctx.Array(typecode, init)`): `getLock()` returns the same lock
 * in every process the array is sent to.
 * @example
 * const ctx = getContext('process');
 * const a = ctx.Array('d', 3);
 * await a.getLock().withLock(async () => a.set(0, (await a.get(0)) + 1));
 */
export class SynchronizedArrayProxy<T extends number | bigint = number> extends ArrayProxy<T> {
  #lock: LockProxy | undefined;

  /**
   * The lock that guards this array: a process-safe `Lock`, or the very object given as `{ lock }`
   * (in the process that made the array; a copy sent elsewhere returns a proxy of the same lock).
   * Python: `get_lock()`.
   */
  getLock(): LockProxy {
    this.#lock = lockOf(this as never, this.#lock);
    return this.#lock;
  }

  /**
   * The array without its lock: a `ArrayProxy` of the same shared array, whose calls do not take the
   * lock. Python: `get_obj()`.
   * @returns a new proxy on each call (each one reads and writes the same array).
   * @throws Nothing.
   * @example
   * const a = getContext('process').Array('i', [1, 2, 3]);
   * await a.getObj().set(0, 7);
   * console.log(await a.get(0)); // 7
   */
  getObj(): ArrayProxy<T> {
    return objOf<ArrayProxy<T>>(this as never);
  }

  /** @internal `array` with `lock` attached (the process context's `Array()`). */
  static withLock<T extends number | bigint>(
    array: ArrayProxy<T>,
    lock: LockProxy,
  ): SynchronizedArrayProxy<T> {
    const synchronized = makeProxy<SynchronizedArrayProxy<T>>({ ...array[proxyRef], lock: lock[proxyRef] });
    // The lock given is the one getLock() returns (Python: `Array(..., lock=lk).get_lock() is lk`).
    synchronized.#lock = lock;
    return synchronized;
  }
}
proxyClass('SynchronizedArray', SynchronizedArrayProxy);
refuseExtraArguments(SynchronizedArrayProxy.prototype, 'Synchronized');
