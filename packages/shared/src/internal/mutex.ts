/**
 * The mutex algorithm behind `Lock`, `RLock` and the channel's reader/writer locks: a futex on one
 * Int32 word, with bounded barging and a starvation hand-off.
 *
 * Words (Int32, each mutex has its own 16-byte view):
 *
 *   [0] STATE     0 free | id > 0 held by owner id (| CONTENDED) | -id handed off to id | ABANDONED
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
 *
 * Contention (a futex mutex as in Drepper's "Futexes Are Tricky"): a waiter sets CONTENDED in
 * STATE before it sleeps on it, and a waiter that takes the lock takes it flagged (others may
 * still sleep). An uncontended release is then one CAS (`id -> 0`) with no `Atomics.notify` and
 * no other load; only a release that finds the flag (or is not its owner's) takes the slow path.
 * Owner ids are below CONTENDED (30 bits, see `owner.ts`).
 */
import { assertMayBlock } from './browser-limits.js';
import { waitSyncWatching } from './roster-wait.js';
import { assertCanEnd, now, waitAsync, waitSync } from './wait.js';

export const STATE = 0;
export const WAITERS = 1;
export const RESERVED = 2;
export const COUNT = 3;
/** Bytes of shared memory one mutex uses. */
export const MUTEX_BYTES = 16;
/** STATE of a lock whose owner died holding it; the next acquirer takes it over. */
export const ABANDONED = -0x8000_0000;
/** Set in a held STATE when a waiter may be asleep on it: its release must wake one. */
export const CONTENDED = 0x4000_0000;

/** The owner id a STATE value names as holder (0 when free, handed off or abandoned). */
export function holderOf(s: number): number {
  return s > 0 ? s & ~CONTENDED : 0;
}

/** The owner id that holds a lock whose STATE is `s`, counting a hand-off as its receiver's (0: free). */
export function heldBy(s: number): number {
  if (s > 0) return s & ~CONTENDED;
  return s < 0 && s !== ABANDONED ? -s : 0;
}

/** Results of a lock attempt. */
export const TIMED_OUT = 0;
export const ACQUIRED = 1;
export const ACQUIRED_ABANDONED = 2;
export type LockResult = 0 | 1 | 2;

const SPIN = 64;
const STARVATION_MS = 1;

/** One attempt: takes a free or abandoned lock (as `me`, or `me | CONTENDED` from a waiter). */
export function tryLock(w: Int32Array, me: number): LockResult {
  const s = Atomics.compareExchange(w, STATE, 0, me);
  if (s === 0) return ACQUIRED;
  if (s === ABANDONED && Atomics.compareExchange(w, STATE, ABANDONED, me) === ABANDONED) {
    return ACQUIRED_ABANDONED;
  }
  return TIMED_OUT;
}

/**
 * Frees a held lock, or hands it to the reserved waiter. Returns false when it was not held.
 * `me`, when the caller is the owner: the uncontended case is then one CAS and nothing else.
 */
export function unlock(w: Int32Array, me = 0): boolean {
  if (me !== 0 && Atomics.compareExchange(w, STATE, me, 0) === me) return true;
  let s = Atomics.load(w, STATE);
  if (s <= 0) return false;
  if (Atomics.load(w, RESERVED) !== 0) {
    const r = Atomics.exchange(w, RESERVED, 0);
    if (r !== 0) {
      if (!replaceHeld(w, s, -r)) {
        Atomics.store(w, RESERVED, r);
        return false;
      }
      // Wake everyone: the futex cannot target one thread; the others see -r and sleep again.
      Atomics.notify(w, STATE);
      return true;
    }
  }
  s = replaceHeld(w, s, 0);
  if (s === 0) return false;
  if ((s & CONTENDED) !== 0 || Atomics.load(w, WAITERS) !== 0) Atomics.notify(w, STATE, 1);
  return true;
}

/**
 * Replaces a held STATE (last seen as `s`) by `next`. A waiter may set CONTENDED meanwhile, so the
 * CAS is retried on what it finds while the same holder holds it. Returns the value replaced, or 0
 * when the lock was no longer held (by that holder).
 */
function replaceHeld(w: Int32Array, s: number, next: number): number {
  for (;;) {
    const found = Atomics.compareExchange(w, STATE, s, next);
    if (found === s) return s;
    // Only the flag may change under a holder; anything else means the lock was no longer held.
    if (holderOf(found) !== holderOf(s)) return 0;
    s = found;
  }
}

/**
 * Gives back what the ended `owner` had of this lock: its reservation as a starving waiter and a
 * hand-off it never picked up, always; the lock itself when it held it, only if `giveBackHeld` (a thread
 * that failed, or any owner of an RLock). A `Lock` whose holder ended normally stays held, as in
 * Python: another thread may release it. Returns 1 when something was given back.
 */
export function abandonWord(w: Int32Array, owner: number, giveBackHeld = true): number {
  if (Atomics.load(w, RESERVED) === owner) Atomics.compareExchange(w, RESERVED, owner, 0);
  let released = 0;
  // A loop: a waiter may set CONTENDED on the dead owner's word between the load and the CAS.
  for (let s = giveBackHeld ? Atomics.load(w, STATE) : 0; holderOf(s) === owner; s = Atomics.load(w, STATE)) {
    if (Atomics.compareExchange(w, STATE, s, ABANDONED) === s) {
      released = 1;
      break;
    }
  }
  // Handed off but never picked up: nothing was half-done, so it is simply free.
  if (!released && Atomics.compareExchange(w, STATE, -owner, 0) === -owner) released = 1;
  if (released) Atomics.notify(w, STATE);
  return released;
}

/**
 * The attempt of this realm that holds its thread's reservation of a lock (by the lock's view). A
 * reservation and its hand-off are addressed to the thread (its owner id), and one thread may have
 * several attempts on one lock: async ones, and one blocking acquire that stops the others from
 * running. So any attempt of the thread takes a hand-off to it, and tells the one that reserved.
 */
const reservations = new WeakMap<Int32Array, Attempt>();

/** The state a slow-path acquire carries between steps; shared by the sync and async loops. */
class Attempt {
  readonly start = now();
  readonly w: Int32Array;
  readonly me: number;
  readonly deadline: number;
  /** This attempt holds the thread's reservation, until it takes the hand-off or another attempt of the thread does. */
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
      // Flagged: other waiters may be asleep, and this lock's release must wake one of them.
      const r = tryLock(w, me | CONTENDED);
      if (r !== TIMED_OUT) {
        if (this.reserved) this.#cancelReservationAfterTaking();
        return r;
      }
      return null;
    }
    if (s === -me && (this.reserved || reservations.has(w))) {
      if (Atomics.compareExchange(w, STATE, -me, me | CONTENDED) !== -me) return null;
      this.#handedOff();
      return ACQUIRED;
    }
    // Flag the holder's word before sleeping on it, so its release wakes us (a changed word: retry).
    if (s > 0 && (s & CONTENDED) === 0 && Atomics.compareExchange(w, STATE, s, s | CONTENDED) !== s)
      return null;
    this.sleepOn = s > 0 ? s | CONTENDED : s;
    const t = now();
    if (!this.reserved && t - this.start >= STARVATION_MS) {
      this.reserved = Atomics.compareExchange(w, RESERVED, 0, me) === 0;
      if (this.reserved) reservations.set(w, this);
    }
    return t >= this.deadline ? TIMED_OUT : null;
  }

  /** The hand-off to this thread was taken (by this attempt, or by another that could run while it could not). */
  #handedOff(): void {
    const holder = reservations.get(this.w);
    if (holder !== undefined) holder.reserved = false;
    reservations.delete(this.w);
    this.reserved = false;
  }

  #cancelReservationAfterTaking(): void {
    // We took the lock by CAS from free, so no release can have claimed the reservation since.
    Atomics.compareExchange(this.w, RESERVED, this.me, 0);
    this.#handedOff();
  }

  /**
   * At the deadline: withdraw the reservation. Returns true when a release already claimed it, in
   * which case the lock is (or is about to be) handed to this thread and we must take it (unless
   * another attempt of the thread takes it first: {@link takeHandoff}).
   */
  claimedAtDeadline(): boolean {
    if (!this.reserved) return false;
    if (Atomics.compareExchange(this.w, RESERVED, this.me, 0) !== this.me) return true;
    this.#handedOff();
    return false;
  }

  /** Takes the hand-off claimedAtDeadline() announced; false when another attempt of the thread took it. */
  takeHandoff(): boolean | null {
    if (!this.reserved) return false;
    if (Atomics.compareExchange(this.w, STATE, -this.me, this.me | CONTENDED) !== -this.me) return null;
    this.#handedOff();
    return true;
  }

  /** A woken waiter that gives up passes the wake-up on, so a free lock never strands sleepers. */
  passWakeup(): void {
    const w = this.w;
    if (Atomics.load(w, WAITERS) <= 1) return;
    for (;;) {
      const s = Atomics.load(w, STATE);
      if (s === 0) return void Atomics.notify(w, STATE, 1);
      // Held without the flag (a barger took it while we were being woken): flag it, so its
      // release wakes the next sleeper. A hand-off or an abandonment wakes everyone anyway.
      if (s < 0 || (s & CONTENDED) !== 0) return;
      if (Atomics.compareExchange(w, STATE, s, s | CONTENDED) === s) return;
    }
  }
}

/** Blocking acquire for worker hot loops. */
export function lockSync(w: Int32Array, me: number, deadline: number): LockResult {
  const start = now();
  for (let i = 0; i < SPIN; i++) {
    const s = Atomics.load(w, STATE);
    if (s === 0 || s === ABANDONED) {
      const r = tryLock(w, me);
      if (r !== TIMED_OUT) return r;
    }
  }
  if (deadline <= now()) {
    // Asked to wait, but the spin used up the time (a loaded machine): still a blocking call.
    if (deadline > start) assertMayBlock();
    return TIMED_OUT;
  }
  // Refused where this thread may not block (a page's main thread) before the attempt touches
  // anything: no waiter counted, no CONTENDED flag on the holder's word, no reservation.
  assertMayBlock();
  assertCanEnd(w, deadline); // held by this thread: an unbounded wait on memory only it holds
  const a = new Attempt(w, me, deadline);
  Atomics.add(w, WAITERS, 1);
  try {
    for (;;) {
      const r = a.step();
      if (r === TIMED_OUT) {
        if (a.claimedAtDeadline()) return takeHandoffSync(a);
        a.passWakeup();
        return TIMED_OUT;
      }
      if (r !== null) return r;
      // Sleep on the value step() saw, never a fresh load: a hand-off to us that lands in
      // between must turn this wait into 'not-equal', not into a sleep on the hand-off itself.
      // A holder that died unseen (out of memory) is looked for while asleep: thread-roster.ts.
      if (a.sleepOn !== 0) waitSyncWatching(w, STATE, a.sleepOn, deadline, () => [heldBy(a.sleepOn)]);
    }
  } finally {
    Atomics.sub(w, WAITERS, 1);
  }
}

function takeHandoffSync(a: Attempt): LockResult {
  // The releaser is between claiming our reservation and storing -me: a few microseconds.
  let r = a.takeHandoff();
  for (; r === null; r = a.takeHandoff()) waitSync(a.w, STATE, Atomics.load(a.w, STATE), now() + 1);
  return r ? ACQUIRED : TIMED_OUT;
}

/**
 * Sleeps on the word `a` saw held. A wait that can never end (the LockError of internal/wait.ts)
 * withdraws `a` and rethrows, unless a release has already claimed its reservation: the lock is
 * then handed to this thread, and rejecting would leave it handed to nobody (held by no one,
 * takeable by no one). So the hand-off is taken instead and this returns true (the lock is held).
 */
async function sleepAsync(a: Attempt, deadline: number, keepAlive: boolean): Promise<boolean> {
  try {
    await waitAsync(a.w, STATE, a.sleepOn, deadline, keepAlive);
    return false;
  } catch (e) {
    if (a.claimedAtDeadline() && (await takeHandoffAsync(a, keepAlive))) return true;
    a.passWakeup();
    throw e;
  }
}

/** Takes the hand-off claimedAtDeadline() announced; false when another attempt of the thread took it. */
async function takeHandoffAsync(a: Attempt, keepAlive: boolean): Promise<boolean> {
  // The releaser is between claiming our reservation and storing -me: a few microseconds.
  let r = a.takeHandoff();
  for (; r === null; r = a.takeHandoff())
    await waitAsync(a.w, STATE, Atomics.load(a.w, STATE), now() + 1, keepAlive);
  return r;
}

/**
 * What an owner-counting lock (`RLock`) does at the instants that decide an async acquire, so that
 * no other acquire of its thread can run in between: `taken` runs in the same synchronous step as
 * the CAS that took the lock (its depth is set there, not after an await, where a re-entry made
 * meanwhile would be overwritten); `reenter` is asked before each step whether this thread took
 * the lock meanwhile (by another acquire), and counts one more level if so.
 */
export interface Owner {
  taken(r: LockResult): void;
  reenter(): boolean;
}

/** Acquire that never blocks the event loop. */
export async function lockAsync(
  w: Int32Array,
  me: number,
  deadline: number,
  keepAlive = true,
  owner?: Owner,
): Promise<LockResult> {
  const first = tryLock(w, me);
  if (first !== TIMED_OUT) owner?.taken(first);
  if (first !== TIMED_OUT || deadline <= now()) return first;
  const a = new Attempt(w, me, deadline);
  Atomics.add(w, WAITERS, 1);
  try {
    for (;;) {
      if (owner !== undefined && reentered(a, owner)) return ACQUIRED;
      const r = a.step();
      if (r === TIMED_OUT) {
        if (a.claimedAtDeadline()) {
          // False: taken by another attempt of this thread (a blocking acquire) while this one slept.
          if (!(await takeHandoffAsync(a, keepAlive))) return TIMED_OUT;
          owner?.taken(ACQUIRED);
          return ACQUIRED;
        }
        a.passWakeup();
        return TIMED_OUT;
      }
      if (r !== null) {
        owner?.taken(r);
        return r;
      }
      if (a.sleepOn !== 0 && (await sleepAsync(a, deadline, keepAlive))) {
        owner?.taken(ACQUIRED);
        return ACQUIRED;
      }
    }
  } finally {
    Atomics.sub(w, WAITERS, 1);
  }
}

/** Whether this thread holds the lock now (counted by `owner`); the waiter then steps aside. */
function reentered(a: Attempt, owner: Owner): boolean {
  let again = true; // a throw (the depth's limit) steps aside too
  try {
    again = owner.reenter();
    return again;
  } finally {
    // Held by this thread, so no release can be handing it to us: only the reservation to withdraw.
    if (again) {
      a.claimedAtDeadline();
      a.passWakeup();
    }
  }
}
