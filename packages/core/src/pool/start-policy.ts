/**
 * When a pool starts workers, and what it does when one cannot start (`WorkerStartError`:
 * `EAGAIN` under RLIMIT_NPROC, a child that aborts before it is ready, an entry that throws while
 * loading):
 *
 * - no worker left alive, or {@link START_FAILURES_PER_WORKER}` × processes` failed starts in a
 *   row with no worker ready: whatever waits for one fails with the error (tinypool's queue and
 *   the dispatcher's), and the pool starts no worker on its own; the next call tries again;
 * - some alive: the pool serves with those, and tinypool may start no new worker (its
 *   `maxThreads` is lowered to the live count) until a delay has passed that doubles with each
 *   refusal in a row (`startRetryDelay`); then it fills up again. Never a tight respawn loop, and
 *   never an endless one (workers that fail slower than the delay kept one alive at each failure).
 */
import type { Tinypool } from 'tinypool';
import type { StartFailure } from '../internal/start-failure.js';
import { diedStarting, isStartFailure, startError } from '../internal/start-failure.js';
import type { Flight } from './outcome.js';
import type { Slot, SlotState } from './slot.js';
import type { AdapterConfig } from './tinypool.js';
import { startRetryDelay } from './worker-start.js';

/** Failed starts in a row, per worker of the pool, after which it stops retrying while none is ready. */
export const START_FAILURES_PER_WORKER = 2;

/** An empty batch: posted to make tinypool start a worker. */
const IDLE = { seq: -1, init: null, messages: null, tasks: [], maxTasks: 0, jobs: [] };

/** What the policy reads from the adapter. */
export interface StartPolicyHooks {
  /** Adopts the workers tinypool started. */
  scan(): void;
  /** The pool's workers, exited ones excepted. */
  slots(): Iterable<Slot>;
  /** Flights handed to tinypool and not posted to a worker yet. */
  unbound(): Iterable<Flight>;
  /**
   * Whether the pool keeps workers: false once its initializer failed too often, unless calls
   * still wait in tinypool (tinypool's own queue then still holds the empty batches that start
   * workers, which would start one after another forever).
   */
  wantsWorkers(): boolean;
}

export class StartPolicy {
  readonly #tp: Tinypool;
  readonly #config: AdapterConfig;
  readonly #hooks: StartPolicyHooks;
  /** Refused starts in a row. */
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(tp: Tinypool, config: AdapterConfig, hooks: StartPolicyHooks) {
    this.#tp = tp;
    this.#config = config;
    this.#hooks = hooks;
  }

  /** A worker became ready. */
  started(): void {
    this.#failures = 0;
  }

  /** The pool is being destroyed: no more retries. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
  }

  /** Starts a worker when tinypool holds waiting work and fewer workers than it may have. */
  kick(): void {
    const tp = this.#tp;
    if (this.#stopped || tp.queueSize === 0 || tp.threads.length >= tp.options.maxThreads) return;
    if (!this.#hooks.wantsWorkers()) return;
    this.#startOne();
  }

  /** Starts workers up to `minProcesses` (at creation, and once a refusal's delay has passed). */
  fill(): void {
    const tp = this.#tp;
    const target = Math.min(this.#config.minProcesses, tp.options.maxThreads);
    while (!this.#stopped && tp.threads.length < target) {
      const before = tp.threads.length;
      if (!this.#startOne() || tp.threads.length === before) break;
    }
  }

  /** Makes tinypool start a worker (unless one is free); false when the system refused it at once. */
  #startOne(): boolean {
    try {
      this.#tp.run(IDLE).catch(() => {});
    } catch (error) {
      if (!isStartFailure(error)) throw error;
      this.failed(startError(this.#config.context, error));
      return false;
    }
    this.#hooks.scan();
    return true;
  }

  /**
   * `slot` died before it was ready. Its error is reported now, or (true) once a child's stderr,
   * the only place where it can say why, has been read: then the pool starts the next worker.
   */
  diedStarting(slot: Slot, exit: Extract<SlotState, { name: 'exited' }>): boolean {
    const failed = () =>
      this.failed(diedStarting(this.#config.context, exit.exitCode, exit.signal, slot.cause));
    if (slot.cause !== undefined || this.#config.context === 'thread') {
      failed();
      return false;
    }
    void slot.exited.then(() => {
      failed();
      this.#hooks.scan();
      this.kick();
    });
    return true;
  }

  /** A worker could not start; returns `error`. */
  failed(error: StartFailure): StartFailure {
    const tp = this.#tp;
    if (this.#stopped) return error;
    this.#failures++;
    clearTimeout(this.#retry);
    let live = 0;
    let ready = 0;
    for (const slot of this.#hooks.slots()) {
      const state = slot.state.name;
      if (state === 'idle' || state === 'busy') ready++;
      if (state !== 'stopping' && state !== 'exited') live++;
    }
    const givenUp = ready === 0 && this.#failures >= START_FAILURES_PER_WORKER * this.#config.processes;
    if (live === 0 || givenUp) {
      tp.options.maxThreads = this.#config.processes;
      for (const flight of this.#hooks.unbound()) flight.refused = error;
      tp.cancelPendingTasks();
      this.#config.onNoWorkers(error);
      return error;
    }
    tp.options.maxThreads = live;
    this.#retry = setTimeout(() => {
      tp.options.maxThreads = this.#config.processes;
      this.fill();
      this.kick();
    }, startRetryDelay(this.#failures));
    this.#retry.unref();
    return error;
  }
}
