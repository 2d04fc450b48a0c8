/**
 * `Barrier`: `parties` threads wait until all of them have arrived, then all continue.
 *
 * Words (Int32):
 *
 *   [0] STATE       bits 0-15 arrived this cycle | bit 16 broken | bits 17-30 generation
 *   [1] RESET_MARK  (generation | 1 << 16) of the last cycle that reset() cut short
 *   [2] PARTIES
 *
 * Arrival is one CAS on STATE (the count before it is the arrival index). The last party bumps
 * the count to `parties` (so late comers wait for the next cycle), runs `action`, then starts the
 * next generation and wakes everyone. Waiters sleep on STATE and leave when the generation moves.
 */
import {
  type Encodable,
  type EncodeContext,
  type Encoded,
  encodeSymbol,
  isEncodable,
  registerCodec,
} from './codec.js';
import { BrokenBarrierError, ContextError, SerializationError, ValidationError } from './errors.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { deadlineFor, deadlineOf, waitAsync, waitSync } from './internal/wait.js';
import type { Timeout } from './timeout.js';

const STATE = 0;
const RESET_MARK = 1;
const PARTIES = 2;
const COUNT_MASK = 0xffff;
const BROKEN = 1 << 16;
const GEN_SHIFT = 17;
const GEN_MASK = 0x3fff;
const RUNNER_KEY = Symbol.for('multiproc.barrierActionRunner');

/** What runs when the last party arrives: a function (this thread only) or a sendable task reference. */
export type BarrierAction = (() => unknown) | Encodable;

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

/**
 * Installs how a sendable (encodable) barrier action is run in this thread; beyond Python, whose
 * actions are pickled callables. `@multiproc/core` calls this with a runner for its `TaskRef`s;
 * you only need it for your own action objects. Without a runner, such an action breaks the
 * barrier and its last party gets a `ContextError`.
 * @param runner called with the action object; may return a Promise (awaited by `wait()`).
 * @example
 * setBarrierActionRunner((action) => (action as { run(): unknown }).run());
 */
export function setBarrierActionRunner(runner: (action: Encodable) => unknown): void {
  (globalThis as Record<symbol, unknown>)[RUNNER_KEY] = runner;
}

function runAction(action: BarrierAction | undefined): unknown {
  if (action === undefined) return undefined;
  if (typeof action === 'function' && !isEncodable(action)) return action();
  const runner = (globalThis as Record<symbol, ((a: Encodable) => unknown) | undefined>)[RUNNER_KEY];
  if (runner === undefined) {
    throw new ContextError(
      'This Barrier has a task-reference action but no action runner is installed in this thread. ' +
        "Import '@multiproc/core' here (it installs one), or call setBarrierActionRunner().",
    );
  }
  return runner(action as Encodable);
}

let adopting: { sab: SharedArrayBuffer } | undefined;

/**
 * A rendezvous for a fixed number of threads. Mirrors Python's `multiprocessing.Barrier`.
 * @example
 * const bar = new Barrier(2, { action: () => console.log('all here') });
 * const [a, b] = await Promise.all([bar.wait(), bar.wait()]);
 * console.log(a + b); // 1: the arrival indexes are 0 and 1
 */
export class Barrier {
  readonly #w: Int32Array;
  readonly #action: BarrierAction | undefined;
  readonly #timeout: number | undefined;

  /**
   * @param parties how many threads must call `wait()`; an integer in 1..65535.
   * @param options `action` and default `timeout`.
   * @throws {ValidationError} for a bad `parties`, `action` or `timeout`.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
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
      return;
    }
    if (!Number.isInteger(parties) || parties < 1 || parties > COUNT_MASK) {
      throw new ValidationError(
        `Barrier parties must be an integer from 1 to 65535, got ${String(parties)}.`,
      );
    }
    this.#w = new Int32Array(new SharedArrayBuffer(12));
    this.#w[PARTIES] = parties;
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
  /** Whether the barrier is broken (aborted, timed out, or its action threw) until `reset()`. */
  get broken(): boolean {
    return (Atomics.load(this.#w, STATE) & BROKEN) !== 0;
  }

  /**
   * Waits for all parties without blocking the event loop; awaits the action if it returns a Promise.
   * @param timeoutMs how long to wait, in ms; a timeout breaks the barrier, as in Python.
   * @default the barrier's `timeout` option
   * @returns this party's arrival index, 0..parties-1, distinct within a cycle.
   * @throws {BrokenBarrierError} when the barrier is or becomes broken while waiting.
   * @example
   * const index = await bar.wait(5000);
   */
  async wait(timeoutMs?: Timeout): Promise<number> {
    const deadline = deadlineFor(timeoutMs ?? this.#timeout, 'Barrier.wait()');
    let a = this.#tryArrive();
    while (typeof a === 'number') {
      if ((await waitAsync(this.#w, STATE, a, deadline)) === 'timed-out') this.#breakAndThrow(a);
      a = this.#tryArrive();
    }
    const { index, gen } = a;
    if (index === this.parties - 1) {
      try {
        await runAction(this.#action);
      } catch (err) {
        this.#break(gen);
        throw err;
      }
      return this.#release(gen, index);
    }
    for (;;) {
      const s = Atomics.load(this.#w, STATE);
      if (this.#released(s, gen)) return index;
      if ((await waitAsync(this.#w, STATE, s, deadline)) === 'timed-out') {
        if (this.#released(Atomics.load(this.#w, STATE), gen)) return index;
        this.#breakAndThrow(s);
      }
    }
  }

  /**
   * Like {@link Barrier.wait}, blocking this thread. A Promise the action returns is not awaited.
   * @param timeoutMs how long to wait, in ms; a timeout breaks the barrier.
   * @default the barrier's `timeout` option
   * @returns this party's arrival index.
   * @throws {BrokenBarrierError} when the barrier is or becomes broken while waiting.
   */
  waitSync(timeoutMs?: Timeout): number {
    const deadline = deadlineFor(timeoutMs ?? this.#timeout, 'Barrier.waitSync()');
    let a = this.#tryArrive();
    while (typeof a === 'number') {
      if (waitSync(this.#w, STATE, a, deadline) === 'timed-out') this.#breakAndThrow(a);
      a = this.#tryArrive();
    }
    const { index, gen } = a;
    if (index === this.parties - 1) {
      try {
        runAction(this.#action);
      } catch (err) {
        this.#break(gen);
        throw err;
      }
      return this.#release(gen, index);
    }
    for (;;) {
      const s = Atomics.load(this.#w, STATE);
      if (this.#released(s, gen)) return index;
      if (waitSync(this.#w, STATE, s, deadline) === 'timed-out') {
        if (this.#released(Atomics.load(this.#w, STATE), gen)) return index;
        this.#breakAndThrow(s);
      }
    }
  }

  /** Breaks the barrier: current and later waiters get `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.#break(genOf(Atomics.load(this.#w, STATE)));
  }

  /**
   * Returns the barrier to its empty state; threads waiting in it get `BrokenBarrierError`.
   * @example
   * bar.reset();
   */
  reset(): void {
    const w = this.#w;
    const gen = genOf(Atomics.load(w, STATE));
    this.#break(gen);
    // Marked before the generation moves, so a waiter that wakes late still sees it was cut short.
    Atomics.store(w, RESET_MARK, gen | BROKEN);
    const s = Atomics.load(w, STATE);
    if (genOf(s) === gen) Atomics.compareExchange(w, STATE, s, nextGen(gen));
    Atomics.notify(w, STATE);
  }

  // Arrives in the current cycle, or returns the STATE value to sleep on while the last party of
  // the previous cycle is still running the action.
  #tryArrive(): { index: number; gen: number } | number {
    const w = this.#w;
    const parties = this.parties;
    for (;;) {
      const s = Atomics.load(w, STATE);
      if (s & BROKEN) throw brokenError();
      const count = s & COUNT_MASK;
      if (count >= parties) return s;
      if (Atomics.compareExchange(w, STATE, s, s + 1) === s) return { index: count, gen: genOf(s) };
    }
  }

  #released(s: number, gen: number): boolean {
    if (genOf(s) !== gen) {
      if (Atomics.load(this.#w, RESET_MARK) === (gen | BROKEN)) throw brokenError();
      return true;
    }
    if (s & BROKEN) throw brokenError();
    return false;
  }

  #release(gen: number, index: number): number {
    const full = (gen << GEN_SHIFT) | this.parties;
    if (Atomics.compareExchange(this.#w, STATE, full, nextGen(gen)) !== full) throw brokenError();
    Atomics.notify(this.#w, STATE);
    return index;
  }

  #break(gen: number): void {
    const w = this.#w;
    for (let s = Atomics.load(w, STATE); genOf(s) === gen && !(s & BROKEN); s = Atomics.load(w, STATE)) {
      if (Atomics.compareExchange(w, STATE, s, s | BROKEN) === s) {
        Atomics.notify(w, STATE);
        return;
      }
    }
  }

  #breakAndThrow(s: number): never {
    this.#break(genOf(s));
    throw brokenError('timed out');
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

function genOf(s: number): number {
  return (s >>> GEN_SHIFT) & GEN_MASK;
}
function nextGen(gen: number): number {
  return ((gen + 1) & GEN_MASK) << GEN_SHIFT;
}
function brokenError(why = 'broken'): BrokenBarrierError {
  return new BrokenBarrierError(
    why === 'timed out'
      ? 'The Barrier timed out waiting for the other parties and is now broken; call reset() to reuse it.'
      : 'The Barrier is broken (aborted, reset, timed out, or its action threw); call reset() to reuse it.',
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
