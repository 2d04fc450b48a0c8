/**
 * The wait/notify protocol behind `Condition`, as functions over its shared words.
 *
 * Words (Int32): [0] SEQ bumped by every notify that wakes someone (the word waiters sleep on)
 * | [1] WAITERS in wait() and not yet returned | [2] TOKENS wake-ups granted and not yet taken
 * | [4...] owner table (internal/owner-table.ts): each thread's waits in progress, so a thread
 * that dies while waiting stops being counted as a waiter
 *
 * WAITERS and TOKENS change only with the condition's lock held (by a waiter before it releases
 * it and after it took it back, and by notify), so a notify never runs between two steps of a
 * waiter's entering or leaving; the one exception is a dead thread's waits given back by
 * {@link abandonWaits}, which then wakes every waiter. Invariants:
 *
 * 1. 0 <= TOKENS <= WAITERS, and WAITERS - TOKENS are the waiters no notify counted yet:
 *    notify(n) grants min(n, WAITERS - TOKENS) tokens, bumps SEQ and wakes that many sleepers
 *    (Python: wakes up to n of the threads waiting at that moment).
 * 2. A waiter leaves in one step, holding the lock again: it takes a token and returns `true` only
 *    if SEQ moved since it entered (a notify counted it; a waiter that came later never takes that
 *    wake-up); else, at its deadline, it leaves without one and returns `false`; else (a wake-up
 *    another waiter took) it releases the lock and sleeps again.
 * 3. Every token has a waiter coming for it: TOKENS <= the waiters that entered before the latest
 *    notify and are awake or will find SEQ moved. A notify makes every waiter then counted
 *    eligible and wakes min(grant, sleepers) of them, so (with 1) enough are awake; one that finds
 *    no token left sleeps again, and one that times out takes a token if any is left. So a
 *    wake-up is never stranded, and a waiter is never left asleep while a token waits for it.
 *
 * The lock's own word is separate (any `Lock` or `RLock`), and travels with the condition.
 */

import { newSharedBuffer } from './browser-limits.js';
import { addOwned, OWNER_TABLE_WORDS, ownersOf, takeOwned } from './owner-table.js';
import { waitSyncWatching } from './roster-wait.js';
import type { WaitResult } from './wait.js';

export const SEQ = 0;
const WAITERS = 1;
const TOKENS = 2;
const TABLE = 4;

/** New words for a condition, with an empty owner table. */
export function createWords(): Int32Array {
  return new Int32Array(newSharedBuffer(4 * (TABLE + OWNER_TABLE_WORDS)));
}

/** Python's count of waiters: those in wait() that no notify counted yet. */
export function waitingIn(w: Int32Array): number {
  return Math.max(0, Atomics.load(w, WAITERS) - Atomics.load(w, TOKENS));
}

function takeToken(w: Int32Array): boolean {
  for (let t = Atomics.load(w, TOKENS); t > 0; t = Atomics.load(w, TOKENS)) {
    if (Atomics.compareExchange(w, TOKENS, t, t - 1) === t) return true;
  }
  return false;
}

/** Counts thread `me` as a waiter; the caller holds the lock. Returns SEQ, to sleep on and to leave with. */
export function enterWait(w: Int32Array, me: number): number {
  const entered = Atomics.load(w, SEQ);
  Atomics.add(w, WAITERS, 1);
  addOwned(w, TABLE, me, 1);
  return entered;
}

/**
 * With the lock held again: leaves with a wake-up a notify granted since the waiter entered
 * (`true`), or, `timedOut`, without one (`false`); `null` to sleep again (another waiter took the
 * wake-up). Invariant 2.
 */
export function leaveWait(w: Int32Array, me: number, entered: number, timedOut: boolean): boolean | null {
  const notified = Atomics.load(w, SEQ) !== entered && takeToken(w);
  if (!notified && !timedOut) return null;
  Atomics.sub(w, WAITERS, 1);
  addOwned(w, TABLE, me, -1);
  return notified;
}

/** Leaves without the lock (taking it back failed): a wake-up counted for it goes unused, not stranded. */
export function leaveWaitUnlocked(w: Int32Array, me: number, entered: number): void {
  if (Atomics.load(w, SEQ) !== entered) takeToken(w);
  Atomics.sub(w, WAITERS, 1);
  addOwned(w, TABLE, me, -1);
}

/**
 * Sleeps on SEQ (last read as `seq`), blocking this thread (`me`). A waiter in a thread that ended
 * without running its exit handlers (out of memory) is found gone between slices and its waits given
 * back (thread-roster.ts, {@link abandonWaits}): a notify woke it rather than a live one, whose token
 * would otherwise wait for it until its deadline.
 */
export function sleepSync(w: Int32Array, seq: number, deadline: number, me: number): WaitResult {
  return waitSyncWatching(w, SEQ, seq, deadline, () => ownersOf(w, TABLE).filter((o) => o !== me));
}

/** notify(n), the lock held: grants up to `n` wake-ups to the waiters not counted yet. Invariant 1. */
export function grant(w: Int32Array, n: number): void {
  const granted = Math.min(n, Atomics.load(w, WAITERS) - Atomics.load(w, TOKENS));
  if (granted <= 0) return;
  Atomics.add(w, TOKENS, granted);
  Atomics.add(w, SEQ, 1);
  Atomics.notify(w, SEQ, granted);
}

/** Stops counting the ended thread's waits, however it ended; returns 1 if it had any. */
export function abandonWaits(w: Int32Array, ownerId: number): number {
  const waits = takeOwned(w, TABLE, ownerId);
  if (waits <= 0) return 0;
  Atomics.sub(w, WAITERS, waits);
  // Wake-ups granted to the dead waiters that nobody alive can take would wake a later wait().
  for (let t = Atomics.load(w, TOKENS); t > Atomics.load(w, WAITERS); t = Atomics.load(w, TOKENS)) {
    if (Atomics.compareExchange(w, TOKENS, t, Math.max(0, Atomics.load(w, WAITERS))) === t) break;
  }
  // A dead waiter may have been the one awake for a token (invariant 3): every waiter left is
  // made eligible and woken to look (a spurious wake-up for those that find none).
  Atomics.add(w, SEQ, 1);
  Atomics.notify(w, SEQ);
  return 1;
}
