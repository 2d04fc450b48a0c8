/**
 * `Barrier`: `parties` threads wait until all of them have arrived, then all continue.
 *
 * Words (Int32):
 *
 *   [0] STATE    bits 0-15 parties inside this cycle | bit 16 BROKEN | bit 17 DRAINING | bits 18-30 generation
 *   [1] PARTIES
 *   [2] ...      owner table (internal/owner-table.ts): per thread, (generation << 16 | waits) of its
 *                waits in progress, so a thread that dies at the barrier breaks it for the others
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
 */
import { type EncodeContext, type Encoded, encodeSymbol, isEncodable, registerCodec } from './codec.js';
import { BrokenBarrierError, SerializationError, ValidationError } from './errors.js';
import { type BarrierAction, runAction } from './internal/barrier-action.js';
import { OWNER_TABLE_WORDS, ownerRow, takeOwned } from './internal/owner-table.js';
import { type Abandonable, kAbandon } from './internal/protocol.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { deadlineFor, deadlineOf, type WaitResult, waitAsync, waitSync } from './internal/wait.js';
import { checkOptionKeys } from './options.js';
import { getOwnerId, trackAbandonable } from './owner.js';
import { definePythonNames } from './python-names.js';
import type { Timeout } from './timeout.js';

export { type BarrierAction, setBarrierActionRunner } from './internal/barrier-action.js';

const STATE = 0;
const PARTIES = 1;
const TABLE = 2;
const COUNT_MASK = 0xffff;
const BROKEN = 1 << 16;
const DRAINING = 1 << 17;
const GEN_SHIFT = 18;
const GEN_MASK = 0x1fff;
// This thread's owner id, set by the first constructor: `getOwnerId()` loads node:worker_threads,
// which an import of this package must not pay for (issue #18).
let ME = 0;

/**
 * Sleeps on the state word; a wait that nothing left in the program could end (see `wait.ts`)
 * counts as a timeout, so the barrier breaks and the party gets `BrokenBarrierError`.
 */
// 'stuck': an unbounded wait that nothing left in the program could end (internal/wait.ts).
function waitOrBreak(w: Int32Array, value: number, deadline: number): Promise<WaitResult | 'stuck'> {
  return waitAsync(w, STATE, value, deadline).catch(() => 'stuck' as const);
}

const BARRIER_KEYS = ['action', 'timeout'];

/** Options of `new Barrier()`. */
export interface BarrierOptions {
  /** Runs in the last party to arrive, before the others are released. Pass a `TaskRef` to share the barrier. */
  action?: BarrierAction;
  /**
   * The default timeout of `wait()`/`waitSync()`, in ms.
   * @default Infinity
   */
  timeout?: number;
}

/** One party's place in a cycle. */
interface Arrival {
  readonly index: number;
  readonly gen: number;
}

let adopting: { sab: SharedArrayBuffer } | undefined;

/**
 * A rendezvous for a fixed number of threads. Mirrors Python's `multiprocessing.Barrier`. Beyond
 * Python, a thread started by multiproc that dies while waiting breaks the barrier for the others.
 * @example
 * const bar = new Barrier(2, { action: () => console.log('all here') });
 * const [a, b] = await Promise.all([bar.wait(), bar.wait()]);
 * console.log(a + b); // 1: the arrival indexes are 0 and 1
 */
export class Barrier implements Abandonable {
  readonly #w: Int32Array;
  readonly #action: BarrierAction | undefined;
  readonly #timeout: number | undefined;

  /**
   * @param parties how many threads must call `wait()`; an integer in 1..65535.
   * @param options `action` and default `timeout`.
   * @throws {ValidationError} for a bad `parties`, `action` or `timeout`, or an unknown option (`timout`).
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    ME ||= getOwnerId();
    if (!adopting) checkOptionKeys(options, BARRIER_KEYS, 'new Barrier()');
    const { action, timeout } = options;
    // A received action is whatever its decoder rebuilt: only check actions given by the user.
    if (!adopting && action !== undefined && typeof action !== 'function' && !isEncodable(action)) {
      throw new ValidationError('Barrier action must be a function or a task reference.');
    }
    if (timeout !== undefined) deadlineOf(timeout, 'Barrier timeout');
    this.#action = action;
    this.#timeout = timeout;
    if (adopting) {
      this.#w = new Int32Array(adopting.sab);
    } else {
      if (!Number.isInteger(parties) || parties < 1 || parties > COUNT_MASK) {
        throw new ValidationError(
          `Barrier parties must be an integer from 1 to 65535, got ${String(parties)}.`,
        );
      }
      this.#w = new Int32Array(new SharedArrayBuffer(4 * (TABLE + OWNER_TABLE_WORDS)));
      this.#w[PARTIES] = parties;
    }
    trackAbandonable(this);
  }

  /** How many threads the barrier waits for. */
  get parties(): number {
    return this.#w[PARTIES]!;
  }
  /** How many threads are waiting in the current cycle. Python: `n_waiting`. */
  get nWaiting(): number {
    const s = Atomics.load(this.#w, STATE);
    return s & BROKEN ? 0 : Math.min(s & COUNT_MASK, this.parties);
  }
  /** Whether the barrier is broken (aborted, timed out, its action threw, or a party died) until `reset()`. */
  get broken(): boolean {
    return (Atomics.load(this.#w, STATE) & (BROKEN | DRAINING)) === BROKEN;
  }

  /**
   * Waits for all parties without blocking the event loop; awaits the action if it returns a Promise.
   * @param timeoutMs how long to wait, in ms (or `{ timeout }`); a timeout breaks the barrier, as in Python.
   * @default the barrier's `timeout` option
   * @returns this party's arrival index, 0..parties-1, distinct within a cycle.
   * @throws {BrokenBarrierError} when the barrier is or becomes broken while waiting.
   * @example
   * const index = await bar.wait(5000);
   */
  async wait(timeoutMs?: Timeout): Promise<number> {
    const deadline = deadlineFor(timeoutMs ?? this.#timeout, 'Barrier.wait()');
    let a = this.#arrive();
    while (typeof a === 'number') {
      const r = await waitOrBreak(this.#w, a, deadline);
      if (r === 'timed-out' || r === 'stuck') this.#timeOutEntering(a, r);
      a = this.#arrive();
    }
    if (a.index === this.parties - 1) {
      try {
        await runAction(this.#action);
      } catch (err) {
        this.#fail(a);
        throw err;
      }
      return this.#release(a);
    }
    for (;;) {
      const s = Atomics.load(this.#w, STATE);
      if (this.#isReleased(s, a)) return a.index;
      const r = await waitOrBreak(this.#w, s, deadline);
      if (r === 'timed-out' || r === 'stuck') return this.#timeOut(a, r);
    }
  }

  /**
   * Like {@link Barrier.wait}, blocking this thread. A Promise the action returns is not awaited.
   * @param timeoutMs how long to wait, in ms (or `{ timeout }`); a timeout breaks the barrier.
   * @default the barrier's `timeout` option
   * @returns this party's arrival index.
   * @throws {BrokenBarrierError} when the barrier is or becomes broken while waiting.
   */
  waitSync(timeoutMs?: Timeout): number {
    const deadline = deadlineFor(timeoutMs ?? this.#timeout, 'Barrier.waitSync()');
    let a = this.#arrive();
    while (typeof a === 'number') {
      if (waitSync(this.#w, STATE, a, deadline) === 'timed-out') this.#timeOutEntering(a);
      a = this.#arrive();
    }
    if (a.index === this.parties - 1) {
      try {
        runAction(this.#action);
      } catch (err) {
        this.#fail(a);
        throw err;
      }
      return this.#release(a);
    }
    for (;;) {
      const s = Atomics.load(this.#w, STATE);
      if (this.#isReleased(s, a)) return a.index;
      if (waitSync(this.#w, STATE, s, deadline) === 'timed-out') return this.#timeOut(a);
    }
  }

  /** Breaks the barrier: current and later waiters get `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.#update((s) => (s | BROKEN) & ~DRAINING);
  }

  /**
   * Returns the barrier to its empty state; threads waiting in it get `BrokenBarrierError`, and a
   * thread that calls `wait()` while they are still leaving joins the next cycle (as in Python).
   * @example
   * bar.reset();
   */
  reset(): void {
    this.#update((s) => {
      if (s & DRAINING) return s;
      if ((s & COUNT_MASK) !== 0) return s | BROKEN | DRAINING;
      return s & BROKEN ? nextGen(s) : s;
    });
  }

  /** Applies `change` to STATE atomically; wakes everyone when it changed anything. */
  #update(change: (s: number) => number): void {
    const w = this.#w;
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

  // Arrives in the current cycle, or returns the STATE value to sleep on: a reset is draining the
  // previous cycle, or its last party is still running the action.
  #arrive(): Arrival | number {
    const w = this.#w;
    const parties = this.parties;
    for (;;) {
      const s = Atomics.load(w, STATE);
      if (s & DRAINING) return s;
      if (s & BROKEN) throw brokenError();
      const count = s & COUNT_MASK;
      if (count >= parties) return s;
      if (Atomics.compareExchange(w, STATE, s, s + 1) === s) {
        const a = { index: count, gen: genOf(s) };
        this.#track(a.gen, 1);
        return a;
      }
    }
  }

  // Whether the cycle `a` arrived in was released; throws (after leaving) when it broke instead.
  #isReleased(s: number, a: Arrival): boolean {
    if (genOf(s) !== a.gen) {
      this.#track(a.gen, -1);
      return true;
    }
    if (s & BROKEN) {
      this.#leave(a);
      throw brokenError();
    }
    return false;
  }

  #timeOut(a: Arrival, why: 'timed-out' | 'stuck' = 'timed-out'): number {
    const w = this.#w;
    for (;;) {
      const s = Atomics.load(w, STATE);
      if (this.#isReleased(s, a)) return a.index;
      if (Atomics.compareExchange(w, STATE, s, s | BROKEN) === s) {
        Atomics.notify(w, STATE);
        this.#leave(a);
        throw brokenError(why);
      }
    }
  }

  // Timed out before arriving (draining or waiting out the action): breaks the barrier, as a
  // timeout at the barrier does in Python.
  #timeOutEntering(s: number, why: 'timed-out' | 'stuck' = 'timed-out'): never {
    if (s & DRAINING) this.abort();
    else this.#update((t) => (genOf(t) === genOf(s) ? t | BROKEN : t));
    throw brokenError(why);
  }

  #release(a: Arrival): number {
    const full = (a.gen << GEN_SHIFT) | this.parties;
    if (Atomics.compareExchange(this.#w, STATE, full, nextGen(full)) !== full) {
      this.#leave(a);
      throw brokenError();
    }
    this.#track(a.gen, -1);
    Atomics.notify(this.#w, STATE);
    return a.index;
  }

  // The action threw: break the cycle, then leave it.
  #fail(a: Arrival): void {
    this.#update((s) => (genOf(s) === a.gen ? s | BROKEN : s));
    this.#leave(a);
  }

  // Leaves a broken cycle.
  #leave(a: Arrival): void {
    this.#track(a.gen, -1);
    this.#drop(a.gen, 1);
  }

  // Takes `n` parties off a broken cycle's count; the last to leave a draining one starts the
  // next generation.
  #drop(gen: number, n: number): void {
    this.#update((s) => {
      if (genOf(s) !== gen) return s;
      const left = Math.max(0, (s & COUNT_MASK) - n);
      if (left === 0 && s & DRAINING) return nextGen(s);
      return (s & ~COUNT_MASK) | left;
    });
  }

  // Counts this thread's waits in cycle `gen` in the owner table: (gen << 16) | waits.
  #track(gen: number, delta: number): void {
    const w = this.#w;
    const i = ownerRow(w, TABLE, ME, delta > 0);
    if (i < 0) return;
    const cell = TABLE + 2 * i + 1;
    const tag = Atomics.load(w, cell);
    const waits = (tag >>> 16 === gen ? tag & COUNT_MASK : 0) + delta;
    if (waits > 0) Atomics.store(w, cell, (gen << 16) | waits);
    else if (tag >>> 16 === gen) {
      Atomics.store(w, cell, 0);
      Atomics.store(w, TABLE + 2 * i, 0);
    }
  }

  /** Called by `abandonOwner()`: a thread that ended waiting here, however it ended, breaks the cycle it was in. */
  [kAbandon](ownerId: number): number {
    const tag = takeOwned(this.#w, TABLE, ownerId);
    const gen = tag >>> 16;
    const waits = tag & COUNT_MASK;
    if (waits === 0 || genOf(Atomics.load(this.#w, STATE)) !== gen) return 0;
    this.#update((s) => (genOf(s) === gen ? s | BROKEN : s));
    this.#drop(gen, waits);
    return 1;
  }

  /**
   * Sends the barrier to a worker thread; it keeps working there on the same memory.
   * @throws {SerializationError} when its `action` is a plain function (pass a task reference).
   */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, 'Barrier');
    const action = this.#action;
    if (typeof action === 'function' && !isEncodable(action)) {
      throw new SerializationError(
        `${ctx.path}.action`,
        `Cannot send ${ctx.path}: its action is a function, which cannot cross a worker boundary. ` +
          'Pass a task reference from defineTasks() as the action instead.',
      );
    }
    return { type: 'multiproc.Barrier', data: { sab: this.#w.buffer, action, timeout: this.#timeout } };
  }
}

definePythonNames(Barrier.prototype, { n_waiting: 'nWaiting' });

function genOf(s: number): number {
  return (s >>> GEN_SHIFT) & GEN_MASK;
}
// The next generation's empty, unbroken state.
function nextGen(s: number): number {
  return ((genOf(s) + 1) & GEN_MASK) << GEN_SHIFT;
}
function brokenError(why: 'broken' | 'timed-out' | 'stuck' = 'broken'): BrokenBarrierError {
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

registerCodec(
  'multiproc.Barrier',
  (data: { sab: SharedArrayBuffer; action?: BarrierAction; timeout?: number }) => {
    adopting = data;
    try {
      return new Barrier(0, { action: data.action, timeout: data.timeout });
    } finally {
      adopting = undefined;
    }
  },
);
