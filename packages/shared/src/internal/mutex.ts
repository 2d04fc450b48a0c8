/**
 * The mutex algorithm behind `Lock`, `RLock` and the channel's reader/writer locks: a futex on one
 * Int32 word, with bounded barging and a starvation hand-off.
 *
 * Words (Int32, each mutex has its own 16-byte view):
 *
 *   [0] STATE     0 free | id > 0 held by owner id | -id handed off to id | ABANDONED
 *   [1] WAITERS   threads (or async waiters) between "decided to sleep" and "done"
 *   [2] RESERVED  0, or the owner id of the one starving waiter that asked for a hand-off
 *   [3] COUNT     RLock recursion depth (unused by Lock)
 *
 * Fairness: acquire is one CAS (0 -> me), and a released lock may be taken by any thread that gets
 * there first (barging keeps throughput high; woken waiters re-queue at the back of the futex's
 * FIFO). A waiter that has waited longer than STARVATION_MS reserves the lock (one reservation at a
 * time); the next release then hands the lock straight to it (STATE = -id) instead of freeing it,
 * so nobody can barge past it. Sleepers are woken one per release in FIFO order, each re-checks
 * its wait time, so a waiter is never passed over indefinitely: once it has waited STARVATION_MS
 * it is at most one hand-off per other starving waiter away from the lock.
 */
import { now, waitAsync, waitSync } from './wait.js';

export const STATE = 0;
export const WAITERS = 1;
export const RESERVED = 2;
export const COUNT = 3;
/** Bytes of shared memory one mutex uses. */
export const MUTEX_BYTES = 16;
/** STATE of a lock whose owner died holding it; the next acquirer takes it over. */
export const ABANDONED = -0x8000_0000;

/** Results of a lock attempt. */
export const TIMED_OUT = 0;
export const ACQUIRED = 1;
export const ACQUIRED_ABANDONED = 2;
export type LockResult = 0 | 1 | 2;

const SPIN = 64;
const STARVATION_MS = 1;

/** One attempt: takes a free or abandoned lock. */
export function tryLock(w: Int32Array, me: number): LockResult {
  const s = Atomics.compareExchange(w, STATE, 0, me);
  if (s === 0) return ACQUIRED;
  if (s === ABANDONED && Atomics.compareExchange(w, STATE, ABANDONED, me) === ABANDONED) {
    return ACQUIRED_ABANDONED;
  }
  return TIMED_OUT;
}

/** Frees a held lock, or hands it to the reserved waiter. Returns false when it was not held. */
export function unlock(w: Int32Array): boolean {
  const s = Atomics.load(w, STATE);
  if (s <= 0) return false;
  if (Atomics.load(w, RESERVED) !== 0) {
    const r = Atomics.exchange(w, RESERVED, 0);
    if (r !== 0) {
      if (Atomics.compareExchange(w, STATE, s, -r) !== s) {
        Atomics.store(w, RESERVED, r);
        return false;
      }
      // Wake everyone: the futex cannot target one thread; the others see -r and sleep again.
      Atomics.notify(w, STATE);
      return true;
    }
  }
  if (Atomics.compareExchange(w, STATE, s, 0) !== s) return false;
  if (Atomics.load(w, WAITERS) !== 0) Atomics.notify(w, STATE, 1);
  return true;
}

/** Releases the lock if the dead `owner` holds it (or was handed it). Returns 1 when it did. */
export function abandonWord(w: Int32Array, owner: number): number {
  if (Atomics.load(w, RESERVED) === owner) Atomics.compareExchange(w, RESERVED, owner, 0);
  let released = 0;
  if (Atomics.compareExchange(w, STATE, owner, ABANDONED) === owner) released = 1;
  // Handed off but never picked up: nothing was half-done, so it is simply free.
  else if (Atomics.compareExchange(w, STATE, -owner, 0) === -owner) released = 1;
  if (released) Atomics.notify(w, STATE);
  return released;
}

/** The state a slow-path acquire carries between steps; shared by the sync and async loops. */
class Attempt {
  readonly start = now();
  readonly w: Int32Array;
  readonly me: number;
  readonly deadline: number;
  reserved = false;
  /** The STATE value `step()` last saw held: sleep only while it is still that. */
  sleepOn = 0;
  constructor(w: Int32Array, me: number, deadline: number) {
    this.w = w;
    this.me = me;
    this.deadline = deadline;
  }

  /** One step: a result, or `null` to sleep on `sleepOn` (0: retry at once) and try again. */
  step(): LockResult | null {
    const { w, me } = this;
    const s = Atomics.load(w, STATE);
    this.sleepOn = 0;
    if (s === 0 || s === ABANDONED) {
      const r = tryLock(w, me);
      if (r !== TIMED_OUT) {
        if (this.reserved) this.#cancelReservationAfterTaking();
        return r;
      }
      return null;
    }
    if (s === -me && this.reserved) {
      if (Atomics.compareExchange(w, STATE, -me, me) === -me) return ACQUIRED;
      return null;
    }
    this.sleepOn = s;
    const t = now();
    if (!this.reserved && t - this.start >= STARVATION_MS) {
      this.reserved = Atomics.compareExchange(w, RESERVED, 0, me) === 0;
    }
    return t >= this.deadline ? TIMED_OUT : null;
  }

  #cancelReservationAfterTaking(): void {
    // We took the lock by CAS from free, so no release can have claimed the reservation since.
    Atomics.compareExchange(this.w, RESERVED, this.me, 0);
    this.reserved = false;
  }

  /**
   * At the deadline: withdraw the reservation. Returns true when a release already claimed it, in
   * which case the lock is (or is about to be) handed to us and we must take it.
   */
  claimedAtDeadline(): boolean {
    if (!this.reserved) return false;
    return Atomics.compareExchange(this.w, RESERVED, this.me, 0) !== this.me;
  }

  /** A woken waiter that gives up passes the wake-up on, so a free lock never strands sleepers. */
  passWakeup(): void {
    if (Atomics.load(this.w, STATE) === 0 && Atomics.load(this.w, WAITERS) > 1) {
      Atomics.notify(this.w, STATE, 1);
    }
  }
}

/** Blocking acquire for worker hot loops. */
export function lockSync(w: Int32Array, me: number, deadline: number): LockResult {
  for (let i = 0; i < SPIN; i++) {
    const s = Atomics.load(w, STATE);
    if (s === 0 || s === ABANDONED) {
      const r = tryLock(w, me);
      if (r !== TIMED_OUT) return r;
    }
  }
  if (deadline <= now()) return TIMED_OUT;
  const a = new Attempt(w, me, deadline);
  Atomics.add(w, WAITERS, 1);
  try {
    for (;;) {
      const r = a.step();
      if (r === TIMED_OUT) {
        if (a.claimedAtDeadline()) return takeHandoffSync(w, me);
        a.passWakeup();
        return TIMED_OUT;
      }
      if (r !== null) return r;
      // Sleep on the value step() saw, never a fresh load: a hand-off to us that lands in
      // between must turn this wait into 'not-equal', not into a sleep on the hand-off itself.
      if (a.sleepOn !== 0) waitSync(w, STATE, a.sleepOn, deadline);
    }
  } finally {
    Atomics.sub(w, WAITERS, 1);
  }
}

function takeHandoffSync(w: Int32Array, me: number): LockResult {
  // The releaser is between claiming our reservation and storing -me: a few microseconds.
  while (Atomics.compareExchange(w, STATE, -me, me) !== -me)
    waitSync(w, STATE, Atomics.load(w, STATE), now() + 1);
  return ACQUIRED;
}

/** Acquire that never blocks the event loop. */
export async function lockAsync(
  w: Int32Array,
  me: number,
  deadline: number,
  keepAlive = true,
): Promise<LockResult> {
  const first = tryLock(w, me);
  if (first !== TIMED_OUT || deadline <= now()) return first;
  const a = new Attempt(w, me, deadline);
  Atomics.add(w, WAITERS, 1);
  try {
    for (;;) {
      const r = a.step();
      if (r === TIMED_OUT) {
        if (a.claimedAtDeadline()) {
          while (Atomics.compareExchange(w, STATE, -me, me) !== -me) {
            await waitAsync(w, STATE, Atomics.load(w, STATE), now() + 1, keepAlive);
          }
          return ACQUIRED;
        }
        a.passWakeup();
        return TIMED_OUT;
      }
      if (r !== null) return r;
      if (a.sleepOn !== 0) await waitAsync(w, STATE, a.sleepOn, deadline, keepAlive);
    }
  } finally {
    Atomics.sub(w, WAITERS, 1);
  }
}
