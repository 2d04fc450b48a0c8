/**
 * The synchronisation primitives a manager serves: Lock, RLock, Semaphore, BoundedSemaphore, Event,
 * Condition, Barrier. They live in the manager's thread; each call comes from an owner (a client
 * connection: one thread or process), so when a connection ends, what only its owner could release
 * is released (an RLock, its waits) and a barrier it waited at is broken (`ownerGone`), as the
 * shared primitives' owner-death recovery. A plain Lock and semaphore permits, which any owner may
 * release (as in Python), are released too only when the owner did not end normally.
 */
import { BrokenBarrierError, LockError } from '@multiproc/shared';
import { afterPoll, neverEnds, type Owner, WaitList, type WireTimeout } from './wait-list.js';

/** An object the manager serves: methods called by name for an owner. */
export interface Served {
  invoke(method: string, args: unknown[], owner: Owner): unknown;
  /** `owner`'s connection closed; `endedNormally` when it said its thread or process ends normally. */
  ownerGone?(owner: Owner, endedNormally: boolean): void;
  /** Rejects every wait it holds (nothing left could end them: stuck.ts); returns how many. */
  abandonWaits?(): number;
}

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

  constructor(reentrant: boolean) {
    this.reentrant = reentrant;
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, LOCK_METHODS, method, owner, args);
  }

  acquire(owner: Owner, timeoutMs: WireTimeout): boolean | Promise<boolean> {
    if (this.count === 0) {
      this.owner = owner;
      this.count = 1;
      return true;
    }
    if (this.reentrant && this.owner === owner) {
      this.count++;
      return true;
    }
    return this.#waiters.wait(owner, timeoutMs, () => false); // 0: see afterPoll
  }

  release(owner: Owner): void {
    if (this.count === 0)
      throw new LockError(`Cannot release an unlocked ${this.reentrant ? 'RLock' : 'Lock'}.`);
    if (this.reentrant && this.owner !== owner) {
      throw new LockError('Cannot release an RLock held by another thread or process.');
    }
    if (--this.count === 0) this.#handOver();
  }

  locked(_owner: Owner): boolean | Promise<boolean> {
    return this.count === 0 ? false : afterPoll(() => this.count > 0); // held: see afterPoll
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
    return this.#waiters.abandon(neverEnds());
  }

  ownerGone(owner: Owner, endedNormally: boolean): void {
    this.#waiters.dropOwner(owner);
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

  release(owner: Owner, n = 1): void {
    if (this.#bound !== null && this.#value + n > this.#bound) {
      throw new LockError(`BoundedSemaphore released too many times (its initial value is ${this.#bound}).`);
    }
    for (let i = 0; i < n; i++) {
      if ((this.#held.get(owner) ?? 0) > 0) this.#count(owner, -1);
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
    return this.#waiters.abandon(neverEnds());
  }

  ownerGone(owner: Owner, endedNormally: boolean): void {
    this.#waiters.dropOwner(owner);
    const n = this.#held.get(owner) ?? 0;
    // Permits taken by an owner that ended normally stay taken, as in Python: anyone may release them.
    if (endedNormally) this.#held.delete(owner);
    else if (n > 0) this.release(owner, n);
  }

  #count(owner: Owner, d: number): void {
    const n = (this.#held.get(owner) ?? 0) + d;
    n > 0 ? this.#held.set(owner, n) : this.#held.delete(owner);
  }
}

const EVENT_METHODS = new Set(['set', 'clear', 'isSet', 'wait']);

export class ServedEvent implements Served {
  #flag = false;
  readonly #waiters = new WaitList<boolean>();

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, EVENT_METHODS, method, owner, args);
  }

  set(_owner: Owner): void {
    this.#flag = true;
    this.#waiters.wakeAll(true);
  }

  clear(_owner: Owner): void {
    this.#flag = false;
  }

  isSet(_owner: Owner): boolean {
    return this.#flag;
  }

  wait(owner: Owner, timeoutMs: WireTimeout): boolean | Promise<boolean> {
    if (this.#flag || timeoutMs === 0) return this.#flag;
    return this.#waiters.wait(owner, timeoutMs, () => false);
  }

  abandonWaits(): number {
    return this.#waiters.abandon(neverEnds());
  }

  ownerGone(owner: Owner): void {
    this.#waiters.dropOwner(owner);
  }
}

const CONDITION_METHODS = new Set(['acquire', 'release', 'wait', 'notify', 'notifyAll']);

export class ServedCondition implements Served {
  readonly lock: ServedLock;
  readonly #waiters = new WaitList<boolean>();
  // Per owner, its wait() calls not yet returned (a dropped wait never returns: see ownerGone).
  readonly #inWait = new Map<Owner, number>();
  // Owners whose connection ended while a wait() of theirs was past its wake, re-taking the lock.
  readonly #goneInWait = new Set<Owner>();

  constructor(lock: ServedLock | undefined) {
    this.lock = lock ?? new ServedLock(true); // Python: Condition() makes an RLock
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, CONDITION_METHODS, method, owner, args);
  }

  acquire(owner: Owner, timeoutMs: WireTimeout): boolean | Promise<boolean> {
    return this.lock.acquire(owner, timeoutMs);
  }

  release(owner: Owner): void {
    this.lock.release(owner);
  }

  async wait(owner: Owner, timeoutMs: WireTimeout): Promise<boolean> {
    this.#checkOwned(owner, 'wait');
    const depth = this.lock.releaseAll();
    this.#inWait.set(owner, (this.#inWait.get(owner) ?? 0) + 1);
    try {
      return await this.#waiters.wait(owner, timeoutMs, () => false);
    } finally {
      // Also when the wait could never end (stuck.ts): the caller holds the lock again, as in Python;
      // never for an owner that is gone, which would hold it forever (the lock is given back then).
      if (!this.#goneInWait.has(owner)) await this.lock.acquire(owner, -1);
      if (this.#goneInWait.has(owner)) {
        if (this.lock.isOwnedBy(owner)) this.lock.releaseAll();
      } else this.lock.count = depth;
      this.#leaveWait(owner, 1);
    }
  }

  abandonWaits(): number {
    return this.#waiters.abandon(neverEnds()) + this.lock.abandonWaits();
  }

  notify(owner: Owner, n = 1): void {
    this.#checkOwned(owner, 'notify');
    for (let i = 0; i < n && this.#waiters.wake(true); i++);
  }

  notifyAll(owner: Owner): void {
    this.#checkOwned(owner, 'notifyAll');
    this.#waiters.wakeAll(true);
  }

  ownerGone(owner: Owner, endedNormally: boolean): void {
    // Its waits still waiting never return; one already woken re-takes the lock: it must not keep it.
    this.#leaveWait(owner, this.#waiters.dropOwner(owner));
    if (this.#inWait.has(owner)) this.#goneInWait.add(owner);
    this.lock.ownerGone(owner, endedNormally);
  }

  #leaveWait(owner: Owner, n: number): void {
    const left = (this.#inWait.get(owner) ?? 0) - n;
    if (left > 0) this.#inWait.set(owner, left);
    else {
      this.#inWait.delete(owner);
      this.#goneInWait.delete(owner);
    }
  }

  #checkOwned(owner: Owner, method: string): void {
    if (!this.lock.isOwnedBy(owner)) {
      throw new LockError(`Condition.${method}() needs the condition's lock: acquire() it first.`);
    }
  }
}

const BARRIER_METHODS = new Set(['wait', 'reset', 'abort', 'state']);

export class ServedBarrier implements Served {
  readonly #parties: number;
  readonly #defaultTimeout: WireTimeout;
  #broken = false;
  #arrived = 0;
  #waiters = new WaitList<number>();

  constructor(parties: number, defaultTimeout: WireTimeout) {
    this.#parties = parties;
    this.#defaultTimeout = defaultTimeout;
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, BARRIER_METHODS, method, owner, args);
  }

  wait(owner: Owner, timeoutMs: WireTimeout | null): number | Promise<number> {
    if (this.#broken) throw new BrokenBarrierError('The barrier is broken: reset() it first.');
    const index = this.#arrived++;
    if (this.#arrived === this.#parties) {
      // Everyone is here: the others are released with their own indexes, a new cycle starts.
      const waiters = this.#waiters;
      this.#waiters = new WaitList<number>();
      this.#arrived = 0;
      for (let i = 0; waiters.wake(i); i++);
      return index;
    }
    const ms = timeoutMs ?? this.#defaultTimeout;
    return this.#waiters.wait(owner, ms, () => {
      this.abort(owner); // Python: a timeout breaks the barrier for everyone
      throw new BrokenBarrierError('Barrier.wait() timed out; the barrier is now broken.');
    });
  }

  reset(_owner: Owner): void {
    this.#breakWaiters('The barrier was reset while this party waited.');
    this.#broken = false;
  }

  abort(_owner: Owner): void {
    this.#broken = true;
    this.#breakWaiters('The barrier was aborted.');
  }

  state(_owner: Owner): { broken: boolean; nWaiting: number; parties: number } {
    return { broken: this.#broken, nWaiting: this.#waiters.size, parties: this.#parties };
  }

  abandonWaits(): number {
    const n = this.#waiters.size;
    if (n === 0) return 0;
    this.#broken = true;
    this.#breakWaiters(
      'The Barrier could never be passed: no other thread or process uses this manager and nothing ' +
        'else left in the program could bring the other parties to wait(), so it is now broken. ' +
        'Start the parties before waiting; call reset() to reuse it.',
    );
    return n;
  }

  ownerGone(owner: Owner): void {
    if (!this.#waiters.has(owner)) return;
    this.#waiters.dropOwner(owner);
    this.#broken = true;
    this.#breakWaiters('A party waiting at the barrier died (its thread or process ended).');
  }

  #breakWaiters(message: string): void {
    this.#arrived = 0;
    this.#waiters.wakeAll(0, new BrokenBarrierError(message));
  }
}
