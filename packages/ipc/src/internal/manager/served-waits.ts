/**
 * The manager's served primitives that wait for other owners (see served-sync.ts, which holds the
 * locks and semaphores): Event and Condition (around a served lock); Barrier is served-barrier.ts.
 * A wait ends when another owner sets or notifies; when its owner's connection ends, its waits are
 * dropped.
 */
import { LockError } from '@multiproc/shared';
import { startsLater } from './call-start.js';
import { checkNotifyCount } from './counts.js';
import { dispatch, type Served, ServedLock } from './served-sync.js';
import { neverEnds, type Owner, WaitList, type WireTimeout } from './wait-list.js';

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
    const fix = 'Start the thread or process that will set() it first (keep it alive until it does)';
    return this.#waiters.abandon(neverEnds('Event.wait()', 'set() this Event', fix));
  }

  ownerGone(owner: Owner): void {
    this.#waiters.dropOwner(owner);
  }
}

const CONDITION_METHODS = new Set(['acquire', 'release', 'locked', 'wait', 'notify', 'notifyAll', 'owned']);

export class ServedCondition implements Served {
  readonly lock: ServedLock;
  readonly #waiters = new WaitList<boolean>();
  // Per owner, its wait() calls not yet returned (a dropped wait never returns: see ownerGone).
  readonly #inWait = new Map<Owner, number>();
  // Owners whose connection ended while a wait() of theirs was past its wake, re-taking the lock.
  readonly #goneInWait = new Set<Owner>();

  constructor(lock: ServedLock | undefined) {
    this.lock = lock ?? new ServedLock(true); // Python: Condition() makes an RLock
    this.lock.stopLeasing(); // its state is read here directly (isOwnedBy, releaseAll)
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return this.lock.unleased(owner, () => dispatch(this, CONDITION_METHODS, method, owner, args));
  }

  acquire(owner: Owner, timeoutMs: WireTimeout): boolean | number | Promise<boolean> {
    return this.lock.acquire(owner, timeoutMs);
  }

  release(owner: Owner): void | Promise<void> {
    return this.lock.release(owner);
  }

  /** Whether anyone holds the condition's lock (Python 3.14's `locked()`, exposed by its ConditionProxy). */
  locked(owner: Owner): boolean | Promise<boolean> {
    return this.lock.locked(owner);
  }

  wait(owner: Owner, timeoutMs: WireTimeout): Promise<boolean> {
    this.#checkOwned(owner, 'wait');
    const depth = this.lock.releaseAll();
    this.#inWait.set(owner, (this.#inWait.get(owner) ?? 0) + 1);
    let blocked = () => {};
    const retaking = new Promise<void>((resolve) => (blocked = resolve));
    const waited = this.#waiters.wait(owner, timeoutMs, () => false);
    const done = this.#retake(owner, depth, waited, blocked);
    // A wait(0) has started (call-start.ts) once it has the lock back, or waits for it (held by another).
    return timeoutMs === 0 ? startsLater(done, Promise.race([done, retaking])) : done;
  }

  async #retake(owner: Owner, depth: number, waited: Promise<boolean>, blocked: () => void) {
    try {
      return await waited;
    } finally {
      // Also when the wait could never end (stuck.ts): the caller holds the lock again, as in Python;
      // never for an owner that is gone, which would hold it forever (the lock is given back then).
      if (!this.#goneInWait.has(owner)) await this.lock.restore(owner, depth, blocked);
      if (this.#goneInWait.has(owner) && this.lock.isOwnedBy(owner)) this.lock.releaseAll();
      this.#leaveWait(owner, 1);
    }
  }

  abandonWaits(): number {
    const fix = 'Start the thread or process that will notify() it first (keep it alive until it does)';
    const waits = this.#waiters.abandon(neverEnds('Condition.wait()', 'notify() this Condition', fix));
    return waits + this.lock.abandonWaits();
  }

  notify(owner: Owner, n: unknown = 1): void {
    checkNotifyCount(n);
    this.#checkOwned(owner, 'notify');
    for (let i = 0; i < (n as number) && this.#waiters.wake(true); i++);
  }

  notifyAll(owner: Owner): void {
    this.#checkOwned(owner, 'notifyAll');
    this.#waiters.wakeAll(true);
  }

  /** Throws `LockError` unless `owner` holds the lock: `waitFor()` asks before its predicate runs. */
  owned(owner: Owner): void {
    this.#checkOwned(owner, 'waitFor');
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
