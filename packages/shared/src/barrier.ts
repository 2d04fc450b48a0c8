/**
 * `Barrier`: `parties` threads wait until all of them have arrived, then all continue.
 *
 * This file is the public class: its options, `wait()` and `waitSync()`, and how it crosses to a
 * worker. The cycle protocol on its shared words (arrival, release, breaking, draining on reset,
 * and the owner table that breaks a cycle when a party's thread dies) is `internal/barrier-cycle.ts`,
 * with the memory layout drawn atop it.
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, isEncodable, registerCodec } from './codec.js';
import { SerializationError, ValidationError } from './errors.js';
import { TAKES_TIMEOUT, tooManyArguments } from './internal/arity.js';
import { type BarrierAction, runAction } from './internal/barrier-action.js';
import {
  abandon,
  abortCycle,
  arrive,
  createWords,
  fail,
  isBroken,
  isReleased,
  knowOwner,
  loadState,
  MAX_PARTIES,
  partiesOf,
  release,
  resetCycle,
  sleepAsync,
  sleepDeadline,
  sleepSync,
  timeOut,
  timeOutEntering,
  waitingIn,
} from './internal/barrier-cycle.js';
import { blockingRefused, canBlock } from './internal/browser-limits.js';
import { refuseThenable } from './internal/callbacks.js';
import { type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
import { type Abandonable, kAbandon } from './internal/protocol.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { deadlineFor, NO_WAIT } from './internal/wait.js';
import { describeValue, readOptions } from './options.js';
import { trackAbandonable } from './owner.js';
import { definePythonNames } from './python-names.js';
import type { Timeout } from './timeout.js';

export { type BarrierAction, setBarrierActionRunner } from './internal/barrier-action.js';

const BARRIER_KEYS = ['action', 'timeout'];

/** Options of `new Barrier()`. */
export interface BarrierOptions {
  /** Runs in the last party to arrive, before the others are released. Pass a `TaskRef` to share the barrier. */
  action?: BarrierAction | null | undefined;
  /**
   * The default timeout of `wait()`/`waitSync()`, in ms; `null` (Python's `None`) waits without
   * limit. Read as `wait()` reads its own: `NaN` or a string throws `ValidationError`.
   * @default Infinity
   */
  timeout?: number | null | undefined;
}

let adopting: { sab: SharedArrayBuffer } | undefined;

/**
 * A rendezvous for a fixed number of threads. Mirrors Python's `multiprocessing.Barrier`. Beyond
 * Python, a thread started by multiproc that dies while waiting, or fails (throws at top level, is
 * terminated or killed) after it waited here, breaks the barrier: the others get
 * `BrokenBarrierError` rather than wait forever for a party that can never come.
 *
 * While the last party runs the action, only the action decides the cycle, as in Python (whose
 * action runs under the barrier's lock): `reset()`, `abort()` and a party's expiring timeout wait
 * for it. An action that returns releases the cycle, every party passing; an action that throws
 * breaks it. See {@link Barrier.abort}, {@link Barrier.reset} and {@link Barrier.wait}.
 * @example
 * const bar = new Barrier(2, { action: () => console.log('all here') });
 * const [a, b] = await Promise.all([bar.wait(), bar.wait()]);
 * console.log(a + b); // 1: the arrival indexes are 0 and 1
 */
export class Barrier implements Abandonable {
  readonly #w: Int32Array;
  readonly #action: BarrierAction | undefined;
  readonly #timeout: number | null | undefined;

  /**
   * @param parties how many threads must call `wait()`; an integer in 1..65535.
   * @param options `action` and default `timeout`; `null` is read as no options.
   * @throws {ValidationError} for a bad `parties`, `action` or `timeout`, or an unknown option (`timout`).
   */
  constructor(parties: number, options: BarrierOptions | null = {}) {
    if (arguments.length > 2)
      throw tooManyArguments(
        'new Barrier()',
        arguments.length,
        'parties and optional options ({ action, timeout })',
        "Python's Barrier(parties, action, timeout) is new Barrier(parties, { action, timeout }) here",
      );
    knowOwner();
    const { action, timeout } = adopting
      ? (options ?? {})
      : readOptions(options, BARRIER_KEYS, 'new Barrier()');
    // A received action is whatever its decoder rebuilt: only check actions given by the user.
    if (!adopting && action !== undefined && typeof action !== 'function' && !isEncodable(action)) {
      throw new ValidationError('Barrier action must be a function or a task reference.');
    }
    // Read as wait() will read it, so a bad one (`NaN`, a string) fails here.
    if (timeout !== undefined) deadlineFor(timeout, 'new Barrier()');
    this.#action = action ?? undefined;
    this.#timeout = timeout;
    if (adopting) {
      this.#w = new Int32Array(adopting.sab);
    } else {
      if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
        throw new ValidationError(
          `Barrier parties must be an integer from 1 to 65535, got ${describeValue(parties)}.`,
        );
      }
      this.#w = createWords(parties);
    }
    trackAbandonable(this);
    refuseStructuredClone(this, 'a Barrier');
  }

  /** How many threads the barrier waits for. */
  get parties(): number {
    return partiesOf(this.#w);
  }
  /** How many threads are waiting in the current cycle. Python: `n_waiting`. */
  get nWaiting(): number {
    return waitingIn(this.#w);
  }
  /** Whether the barrier is broken (aborted, timed out, its action threw, or a party died) until `reset()`. */
  get broken(): boolean {
    return isBroken(this.#w);
  }

  /**
   * Its state, as Python's repr: `<Barrier(waiters=1/3)>` (waiting in this cycle, of `parties`),
   * or `<Barrier(broken)>`. Python: `repr(barrier)` (`<threading.Barrier at 0x…: waiters=1/3>`).
   * @throws Nothing.
   * @example
   * import { Barrier } from '@multiproc/shared';
   * const bar = new Barrier(3);
   * console.log(String(bar)); // <Barrier(waiters=0/3)>
   * bar.abort();
   * console.log(String(bar)); // <Barrier(broken)>
   */
  toString(): string {
    return this.broken ? '<Barrier(broken)>' : `<Barrier(waiters=${this.nWaiting}/${this.parties})>`;
  }

  /**
   * What `console.log(barrier)` shows: `Barrier { parties: 3, nWaiting: 0, broken: false }`.
   * Python: `repr(barrier)`, which {@link Barrier.toString} gives.
   * @throws Nothing.
   * @example
   * import { Barrier } from '@multiproc/shared';
   * console.log(new Barrier(3)); // Barrier { parties: 3, nWaiting: 0, broken: false }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const fields = { parties: this.parties, nWaiting: this.nWaiting, broken: this.broken };
    return showFields('Barrier', fields, options, inspect);
  }

  /**
   * Waits for all parties without blocking the event loop; awaits the action if it returns a Promise.
   * @param timeoutMs how long to wait, in ms (or `{ timeout }`); a timeout breaks the barrier, as in
   *   Python, except while the last party runs the action: this party then waits for the action and
   *   passes with the others. A party that must wait for an action to end before it can enter the
   *   next cycle gets its whole timeout once it enters (Python's timeout bounds only the wait in the
   *   cycle).
   * @default the barrier's `timeout` option
   * @returns this party's arrival index, 0..parties-1, distinct within a cycle.
   * @throws {BrokenBarrierError} when the barrier is or becomes broken while waiting.
   * @throws what the action throws (or its Promise rejects with), in the party that ran it; the
   *   barrier is then broken, as in Python.
   * @example
   * import { Barrier } from '@multiproc/shared';
   * const bar = new Barrier(2);
   * const indexes = await Promise.all([bar.wait(5000), bar.wait(5000)]);
   * console.log(indexes.sort()); // [ 0, 1 ]
   */
  async wait(timeoutMs?: Timeout): Promise<number> {
    if (arguments.length > 1) throw tooManyArguments('Barrier.wait()', arguments.length, TAKES_TIMEOUT);
    const w = this.#w;
    const timeout = timeoutMs ?? this.#timeout;
    let deadline = deadlineFor(timeout, 'Barrier.wait()');
    let a = arrive(w)!;
    if (typeof a === 'number') {
      while (typeof a === 'number') {
        const r = await sleepAsync(w, a, sleepDeadline(w, a, deadline));
        if (r === 'timed-out' || r === 'stuck') timeOutEntering(w, a, r);
        a = arrive(w)!;
      }
      // As in Python, the timeout bounds the wait in the cycle, not the wait to enter it.
      deadline = deadlineFor(timeout, 'Barrier.wait()');
    }
    if (a.index === this.parties - 1) {
      try {
        await runAction(this.#action);
      } catch (err) {
        fail(w, a);
        throw err;
      }
      return release(w, a);
    }
    for (;;) {
      const s = loadState(w);
      if (isReleased(w, s, a)) return a.index;
      const r = await sleepAsync(w, s, sleepDeadline(w, s, deadline));
      if (r === 'timed-out' || r === 'stuck') {
        const index = timeOut(w, a, r);
        if (index !== null) return index;
      }
    }
  }

  /**
   * Like {@link Barrier.wait}, blocking this thread. The action must be synchronous here: one that
   * returns a Promise (an async function, or an async task) breaks the barrier, and the
   * `waitSync()` that ran it throws `ValidationError` (use `await wait()` for such an action).
   * @param timeoutMs how long to wait, in ms (or `{ timeout }`); a timeout breaks the barrier, but
   *   not while the action runs (as {@link Barrier.wait}).
   * @default the barrier's `timeout` option
   * @returns this party's arrival index.
   * @throws {BrokenBarrierError} when the barrier is or becomes broken while waiting; at once, breaking
   *   it, for an unbounded wait on a barrier no other thread has (the other parties could never come).
   * @throws {ValidationError} in the party that ran the action, when the action returned a Promise
   *   (the other parties get `BrokenBarrierError`); an error the action throws comes out as it is.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  waitSync(timeoutMs?: Timeout): number {
    if (arguments.length > 1) throw tooManyArguments('Barrier.waitSync()', arguments.length, TAKES_TIMEOUT);
    const w = this.#w;
    let deadline = deadlineFor(timeoutMs ?? this.#timeout, 'Barrier.waitSync()');
    // Where this thread may not block (a page's main thread), only a party that never waits
    // arrives: the last one, or one with a timeout of 0; any other is refused before it counts.
    const onlyIfLast = deadline !== NO_WAIT && !canBlock();
    let a = arrive(w, onlyIfLast);
    if (typeof a === 'number') {
      while (typeof a === 'number') {
        const r = sleepSync(w, a, sleepDeadline(w, a, deadline));
        if (r === 'timed-out' || r === 'stuck') timeOutEntering(w, a, r);
        a = arrive(w, onlyIfLast);
      }
      deadline = deadlineFor(timeoutMs ?? this.#timeout, 'Barrier.waitSync()');
    }
    if (a === null) throw blockingRefused();
    if (a.index === this.parties - 1) {
      try {
        // A Promise cannot be awaited here: refused (and its rejection handled), as a throw is.
        refuseThenable(
          runAction(this.#action),
          'Barrier.waitSync(): the action returned a Promise, which a blocking wait cannot await; ' +
            'the barrier is now broken. Under waitSync() the action must be synchronous: use ' +
            'await barrier.wait() for an async action.',
        );
      } catch (err) {
        fail(w, a);
        throw err;
      }
      return release(w, a);
    }
    for (;;) {
      const s = loadState(w);
      if (isReleased(w, s, a)) return a.index;
      const r = sleepSync(w, s, sleepDeadline(w, s, deadline));
      if (r === 'timed-out' || r === 'stuck') {
        const index = timeOut(w, a, r);
        if (index !== null) return index;
      }
    }
  }

  /**
   * Breaks the barrier: current and later waiters get `BrokenBarrierError` until `reset()`.
   * Called while the last party runs the action, it waits for the action, as Python's (which runs
   * it under the barrier's lock): that cycle is released, every party passing, and the barrier is
   * broken from the next `wait()` on (`broken` reads `true` at once). A `reset()` made after it,
   * still during the action, wins (the barrier is then whole), and the other way round.
   * It never blocks: the waiting is done by the cycle, not by this call.
   * @throws Nothing.
   * @example
   * import { Barrier } from '@multiproc/shared';
   * const bar = new Barrier(2);
   * const waiting = bar.wait().catch((err) => err.name);
   * bar.abort();
   * console.log(await waiting, bar.broken); // BrokenBarrierError true
   */
  abort(): void {
    if (arguments.length > 0) throw tooManyArguments('Barrier.abort()', arguments.length, 'no argument');
    abortCycle(this.#w);
  }

  /**
   * Returns the barrier to its empty state; threads waiting in it get `BrokenBarrierError`, and a
   * thread that calls `wait()` while they are still leaving joins the next cycle (as in Python).
   * Called while the last party runs the action, it waits for the action, as Python's (which runs
   * it under the barrier's lock): that cycle is released as usual, every party passing, and the
   * barrier is then empty; if the action throws, the reset takes effect once that cycle breaks.
   * It never blocks: the waiting is done by the cycle, not by this call.
   * @example
   * import { Barrier } from '@multiproc/shared';
   * const bar = new Barrier(2);
   * const waiting = bar.wait().catch((err) => err.name);
   * bar.reset();
   * console.log(await waiting); // BrokenBarrierError
   */
  reset(): void {
    if (arguments.length > 0) throw tooManyArguments('Barrier.reset()', arguments.length, 'no argument');
    resetCycle(this.#w);
  }

  /** Called by `abandonOwner()`: a thread that ended waiting here, however it ended, breaks the cycle it was in. */
  [kAbandon](ownerId: number, failed: boolean): number {
    return abandon(this.#w, ownerId, failed);
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

registerCodec(
  'multiproc.Barrier',
  (data: { sab: SharedArrayBuffer; action?: BarrierAction; timeout?: number | null }) => {
    adopting = data;
    try {
      return new Barrier(0, { action: data.action, timeout: data.timeout });
    } finally {
      adopting = undefined;
    }
  },
);
