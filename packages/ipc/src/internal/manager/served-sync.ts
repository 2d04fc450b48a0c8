/**
 * The synchronisation primitives a manager serves: Lock, RLock, Semaphore, BoundedSemaphore here;
 * Event, Condition and Barrier, which wait for other owners, in served-waits.ts and
 * served-barrier.ts. They live in the manager's thread; each call comes from an owner (a client
 * connection: one thread or process), so when a connection ends, what only its owner could release
 * is released (an RLock, its waits) and a barrier it waited at is broken (`ownerGone`), as the
 * shared primitives' owner-death recovery. A plain Lock and semaphore permits, which any owner may
 * release (as in Python), are released too only when the owner did not end normally. This file also holds what every served object shares
 * ({@link Served}, {@link dispatch}).
 */

import { LockError } from '@multiproc/shared';
import { checkReleaseCount } from './counts.js';
import { LEASED } from './rpc.js';
import { LeaseBook, type LeaseHome } from './served-lease.js';
import { afterPoll, neverEnds, type Owner, WaitList, type WireTimeout } from './wait-list.js';

/** An object the manager serves: methods called by name for an owner. */
export interface Served {
  invoke(method: string, args: unknown[], owner: Owner): unknown;
  /** `owner`'s connection closed; `endedNormally` when it said its thread or process ends normally. */
  ownerGone?(owner: Owner, endedNormally: boolean): void;
  /** Rejects every wait it holds (nothing left could end them: stuck.ts); returns how many. */
  abandonWaits?(): number;
  /** Fields its proxies' references carry (a Barrier's default timeout). */
  readonly refFields?: Record<string, unknown>;
  /** It is served as object `id` of `home` (a Lock's lease revokes through it). */
  placed?(id: number, home: LeaseHome): void;
  /** `owner` gives a Lock's lease back (a QUIET LEASE_BACK); `held`: it holds the lock now. */
  leaseBack?(owner: Owner, held: boolean): void;
  /**
   * The container it serves (a dict, list, Namespace or Array), read when one of its proxies is
   * the argument of a call that copies contents (`d.update(p)`, `l.extend(p)`: referent.ts).
   */
  readonly referent?: object;
  /** The connection a dict is leased to, or null (referent.ts: a read of it waits one poll). */
  leasedTo?(): Owner | null;
}

/**
 * Added by a connection to the arguments of an acquire of tag LEASE (a symbol, so no frame can
 * carry it): the lock may be leased to the caller (served-lease.ts).
 */
export const MAY_LEASE: unique symbol = Symbol('multiproc.mayLease');

/** Calls `obj[method](owner, ...args)` if `method` is one of `allowed`. */
export function dispatch(
  obj: object,
  allowed: ReadonlySet<string>,
  method: string,
  owner: Owner,
  args: unknown[],
): unknown {
  if (!allowed.has(method)) throw new TypeError(`This managed object has no method '${method}'.`);
  return (obj as Record<string, (...a: unknown[]) => unknown>)[method]!(owner, ...args);
}

const LOCK_METHODS = new Set(['acquire', 'release', 'locked']);

export class ServedLock implements Served {
  readonly reentrant: boolean;
  owner: Owner | null = null;
  count = 0;
  readonly #waiters = new WaitList<boolean>();
  // A plain Lock's lease (served-lease.ts): while one is out, `count` is 1 and `owner` the holder.
  readonly #lease = new LeaseBook();

  constructor(reentrant: boolean) {
    this.reentrant = reentrant;
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, LOCK_METHODS, method, owner, args);
  }

  placed(id: number, home: LeaseHome): void {
    if (!this.reentrant) this.#lease.placed(id, home);
  }

  /** Answers true, false, or LEASED (true, and leased to `owner`: only with {@link MAY_LEASE}). */
  acquire(owner: Owner, timeoutMs: WireTimeout, mayLease?: unknown): boolean | number | Promise<boolean> {
    if (this.#lease.holder !== null) {
      const since = Date.now();
      const left = () => (timeoutMs < 0 ? -1 : Math.max(0, timeoutMs - (Date.now() - since)));
      return this.#lease.defer(owner, () => this.acquire(owner, left()) as boolean | Promise<boolean>);
    }
    if (this.count === 0) {
      this.owner = owner;
      this.count = 1;
      return this.#lease.granted(owner, mayLease === MAY_LEASE) ? LEASED : true;
    }
    if (this.reentrant && this.owner === owner) {
      this.count++;
      return true;
    }
    return this.#waiters.wait(owner, timeoutMs, () => false); // 0: see afterPoll
  }

  release(owner: Owner): void | Promise<void> {
    if (this.#lease.holder !== null) return this.#lease.defer(owner, () => this.release(owner));
    if (this.count === 0)
      throw new LockError(`Cannot release an unlocked ${this.reentrant ? 'RLock' : 'Lock'}.`);
    if (this.reentrant && this.owner !== owner) {
      throw new LockError('Cannot release an RLock held by another thread or process.');
    }
    if (--this.count === 0) this.#handOver();
  }

  locked(owner: Owner): boolean | Promise<boolean> {
    if (this.#lease.holder !== null) return this.#lease.defer(owner, () => this.locked(owner));
    return this.count === 0 ? false : afterPoll(() => this.count > 0); // held: see afterPoll
  }

  leaseBack(owner: Owner, held: boolean): void {
    if (!this.#lease.back(owner)) return; // stale: it was taken back already (its connection ended)
    if (!held) {
      this.count = 0;
      this.#handOver();
    }
    this.#lease.drain();
  }

  /** A Condition uses this lock: it is never leased again (one out is asked back). */
  stopLeasing(): void {
    this.#lease.stopLeasing();
  }

  /** Runs `call` (a Condition's method) at once, or once a lease out is back. */
  unleased(owner: Owner, call: () => unknown): unknown {
    return this.#lease.holder === null ? call() : this.#lease.defer(owner, call);
  }

  /**
   * A Condition's waiter takes the lock back with its saved recursion `depth` (Python's
   * `_acquire_restore`): once the lock is free, even when `owner` holds it meanwhile (another task
   * of the same thread, e.g. the notifier), so every acquire stays matched by one release.
   * `blocked` is called when it has to wait.
   */
  async restore(owner: Owner, depth: number, blocked?: () => void): Promise<void> {
    if (this.count === 0) {
      this.owner = owner;
      this.count = depth;
      return;
    }
    blocked?.();
    await this.#waiters.wait(owner, -1, () => false);
    this.count += depth - 1; // #handOver gave it with a count of 1
  }

  /** Releases the lock fully and returns the recursion count (Condition.wait). */
  releaseAll(): number {
    const n = this.count;
    this.count = 0;
    this.#handOver();
    return n;
  }

  isOwnedBy(owner: Owner): boolean {
    return this.count > 0 && this.owner === owner;
  }

  abandonWaits(): number {
    const kind = this.reentrant ? 'RLock' : 'Lock';
    const fix = this.reentrant
      ? 'Release it in the thread or process that holds it first'
      : 'Release it before acquiring it again (an RLock may be acquired again by its holder)';
    return this.#waiters.abandon(neverEnds(`${kind}.acquire()`, 'release it', fix));
  }

  ownerGone(owner: Owner, endedNormally: boolean): void {
    this.#waiters.dropOwner(owner);
    this.#lease.dropOwner(owner);
    if (this.#lease.back(owner)) {
      // A lease its connection did not give back (a normal end gives it back first): held or not, released.
      this.count = 0;
      this.#handOver();
      this.#lease.drain();
      return;
    }
    // A plain Lock has no owner in Python: one that ended normally leaves it held for another to release.
    if (endedNormally && !this.reentrant) return;
    if (this.count > 0 && this.owner === owner) {
      this.count = 0;
      this.#handOver();
    }
  }

  // The next waiter gets the lock directly, so a releaser cannot take it back before it runs.
  #handOver(): void {
    const next = this.#waiters.peek();
    if (next === undefined) {
      this.owner = null;
      return;
    }
    this.owner = next;
    this.count = 1;
    this.#lease.granted(next, false);
    this.#waiters.wake(true);
  }
}

const SEMAPHORE_METHODS = new Set(['acquire', 'release', 'getValue']);

export class ServedSemaphore implements Served {
  #value: number;
  readonly #bound: number | null;
  readonly #held = new Map<Owner, number>();
  readonly #waiters = new WaitList<boolean>();

  constructor(value: number, bounded: boolean) {
    this.#value = value;
    this.#bound = bounded ? value : null;
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, SEMAPHORE_METHODS, method, owner, args);
  }

  acquire(owner: Owner, timeoutMs: WireTimeout): boolean | Promise<boolean> {
    if (this.#value > 0) {
      this.#value--;
      this.#count(owner, 1);
      return true;
    }
    return this.#waiters.wait(owner, timeoutMs, () => false); // 0: see afterPoll
  }

  release(owner: Owner, n: unknown = 1): void {
    checkReleaseCount(n);
    this.#release(owner, n as number);
  }

  #release(owner: Owner, n: number): void {
    if (this.#bound !== null && this.#value + n > this.#bound) {
      throw new LockError(
        `BoundedSemaphore released too many times (its initial value is ${this.#bound}): call release() once per acquire().`,
      );
    }
    for (let i = 0; i < n; i++) {
      // A permit released by one that holds none was taken by another (anyone may release, as in
      // Python): it is no longer that holder's, so its end gives back only what it still holds.
      this.#count(this.#held.has(owner) ? owner : this.#held.keys().next().value, -1);
      const next = this.#waiters.peek();
      if (next === undefined) this.#value++;
      else {
        this.#count(next, 1);
        this.#waiters.wake(true);
      }
    }
  }

  getValue(_owner: Owner): number | Promise<number> {
    return this.#held.size === 0 ? this.#value : afterPoll(() => this.#value); // held: see afterPoll
  }

  abandonWaits(): number {
    const fix = 'Release a permit first (or start the thread or process that will)';
    return this.#waiters.abandon(neverEnds('Semaphore.acquire()', 'release a permit', fix));
  }

  ownerGone(owner: Owner, endedNormally: boolean): void {
    this.#waiters.dropOwner(owner);
    const n = this.#held.get(owner) ?? 0;
    // Permits taken by an owner that ended normally stay taken, as in Python: anyone may release them.
    if (endedNormally) this.#held.delete(owner);
    // Never past a BoundedSemaphore's bound: this runs on a connection's end, where a throw would
    // end the manager's program.
    else if (n > 0) {
      this.#release(owner, this.#bound === null ? n : Math.min(n, this.#bound - this.#value));
      this.#held.delete(owner);
    }
  }

  #count(owner: Owner | undefined, d: number): void {
    if (owner === undefined) return;
    const n = (this.#held.get(owner) ?? 0) + d;
    n > 0 ? this.#held.set(owner, n) : this.#held.delete(owner);
  }
}
