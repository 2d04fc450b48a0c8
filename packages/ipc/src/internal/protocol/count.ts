/**
 * A queue's size, in shared memory: the one number every holder in the home's process reads as
 * `qsize()` and reserves room in, as Python's queues share one semaphore. It counts the items put
 * and not yet got: at home, pushed to a copy and not used there, and on their way from a thread
 * copy that reserved room for them.
 *
 * ```
 *   count (Int32 words, shared by the home and its thread copies)
 *   ┌──────────┬────────────┬──────────────┬──────────┬────────────┬───────────┐
 *   │ 0: items │ 1: waiting │ 2: unfinished│ 3: zeros │ 4: remote  │ 5: places │
 *   └──────────┴────────────┴──────────────┴──────────┴────────────┴───────────┘
 *   items: +1 a put reserves room (CAS below maxsize), or is admitted unreserved at home; -1 a get
 *     hands an item out (at home, or in the thread copy that used it). It counts `places` too.
 *   waiting: 1 while a put waits at home for room (the home's, or a copy's): room freed then is
 *     its, so a copy's putNowait() takes none, as the home's own does not.
 *   unfinished: a JoinableQueue's unfinished tasks (Python's `_unfinished_tasks` semaphore): +1 a
 *     thread copy's put before it returns, or an item admitted at home uncounted; -1 a taskDone()
 *     anywhere in the process (CAS above 0: none left refuses it).
 *   zeros: bumped after each change that left `unfinished` at 0 (mod 2^32): a join that began at
 *     another value is over (Python's join() wakes when the count reaches zero).
 *   remote: a JoinableQueue's copies a join must ask first (flush-barrier.ts: copies in other
 *     processes, reserved or open), written by the home: at 0 a thread copy's join reads the
 *     count alone.
 *   places: room the home granted copies in other processes (R_SLOT) that they have not used yet
 *     nor given back (places.ts), written by the home: taken room, but no items, so `qsize()`
 *     leaves them out while `full()` and every put count them.
 *
 *   per thread copy (its `shared` buffer, Int32 words; queues and pipe ends)
 *   ┌─────────────┬─────────────┬──────────┬─────────┬──────────┬─────────┐
 *   │ 0: consumed │ 1: reserved │ 2: wake  │ 3: sent │ 4: tasks │ 5: loan │
 *   └─────────────┴─────────────┴──────────┴─────────┴──────────┴─────────┘
 *   consumed: items it handed out (mod 2^32); reserved: room it took in `count` (mod 2^32);
 *   wake: bumped by the home after a synchronous answer; sent: items it sent as R_PUT (mod 2^32),
 *   written before they leave, so the home knows what is on its way (catch-up.ts); tasks: tasks
 *   it counted in `unfinished` for its puts (mod 2^32): those whose item never came go back;
 *   loan: the items the home lent it and it has not claimed (loan.ts).
 * ```
 *
 * A thread copy that dies leaves `reserved - arrived` slots taken for items that never came: the
 * home gives them back (home-runtime.ts), and counts what it had `consumed` as taken. A thread copy
 * changes `count` with one `Atomics` call and records it in its own word right after with a plain
 * write (`tryReserve(…, mine)`, `consume()`): `worker.terminate()` lands only where a call begins
 * (an `Atomics` call too) or a loop turns, never between an `Atomics` operation and the plain
 * writes after it, so the home, which reads the words once the thread has ended, never finds them
 * disagreeing with `count` (a task is counted the same way, after its room). (Recorded with a second `Atomics` call, one terminate in about 100
 * left `empty()` false with nothing to get.) Only the copy writes its words while it lives.
 */

/** Word indexes of a thread copy's shared buffer. */
export const CONSUMED = 0;
export const RESERVED = 1;
export const WAKE = 2;
export const SENT = 3;
export const TASKS = 4;
export const LOAN = 5;
/** Bytes of a thread copy's shared buffer. */
export const COPY_SHARED_BYTES = 24;
// Word indexes of `count`.
const UNFINISHED = 2;
const ZEROS = 3;
const REMOTE = 4;
const PLACES = 5;

export class QueueCount {
  readonly buffer: SharedArrayBuffer;
  readonly #word: Int32Array;
  readonly #max: number;

  /** @param max - `maxsize`; 0: unbounded. @param buffer - the home's, in a copy. */
  constructor(max: number, buffer: SharedArrayBuffer = new SharedArrayBuffer(24)) {
    this.buffer = buffer;
    this.#word = new Int32Array(buffer, 0, 6);
    this.#max = max;
  }

  /** Room taken: items put and not got, and places granted and not used (count as full). */
  get value(): number {
    return Atomics.load(this.#word, 0);
  }

  /** Items put and not got (`qsize()`): the room taken less the places not used yet. */
  get size(): number {
    return Atomics.load(this.#word, 0) - Atomics.load(this.#word, PLACES);
  }

  /** Room granted to copies in other processes and not used nor given back yet. */
  get places(): number {
    return Atomics.load(this.#word, PLACES);
  }

  /** The home: `n` places granted (negative: used, given back, or their copy is gone). */
  addPlaces(n: number): void {
    if (n !== 0) Atomics.add(this.#word, PLACES, n);
  }

  /** Whether `maxsize` items are counted (never, unbounded). */
  full(): boolean {
    return this.#max > 0 && Atomics.load(this.#word, 0) >= this.#max;
  }

  /**
   * Takes room for one item: false when `maxsize` items are counted, or (unless `waited`: for the
   * put first in line at home) while a put waits at home for room. `mine`: a thread copy's words,
   * whose `RESERVED` counts the room in the same instant.
   */
  tryReserve(waited = false, mine?: Int32Array): boolean {
    const w = this.#word;
    if (this.#max <= 0) {
      Atomics.add(w, 0, 1);
      if (mine) mine[RESERVED] = (mine[RESERVED]! + 1) | 0; // plain: no interrupt point (above)
      return true;
    }
    if (!waited && Atomics.load(w, 1) !== 0) return false;
    for (let n = Atomics.load(w, 0); n < this.#max; ) {
      const seen = Atomics.compareExchange(w, 0, n, n + 1);
      if (seen === n) {
        if (mine) mine[RESERVED] = (mine[RESERVED]! + 1) | 0;
        return true;
      }
      n = seen;
    }
    return false;
  }

  /** A thread copy handed out its `total`-th item: its `CONSUMED` word and `count`, in one instant. */
  consume(mine: Int32Array, total: number): void {
    Atomics.sub(this.#word, 0, 1);
    mine[CONSUMED] = total; // plain, right after: no interrupt point between (above)
  }

  /** The home: whether a put waits for room. */
  setWaiting(on: boolean): void {
    Atomics.store(this.#word, 1, on ? 1 : 0);
  }

  add(n: number): void {
    if (n !== 0) Atomics.add(this.#word, 0, n);
  }

  /** A JoinableQueue's unfinished tasks. */
  get unfinished(): number {
    return Atomics.load(this.#word, UNFINISHED);
  }

  /** How many times `unfinished` was left at 0 (mod 2^32): read it before `unfinished`. */
  get zeros(): number {
    return Atomics.load(this.#word, ZEROS);
  }

  /** A JoinableQueue's copies in other processes, which a join asks first (flush-barrier.ts). */
  get remote(): number {
    return Atomics.load(this.#word, REMOTE);
  }

  /** The home: how many copies a join must ask first. */
  setRemote(n: number): void {
    Atomics.store(this.#word, REMOTE, n);
  }

  /** Counts a task: `mine`, a thread copy's words, whose `TASKS` counts it in the same instant. */
  addTask(mine?: Int32Array): void {
    Atomics.add(this.#word, UNFINISHED, 1);
    if (mine) mine[TASKS] = (mine[TASKS]! + 1) | 0; // plain: no interrupt point (above)
  }

  /**
   * Marks `n` tasks done: the tasks left, or -1 when fewer than `n` were unfinished (nothing
   * changes). `clamp`: as many as there are (tasks of puts that never came, given back).
   */
  tasksDone(n: number, clamp = false): number {
    const w = this.#word;
    for (let cur = Atomics.load(w, UNFINISHED); ; ) {
      const take = clamp ? Math.min(n, cur) : n;
      if (take > cur || take <= 0) return take === 0 && clamp ? cur : -1;
      const seen = Atomics.compareExchange(w, UNFINISHED, cur, cur - take);
      if (seen === cur) {
        if (cur === take) Atomics.add(w, ZEROS, 1);
        return cur - take;
      }
      cur = seen;
    }
  }
}
