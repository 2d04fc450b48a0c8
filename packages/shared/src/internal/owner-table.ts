/**
 * Per-thread counters in shared memory: which threads hold a semaphore's permits, wait in a
 * condition or at a barrier, and how many times. When a thread dies, `abandonOwner()` reads its
 * row to take back exactly its share (see owner.ts).
 *
 * Words (Int32), `OWNER_SLOTS` rows from `base`:
 *
 *   [base + 2i]     OWNER  0 free | owner id of the thread using this row
 *   [base + 2i + 1] VALUE  what that thread holds (a count, or a tag the caller packs)
 *
 * A thread finds its row by hashing its id (linear probing) and claims a free one by CAS. Only the
 * owner writes its own row while alive, and frees it when its value drops back to 0, so rows are
 * not used up by threads that come and go. The one other writer is `abandonOwner()`, for rows of
 * dead threads only. With every row taken (more than `OWNER_SLOTS` threads at once), a thread
 * goes untracked: it works as before, but its share is not recovered if it dies.
 *
 * A share is recorded just after it is taken (a permit after its CAS, an arrival after the
 * barrier's CAS), never before, so a share is never given back that was not taken, which could let
 * two threads into a critical section. A semaphore finds its row first (`ownedSlot`) and records
 * the permit with a plain write right after its CAS, where `worker.terminate()` cannot land: it
 * interrupts JavaScript only where a call begins (a function's entry, and a call of an `Atomics`
 * method too: measured, a second `Atomics.add` right after a first is cut off from it in about a
 * third of terminates, a plain write never) or a loop turns. Only the row's owner writes its
 * value word while it lives; others read it once the owner has ended.
 */

/** Rows per table. */
export const OWNER_SLOTS = 32;
/** Int32 words one table takes. */
export const OWNER_TABLE_WORDS = 2 * OWNER_SLOTS;

/** The row of `owner` (claiming a free one when `claim`), or -1. */
export function ownerRow(w: Int32Array, base: number, owner: number, claim: boolean): number {
  const start = owner % OWNER_SLOTS;
  let free = -1;
  for (let k = 0; k < OWNER_SLOTS; k++) {
    const i = (start + k) % OWNER_SLOTS;
    const o = Atomics.load(w, base + 2 * i);
    if (o === owner) return i;
    if (o === 0 && free < 0) free = i;
  }
  if (!claim) return -1;
  for (let k = 0; k < OWNER_SLOTS; k++) {
    const i = (Math.max(free, 0) + k) % OWNER_SLOTS;
    if (Atomics.compareExchange(w, base + 2 * i, 0, owner) === 0) return i;
  }
  return -1;
}

/**
 * The index of the VALUE word of `owner`'s row (claiming a free row when `claim`), or -1. A caller
 * that must record a share in the same instant it takes it finds the word first, then writes it
 * with a plain write right after its CAS, with no call (an `Atomics` one included) or loop
 * between (see above), then calls `freeIfEmpty`.
 */
export function ownedSlot(w: Int32Array, base: number, owner: number, claim: boolean): number {
  const i = ownerRow(w, base, owner, claim);
  return i < 0 ? -1 : base + 2 * i + 1;
}

/** Frees the row whose VALUE word is `slot` when its count is 0 or below. */
export function freeIfEmpty(w: Int32Array, slot: number): void {
  if (slot >= 0 && Atomics.load(w, slot) <= 0) {
    Atomics.store(w, slot, 0);
    Atomics.store(w, slot - 1, 0);
  }
}

/** Adds `delta` to this thread's count; frees the row when it drops to 0 or below. */
export function addOwned(w: Int32Array, base: number, owner: number, delta: number): void {
  const i = ownerRow(w, base, owner, delta > 0);
  if (i < 0) return;
  const value = Atomics.add(w, base + 2 * i + 1, delta) + delta;
  if (value <= 0) freeRow(w, base, i);
}

/** This thread's value (0 when it has no row). */
export function ownedValue(w: Int32Array, base: number, owner: number): number {
  const i = ownerRow(w, base, owner, false);
  return i < 0 ? 0 : Atomics.load(w, base + 2 * i + 1);
}

/** Sets this thread's value; 0 frees the row. */
export function setOwned(w: Int32Array, base: number, owner: number, value: number): void {
  const i = ownerRow(w, base, owner, value !== 0);
  if (i < 0) return;
  Atomics.store(w, base + 2 * i + 1, value);
  if (value === 0) freeRow(w, base, i);
}

/** The sum of the positive values of every row in use: the shares the threads with a row record. */
export function ownedTotal(w: Int32Array, base: number): number {
  let total = 0;
  for (let i = 0; i < OWNER_SLOTS; i++) {
    const value = Atomics.load(w, base + 2 * i + 1);
    if (value > 0 && Atomics.load(w, base + 2 * i) !== 0) total += value;
  }
  return total;
}

/** Removes the dead `owner`'s row and returns its value (0 when it had none). */
export function takeOwned(w: Int32Array, base: number, owner: number): number {
  const i = ownerRow(w, base, owner, false);
  if (i < 0) return 0;
  const value = Atomics.exchange(w, base + 2 * i + 1, 0);
  freeRow(w, base, i);
  return value;
}

function freeRow(w: Int32Array, base: number, i: number): void {
  Atomics.store(w, base + 2 * i + 1, 0);
  Atomics.store(w, base + 2 * i, 0);
}

/** The owner ids of the rows that hold something. */
export function ownersOf(w: Int32Array, base: number): number[] {
  const owners: number[] = [];
  for (let i = 0; i < OWNER_SLOTS; i++) {
    const owner = Atomics.load(w, base + 2 * i);
    if (owner > 0 && Atomics.load(w, base + 2 * i + 1) > 0) owners.push(owner);
  }
  return owners;
}
