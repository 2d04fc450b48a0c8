/**
 * `Semaphore` and `BoundedSemaphore` on shared memory.
 *
 * Words (Int32): [0] VALUE permits left | [1] WAITERS sleeping acquirers | [2] MAX bound | [3] BOUNDED 0/1
 *
 * Fairness: a released permit may be taken by whichever thread gets there first (barging), and
 * sleepers are woken in the futex's FIFO order, one per permit. Unlike `Lock` there is no
 * starvation hand-off, so a waiter is not starved while its timeout allows, but no bound is
 * promised under unbounded contention.
 */
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { LockError, ValidationError } from './errors.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { deadlineFor, now, waitAsync, waitSync } from './internal/wait.js';
import { runLocked } from './internal/with-lock.js';
import type { AcquireOptions } from './lock.js';

const VALUE = 0;
const WAITERS = 1;
const MAX = 2;
const BOUNDED = 3;
const SPIN = 32;
let adopting: SharedArrayBuffer | undefined;

function tryDecrement(w: Int32Array): boolean {
  for (let v = Atomics.load(w, VALUE); v > 0; v = Atomics.load(w, VALUE)) {
    if (Atomics.compareExchange(w, VALUE, v, v - 1) === v) return true;
  }
  return false;
}

// A waiter that gives up after being woken passes the wake-up on, so no permit strands sleepers.
function passWakeup(w: Int32Array): false {
  if (Atomics.load(w, VALUE) > 0 && Atomics.load(w, WAITERS) > 1) Atomics.notify(w, VALUE, 1);
  return false;
}

/**
 * A counter of permits shared between threads. Mirrors Python's `multiprocessing.Semaphore`:
 * `acquire` takes a permit (waiting while there is none), `release` gives one back.
 * @example
 * const sem = new Semaphore(2);
 * await sem.withLock(async () => {
 *   // at most two threads run this at once
 * });
 */
export class Semaphore {
  readonly #w: Int32Array;
  readonly #kind: string = this.constructor.name;

  /**
   * @param value the initial number of permits.
   * @default 1
   * @throws {ValidationError} when `value` is not an integer in 0..2**31-1.
   */
  constructor(value = 1) {
    if (adopting) {
      this.#w = new Int32Array(adopting);
      return;
    }
    if (!Number.isInteger(value) || value < 0 || value > 0x7fff_ffff) {
      throw new ValidationError(
        `Semaphore value must be an integer from 0 to 2**31-1, got ${String(value)}.`,
      );
    }
    this.#w = new Int32Array(new SharedArrayBuffer(16));
    this.#w[VALUE] = value;
    if (new.target === BoundedSemaphore) {
      this.#w[MAX] = value;
      this.#w[BOUNDED] = 1;
    }
  }

  /**
   * Takes a permit, waiting without blocking the event loop.
   * @param options `timeout` in ms.
   * @returns `true` once taken, `false` on timeout.
   * @example
   * if (await sem.acquire({ timeout: 10 })) sem.release();
   */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const w = this.#w;
    const deadline = deadlineFor(options, `${this.#kind}.acquire()`, true);
    if (tryDecrement(w)) return true;
    Atomics.add(w, WAITERS, 1);
    try {
      for (;;) {
        if (tryDecrement(w)) return true;
        if (now() >= deadline) return passWakeup(w);
        await waitAsync(w, VALUE, 0, deadline);
      }
    } finally {
      Atomics.sub(w, WAITERS, 1);
    }
  }

  /**
   * Takes a permit, blocking this thread while there is none.
   * @param options `timeout` in ms.
   * @returns `true` once taken, `false` on timeout.
   * @example
   * sem.acquireSync(); sem.release();
   */
  acquireSync(options?: AcquireOptions): boolean {
    const w = this.#w;
    const deadline = deadlineFor(options, `${this.#kind}.acquireSync()`, true);
    for (let i = 0; i < SPIN; i++) if (tryDecrement(w)) return true;
    Atomics.add(w, WAITERS, 1);
    try {
      for (;;) {
        if (tryDecrement(w)) return true;
        if (now() >= deadline) return passWakeup(w);
        waitSync(w, VALUE, 0, deadline);
      }
    } finally {
      Atomics.sub(w, WAITERS, 1);
    }
  }

  /** Takes a permit if one is free now. Python: `acquire(block=False)`. */
  tryAcquire(): boolean {
    return tryDecrement(this.#w);
  }

  /**
   * Gives back `n` permits and wakes as many waiters.
   * @param n how many permits.
   * @default 1
   * @throws {LockError} from a `BoundedSemaphore` when that would exceed its initial value.
   * @throws {ValidationError} when `n` is not a positive integer.
   * @example
   * sem.release();
   */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1)
      throw new ValidationError(`release(n) needs a positive integer, got ${n}.`);
    const w = this.#w;
    const max = Atomics.load(w, MAX);
    if (Atomics.load(w, BOUNDED) === 0) Atomics.add(w, VALUE, n);
    else {
      for (;;) {
        const v = Atomics.load(w, VALUE);
        if (v + n > max) {
          throw new LockError(`BoundedSemaphore released too many times: its value would exceed ${max}.`);
        }
        if (Atomics.compareExchange(w, VALUE, v, v + n) === v) break;
      }
    }
    if (Atomics.load(w, WAITERS) !== 0) Atomics.notify(w, VALUE, n);
  }

  /** Permits left now. Python: `get_value()`. */
  getValue(): number {
    return Atomics.load(this.#w, VALUE);
  }

  /** Whether no permit is free now (an acquire would wait). */
  locked(): boolean {
    return Atomics.load(this.#w, VALUE) <= 0;
  }

  /**
   * Runs `fn` holding one permit, giving it back afterwards even if `fn` throws.
   * @throws {TimeoutError} when no permit was free within `options.timeout` ms.
   * @example
   * await sem.withLock(() => fetchSomething());
   */
  withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    return runLocked(this, fn, options, 'A permit');
  }

  /** Sends the semaphore to a worker thread; it keeps working there on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    const bounded = Atomics.load(this.#w, BOUNDED) === 1;
    assertThreadTarget(ctx, bounded ? 'BoundedSemaphore' : 'Semaphore');
    return { type: bounded ? 'multiproc.BoundedSemaphore' : 'multiproc.Semaphore', data: this.#w.buffer };
  }
}

/**
 * A `Semaphore` that may not be released above its initial value. Mirrors Python's
 * `multiprocessing.BoundedSemaphore`.
 * @throws {LockError} from `release()` past the initial value.
 * @example
 * const b = new BoundedSemaphore(1);
 * b.acquireSync();
 * b.release();
 * // b.release(); // would throw LockError
 */
export class BoundedSemaphore extends Semaphore {}

function adopt<T>(make: () => T, sab: SharedArrayBuffer): T {
  adopting = sab;
  try {
    return make();
  } finally {
    adopting = undefined;
  }
}

registerCodec('multiproc.Semaphore', (sab: SharedArrayBuffer) => adopt(() => new Semaphore(), sab));
registerCodec('multiproc.BoundedSemaphore', (sab: SharedArrayBuffer) =>
  adopt(() => new BoundedSemaphore(), sab),
);
