/**
 * The cycle protocol behind `Barrier`, as functions over its shared words: arriving, being released
 * or broken, timing out, resetting, and the owner table that lets a thread's death break the cycle.
 *
 * Words (Int32):
 *
 *   [0] STATE    bits 0-15 parties inside this cycle | bit 16 BROKEN | bit 17 DRAINING | bits 18-29 generation
 *                | bit 30 ABORT_PENDING | bit 31 RESET_PENDING
 *   [1] PARTIES
 *   [2] ...      owner table (owner-table.ts): per thread that waited here, PARTY | generation << 16
 *                | its waits in progress, so a thread that dies at the barrier, or fails between two
 *                waits, breaks it for the others
 *
 * Arrival is one CAS on STATE (the count before it is the arrival index). The last party bumps the
 * count to `parties`, runs `action`, then moves to the next generation with a count of 0 and wakes
 * everyone: a waiter is released when the generation moves. While a cycle is broken its waiters
 * leave one by one, each taking 1 off the count, so the count is always who is still inside.
 *
 * `reset()` is Python's draining state: with parties inside it sets BROKEN | DRAINING; they leave
 * with `BrokenBarrierError`, and the last one to leave starts the next generation. A party that
 * calls `wait()` again meanwhile sleeps until then, and so joins the next cycle, never the broken
 * one. A generation only ever moves when every party of it has left or been released, so a
 * waiter can tell "released" (generation moved) from "broken" (BROKEN set) without any history.
 *
 * While the last party runs the action (the count is `parties`, not broken) nothing but the action
 * decides the cycle, as in Python, whose action runs under the barrier's lock, so `reset()`,
 * `abort()` and a waiter's timeout wait for it:
 * - `reset()` sets RESET_PENDING. The action returns: the cycle is released as usual, which leaves
 *   the barrier empty, so the reset has nothing left to do. The action throws (or the cycle breaks
 *   otherwise): the reset takes effect then, and the broken cycle drains as above.
 * - `abort()` sets ABORT_PENDING (and the barrier reads as broken from then on, as after Python's
 *   `abort()` returns). The action returns: the cycle is released, every party passes, and the
 *   next generation starts broken. Whichever of the two came last wins, as in Python's lock order.
 * - A party whose timeout expires, in the cycle or waiting to enter the next one, sleeps on without
 *   a limit until the action has ended, then sees the outcome: released, it passes (Python's
 *   `wait_for` re-reads the state once it holds the lock again). A party that waited for an action
 *   to end before it could arrive gets its whole timeout in the next cycle (Python's timeout only
 *   bounds `_wait`). Only an action that never ends keeps it: so does Python's.
 */

import { BrokenBarrierError } from '../errors.js';
import { getOwnerId } from '../owner.js';
import { newSharedBuffer } from './browser-limits.js';
import { freeIfEmpty, OWNER_TABLE_WORDS, ownedSlot, ownerRow, ownersOf, takeOwned } from './owner-table.js';
import { waitSyncWatching } from './roster-wait.js';
import { canEnd, type WaitResult, waitAsync } from './wait.js';

const STATE = 0;
const PARTIES = 1;
const TABLE = 2;
/** The most parties a barrier can have (the count's bits). */
export const MAX_PARTIES = 0xffff;
const COUNT_MASK = 0xffff;
const BROKEN = 1 << 16;
const DRAINING = 1 << 17;
const GEN_SHIFT = 18;
const GEN_MASK = 0xfff;
const ABORT_PENDING = 1 << 30;
const RESET_PENDING = 1 << 31;
const PENDING = ABORT_PENDING | RESET_PENDING;
/** In an owner-table cell: this thread has waited at the barrier (bits 16-27 the generation, 0-15 its waits). */
const PARTY = 1 << 29;
// This thread's owner id, set by the first barrier made here: `getOwnerId()` loads
// node:worker_threads, which an import of this package must not pay for (issue #18).
let ME = 0;

/** One party's place in a cycle. */
export interface Arrival {
  readonly index: number;
  readonly gen: number;
}

/** Why a wait gave up: its deadline passed, or nothing left in the program could end it. */
export type GaveUp = 'timed-out' | 'stuck';

/** Learns this thread's owner id; each Barrier constructor calls it first. */
export function knowOwner(): void {
  ME ||= getOwnerId();
}

/** New words for a barrier of `parties` (already checked) with an empty owner table. */
export function createWords(parties: number): Int32Array {
  const w = new Int32Array(newSharedBuffer(4 * (TABLE + OWNER_TABLE_WORDS)));
  w[PARTIES] = parties;
  return w;
}

export function partiesOf(w: Int32Array): number {
  return w[PARTIES]!;
}

/** Parties waiting in the current cycle (0 while broken, or aborted while its action runs). */
export function waitingIn(w: Int32Array): number {
  const s = Atomics.load(w, STATE);
  return s & (BROKEN | ABORT_PENDING) ? 0 : Math.min(s & COUNT_MASK, partiesOf(w));
}

/**
 * Broken and not draining (a reset in progress reads as not broken, as in Python), or aborted
 * while the action runs (as Python's `abort()`, which returns once the action has ended).
 */
export function isBroken(w: Int32Array): boolean {
  const s = Atomics.load(w, STATE);
  return (s & (BROKEN | DRAINING)) === BROKEN || (s & ABORT_PENDING) !== 0;
}

/** Whether STATE `s` is a full cycle whose last party runs the action (nothing else may decide it). */
export function actionRunning(w: Int32Array, s: number): boolean {
  return !(s & BROKEN) && (s & COUNT_MASK) >= partiesOf(w);
}

export function loadState(w: Int32Array): number {
  return Atomics.load(w, STATE);
}

/**
 * Sleeps on the state word; a wait that nothing left in the program could end (see `wait.ts`)
 * counts as a timeout, so the barrier breaks and the party gets `BrokenBarrierError`.
 */
export function sleepAsync(w: Int32Array, value: number, deadline: number): Promise<WaitResult | 'stuck'> {
  return waitAsync(w, STATE, value, deadline).catch(() => 'stuck' as const);
}

/**
 * Sleeps on the state word, blocking this thread. A party whose thread ended without running its exit
 * handlers (out of memory) is found gone between slices and breaks the barrier, as one whose end was
 * seen does (`abandon`; thread-roster.ts): the others get `BrokenBarrierError` rather than waiting
 * out their timeout, or for ever, for a party that can never come.
 */
export function sleepSync(w: Int32Array, value: number, deadline: number): WaitResult | 'stuck' {
  // Unbounded, on a barrier no other thread has: the other parties can never come (wait.ts).
  if (!canEnd(w, deadline)) return 'stuck';
  return waitSyncWatching(w, STATE, value, deadline, () => ownersOf(w, TABLE).filter((o) => o !== ME));
}

/** Applies `change` to STATE atomically; wakes everyone when it changed anything. */
function update(w: Int32Array, change: (s: number) => number): void {
  for (;;) {
    const s = Atomics.load(w, STATE);
    const next = change(s);
    if (next === s) return;
    if (Atomics.compareExchange(w, STATE, s, next) === s) {
      Atomics.notify(w, STATE);
      return;
    }
  }
}

/**
 * Breaks the barrier: current and later waiters get `BrokenBarrierError` until a reset. While the
 * action runs, the cycle is released first and the next one starts broken (see the header).
 */
export function abortCycle(w: Int32Array): void {
  update(w, (s) =>
    actionRunning(w, s) ? (s | ABORT_PENDING) & ~RESET_PENDING : (s | BROKEN) & ~(DRAINING | PENDING),
  );
}

/** Empties the barrier: with parties inside, breaks their cycle and drains it first. */
export function resetCycle(w: Int32Array): void {
  update(w, (s) => {
    if (s & DRAINING) return s;
    // The last party is running the action: the reset waits for it (see the header).
    if (actionRunning(w, s)) return (s | RESET_PENDING) & ~ABORT_PENDING;
    const count = s & COUNT_MASK;
    if (count !== 0) return broken(s | DRAINING);
    return s & BROKEN ? nextGen(s) : s;
  });
}

// Arrives in the current cycle, or returns the STATE value to sleep on: a reset is draining the
// previous cycle, or its last party is still running the action. `onlyIfLast` (a thread that may
// not block): arrives only as the last party, which never waits; else returns null, arriving not,
// and having written nothing (its owner-table row is claimed only by a party that may arrive).
export function arrive(w: Int32Array, onlyIfLast = false): Arrival | number | null {
  const parties = partiesOf(w);
  if (onlyIfLast && mustWait(w, Atomics.load(w, STATE))) return null;
  const cell = ownedSlot(w, TABLE, ME, true);
  for (;;) {
    const s = Atomics.load(w, STATE);
    if (onlyIfLast && mustWait(w, s)) {
      // The state moved since the first look: give back the row claimed for nothing.
      if (cell >= 0 && Atomics.load(w, cell) === 0) freeIfEmpty(w, cell);
      return null;
    }
    if (s & DRAINING) return s;
    if (s & (BROKEN | ABORT_PENDING)) throw brokenError();
    const count = s & COUNT_MASK;
    if (count >= parties) return s;
    if (Atomics.compareExchange(w, STATE, s, s + 1) === s) {
      // Recorded in the same instant as the arrival, with plain reads and writes of this thread's
      // own cell (no call, not even an Atomics one, and no loop between, where a terminate() could
      // land): a party that dies now is always known to have arrived. See owner-table.ts.
      const gen = (s >>> GEN_SHIFT) & GEN_MASK;
      if (cell >= 0) {
        const tag = w[cell]!;
        w[cell] = ((tag >>> 16) & GEN_MASK) === gen ? tag + 1 : PARTY | (gen << 16) | 1;
      }
      return { index: count, gen };
    }
  }
}

// Whether a party arriving at STATE `s` would have to wait: it may not enter yet (a drain, an
// action running) or would not be the last. A broken barrier answers at once (it throws).
function mustWait(w: Int32Array, s: number): boolean {
  if (s & DRAINING) return true;
  if (s & (BROKEN | ABORT_PENDING)) return false;
  return (s & COUNT_MASK) !== partiesOf(w) - 1;
}

// Whether the cycle `a` arrived in was released; throws (after leaving) when it broke instead.
export function isReleased(w: Int32Array, s: number, a: Arrival): boolean {
  if (genOf(s) !== a.gen) {
    untrack(w, a.gen);
    return true;
  }
  if (s & BROKEN) {
    leave(w, a);
    throw brokenError();
  }
  return false;
}

/**
 * A party's wait timed out: released meanwhile, it returns its index; while the action runs, null
 * (the caller sleeps on without a limit: see the header); else it breaks the cycle.
 */
export function timeOut(w: Int32Array, a: Arrival, why: GaveUp = 'timed-out'): number | null {
  for (;;) {
    const s = Atomics.load(w, STATE);
    if (isReleased(w, s, a)) return a.index;
    if (why === 'timed-out' && actionRunning(w, s)) return null;
    if (Atomics.compareExchange(w, STATE, s, broken(s)) === s) {
      Atomics.notify(w, STATE);
      leave(w, a);
      throw brokenError(why);
    }
  }
}

// Gave up before arriving. Waiting out a reset's drain: breaks the barrier, as a timeout at the
// barrier does in Python. Waiting out an action: a timeout does nothing (the caller sleeps on
// without a limit, see the header); a wait nothing could end breaks that cycle.
export function timeOutEntering(w: Int32Array, s: number, why: GaveUp = 'timed-out'): void {
  if (s & DRAINING) abortCycle(w);
  else if (why === 'timed-out') return;
  else update(w, (t) => (genOf(t) === genOf(s) ? broken(t) : t));
  throw brokenError(why);
}

/** The deadline to sleep on STATE `s` with: none while the action runs (see the header). */
export function sleepDeadline(w: Int32Array, s: number, deadline: number): number {
  return actionRunning(w, s) ? Number.POSITIVE_INFINITY : deadline;
}

/** The last party, its action done: starts the next generation, which releases the others. */
export function release(w: Int32Array, a: Arrival): number {
  const full = (a.gen << GEN_SHIFT) | partiesOf(w);
  for (;;) {
    // A reset() that came during the action (RESET_PENDING) is done by this release; an abort()
    // (ABORT_PENDING) takes effect in the next generation, which starts broken.
    const s = Atomics.load(w, STATE);
    if ((s & ~PENDING) !== full) {
      leave(w, a);
      throw brokenError();
    }
    const next = s & ABORT_PENDING ? nextGen(full) | BROKEN : nextGen(full);
    if (Atomics.compareExchange(w, STATE, s, next) === s) break;
  }
  untrack(w, a.gen);
  Atomics.notify(w, STATE);
  return a.index;
}

// The action threw: break the cycle, then leave it.
export function fail(w: Int32Array, a: Arrival): void {
  update(w, (s) => (genOf(s) === a.gen ? broken(s) : s));
  leave(w, a);
}

/**
 * A thread that ended in `wait()` breaks the barrier; returns 1 if it was there, else 0. Still
 * counted in its cycle: that cycle breaks and loses its count. Released but ended before `wait()`
 * returned (a `terminate()` that came while it slept lands there, at the first instruction after
 * the wake-up): the cycle now running breaks, since the others would wait in it for a party that
 * can never come, as Python's `abort()` would have them not.
 */
export function abandon(w: Int32Array, ownerId: number, failed: boolean): number {
  const tag = takeOwned(w, TABLE, ownerId);
  const gen = (tag >>> 16) & GEN_MASK;
  const waits = tag & COUNT_MASK;
  if (tag === 0 || (waits === 0 && !failed)) return 0;
  if (waits === 0 || genOf(Atomics.load(w, STATE)) !== gen) {
    // A party that failed between two waits, or released and not yet out of wait(): the cycle
    // now running waits for a party that can never come.
    if (!failed) return 0;
    update(w, (s) => (s & DRAINING ? s : broken(s)));
    return 1;
  }
  update(w, (s) => (genOf(s) === gen ? broken(s) : s));
  drop(w, gen, waits);
  return 1;
}

// Leaves a broken cycle.
function leave(w: Int32Array, a: Arrival): void {
  untrack(w, a.gen);
  drop(w, a.gen, 1);
}

// Takes `n` parties off a broken cycle's count; the last to leave a draining one starts the
// next generation.
function drop(w: Int32Array, gen: number, n: number): void {
  update(w, (s) => {
    if (genOf(s) !== gen) return s;
    const left = Math.max(0, (s & COUNT_MASK) - n);
    if (left === 0 && s & DRAINING) return nextGen(s);
    return (s & ~COUNT_MASK) | left;
  });
}

// Takes one of this thread's waits in cycle `gen` off the owner table, whose cell holds
// (PARTY | gen << 16 | waits). The row stays while the thread lives (PARTY: it took part), so a
// thread that fails between two waits still breaks the barrier (see `abandon`).
function untrack(w: Int32Array, gen: number): void {
  const i = ownerRow(w, TABLE, ME, false);
  if (i < 0) return;
  const cell = TABLE + 2 * i + 1;
  const tag = Atomics.load(w, cell);
  if (((tag >>> 16) & GEN_MASK) === gen && (tag & COUNT_MASK) > 0) Atomics.store(w, cell, (tag - 1) | PARTY);
}

function genOf(s: number): number {
  return (s >>> GEN_SHIFT) & GEN_MASK;
}
// `s` broken; a reset that waited for the action (RESET_PENDING) takes effect now: the cycle
// drains. An abort that waited for it (ABORT_PENDING) has nothing more to do.
function broken(s: number): number {
  return s & RESET_PENDING ? (s & ~PENDING) | BROKEN | DRAINING : (s & ~ABORT_PENDING) | BROKEN;
}
// The next generation's empty, unbroken state.
function nextGen(s: number): number {
  return ((genOf(s) + 1) & GEN_MASK) << GEN_SHIFT;
}
function brokenError(why: 'broken' | GaveUp = 'broken'): BrokenBarrierError {
  return new BrokenBarrierError(
    why === 'timed-out'
      ? 'The Barrier timed out waiting for the other parties and is now broken; call reset() to reuse it.'
      : why === 'stuck'
        ? 'The Barrier could never be passed: nothing left in the program could bring the other parties ' +
          'to wait(), so it is now broken. Start the parties before waiting; call reset() to reuse it.'
        : 'The Barrier is broken (aborted, reset, timed out, its action threw, or a party died); ' +
          'call reset() to reuse it.',
  );
}
