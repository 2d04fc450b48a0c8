/**
 * When a pool starts workers, how many it may have, and what it does when one cannot start or
 * cannot initialise.
 *
 * **How many.** Live workers never exceed `processes`, as in Python's `_maintain_pool`, which
 * starts a replacement only once the worker it replaces has exited: a worker being stopped
 * (retired by `maxTasksPerChild`, aborted, idled out) or dying (a thread that threw) counts until
 * it has exited, or until {@link EXIT_WAIT_MS} have passed (a child stuck in its exit, one joining
 * its non-daemon Processes). tinypool drops such a worker at once and would start its replacement
 * at once: its `maxThreads`/`minThreads` are lowered by that many until then ({@link limit}).
 *
 * **A failed start** (`WorkerStartError`: `EAGAIN` under RLIMIT_NPROC, a child that aborts before
 * it is ready, an entry that throws while loading) or **a failed initializer** (it threw, or
 * killed its worker: the calls posted to that worker fail, `verdict.ts`):
 *
 * - the pool serves with the workers it has, and starts no new one until a delay has passed that
 *   doubles with each failure in a row (`startRetryDelay`, 100 ms to 5 s); then it fills up again.
 *   A failure in a row is one with no worker started (or, with an initializer, initialised)
 *   since the last: never a tight respawn loop, and healthy workers are never stopped for it;
 * - it gives up only when no live worker can serve: no worker left at all after a refused start,
 *   or {@link START_FAILURES_PER_WORKER}` × processes` failures in a row with no live worker
 *   ready (with an initializer: none whose initializer succeeded; and {@link PROVEN_INIT_FACTOR}
 *   times as many once an initializer has succeeded in this pool). Then what waits for a worker
 *   fails with the last error (tinypool's queue and the dispatcher's), the pool starts no worker
 *   on its own, and the count starts over: the next call starts workers again, never meeting a
 *   stale error.
 *
 * **A worker killed from outside as it started** (`killedFromOutside`: a SIGKILL or SIGTERM from
 * another program, the kernel's out-of-memory killer) was refused by nothing: such kills are counted
 * apart, not as failures. The next worker starts after a shorter delay (`outsideRetryDelay`, 50 ms
 * doubling to 1 s), even with no worker left, and the pool gives up as above only after
 * {@link OUTSIDE_KILLS_PER_WORKER}` × processes` such kills in a row with no live worker ready,
 * naming them in its error. A worker that becomes ready ends the row.
 */
import { MAX_TIMEOUT_MS } from '@multiproc/shared';
import type { Tinypool } from 'tinypool';
import type { StartFailure } from '../internal/start-failure.js';
import { diedStarting, isStartFailure, killedFromOutside, startError } from '../internal/start-failure.js';
import type { Flight } from './outcome.js';
import type { Slot, SlotState } from './slot.js';
import type { StartQueue } from './start-queue.js';
import { whileUnrefingWorkerPorts } from './starting-port.js';
import type { AdapterConfig } from './tinypool.js';
import { outsideRetryDelay, startRetryDelay } from './worker-start.js';

/** Failed starts or initializers in a row, per worker of the pool, after which it gives up while none is ready. */
export const START_FAILURES_PER_WORKER = 2;
/**
 * ...times this once an initializer has succeeded in the pool (since it last gave up): a flaky
 * initializer that can succeed is retried longer before calls that were never posted fail.
 */
export const PROVEN_INIT_FACTOR = 4;

/** Workers killed from outside as they started, in a row, per worker of the pool, after which it gives up while none is ready. */
export const OUTSIDE_KILLS_PER_WORKER = 10;

/**
 * How long a worker being stopped still counts against `processes` (ms): its polite end (1 s)
 * and tinypool's SIGTERM-then-SIGKILL (1 s) bound it, except for a worker joining its non-daemon
 * Processes, which may take any time.
 */
export const EXIT_WAIT_MS = 2000;

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
}

export class StartPolicy {
  readonly #tp: Tinypool;
  readonly #config: AdapterConfig;
  readonly #hooks: StartPolicyHooks;
  /** Failed starts and initializers in a row. */
  #failures = 0;
  /** Workers killed from outside as they started, in a row (not counted in {@link #failures}). */
  #outside = 0;
  /** An initializer succeeded since the pool started or last gave up. */
  #proven = false;
  #retry: NodeJS.Timeout | undefined;
  /** While the delay after a failure runs: the most workers the pool may have. */
  #held: number | undefined;
  /** How many idle workers tinypool keeps, before {@link limit} caps it. */
  #floor: number;
  /** Workers being stopped that took longer than EXIT_WAIT_MS: no longer counted. */
  readonly #overdue = new WeakSet<Slot>();
  /**
   * Set when the pool gave up ({@link #giveUp}): it starts no worker on its own (to fill its floor,
   * or to replace one that left) until a call is handed to it ({@link wake}).
   */
  #dormant = false;
  #stopped = false;
  /** Set by {@link close}. */
  #closed = false;
  readonly #startedWaiters: Array<() => void> = [];

  constructor(tp: Tinypool, config: AdapterConfig, hooks: StartPolicyHooks) {
    this.#tp = tp;
    this.#config = config;
    this.#hooks = hooks;
    this.#floor = config.minProcesses;
  }

  /** A worker became ready: with no initializer, that ends a run of failures. */
  started(): void {
    this.#outside = 0;
    if (!this.#config.init) this.#failures = 0;
    this.#checkStarted();
  }

  /**
   * Resolves once no worker is starting: each has become ready (and been given its start) or has
   * exited. A closed pool's `join()` waits for it, as Python's waits for a worker it started.
   */
  whenStarted(): Promise<void> {
    return new Promise((resolve) => {
      this.#startedWaiters.push(resolve);
      this.#checkStarted();
    });
  }

  #checkStarted(): void {
    for (const slot of this.#hooks.slots()) if (slot.state.name === 'starting') return;
    for (const resolve of this.#startedWaiters.splice(0)) resolve();
  }

  /** A worker's initializer succeeded. */
  initialized(): void {
    this.#failures = 0;
    this.#outside = 0;
    this.#proven = true;
  }

  /** Whether the pool gave up and no call came since: a worker started now gets no start of its own. */
  get dormant(): boolean {
    return this.#dormant;
  }

  /** A call is being handed to tinypool: the pool starts workers again after giving up. */
  wake(): void {
    this.#dormant = false;
  }

  /**
   * The pool is being destroyed: no more retries, and tinypool starts no worker either. Its own
   * 'error' handler refills to `minThreads`: a thread whose uncaught error arrived after
   * `destroy()` had removed it started that many new workers, which nothing stopped.
   */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.limit();
    for (const resolve of this.#startedWaiters.splice(0)) resolve(); // what starts now is stopped
  }

  /** tinypool keeps at least `count` idle workers from now on (`idleTimeout` Infinity). */
  keep(count: number): void {
    if (this.#closed) return;
    this.#floor = Math.max(this.#floor, count);
    this.limit();
  }

  /**
   * The pool is closed and has no work left: no worker is started to replace one that leaves, as
   * Python's `_handle_workers` stops repopulating then. The workers there stay until `join()`:
   * tinypool's floor is 0 now, so none idles out either.
   */
  close(): void {
    this.#closed = true;
    this.#floor = 0;
    this.#tp.options.idleTimeout = MAX_TIMEOUT_MS;
    this.limit();
  }

  /**
   * Sets tinypool's bounds: `processes` less the workers still leaving, and no more than are live
   * while a delay after a failure runs; none once the pool is being destroyed ({@link stop}).
   * Called on every change of a worker's state.
   */
  limit(): void {
    if (this.#stopped) {
      this.#tp.options.maxThreads = 0;
      this.#tp.options.minThreads = 0;
      return;
    }
    let leaving = 0;
    for (const slot of this.#hooks.slots()) if (this.#isLeaving(slot)) leaving++;
    const room = Math.max(0, this.#config.processes - leaving);
    const max = Math.min(room, this.#held ?? room);
    this.#tp.options.maxThreads = max;
    this.#tp.options.minThreads = Math.min(this.#floor, max);
  }

  #isLeaving(slot: Slot): boolean {
    const state = slot.state.name;
    return (state === 'stopping' || (slot.dying && state !== 'exited')) && !this.#overdue.has(slot);
  }

  /** `slot` is being stopped or is dying: it counts until it exits, or EXIT_WAIT_MS from now. */
  leaving(slot: Slot): void {
    this.limit();
    setTimeout(() => {
      if (slot.state.name === 'exited') return;
      this.#overdue.add(slot);
      this.refill();
    }, EXIT_WAIT_MS).unref();
  }

  /** A worker left for good (or was given up on): start what the pool is short of. */
  refill(): void {
    if (this.#stopped) return;
    this.limit();
    this.#hooks.scan();
    this.fill();
    this.kick();
    this.#checkStarted();
  }

  /** Adopts the workers tinypool started in its own handlers, and starts one if work waits. */
  adopt(): void {
    this.limit();
    this.#hooks.scan();
    this.kick();
    this.#checkStarted();
  }

  /** Starts a worker when tinypool holds waiting work and fewer workers than it may have. */
  kick(): void {
    const tp = this.#tp;
    if (this.#stopped || tp.queueSize === 0 || tp.threads.length >= tp.options.maxThreads) return;
    this.#startOne();
  }

  /** Starts workers up to the floor (at creation, when one left, once a failure's delay has passed). */
  fill(): void {
    const tp = this.#tp;
    if (this.#dormant) return;
    const target = Math.min(this.#floor, tp.options.maxThreads);
    // Each empty batch starts a worker, even with one free (`StartQueue.startWorker`). tinypool's own
    // `_ensureMinimumWorkers`, which would not need this, is private; it runs only when a worker
    // errors, before the one leaving has exited.
    for (let tries = 2 * target; !this.#stopped && tp.threads.length < target && tries > 0; tries--) {
      if (!this.#startOne()) break;
    }
  }

  /** Makes tinypool start a worker (`StartQueue.startWorker`); false when the system refused it at once. */
  #startOne(): boolean {
    try {
      const queue = this.#tp.options.taskQueue as StartQueue;
      whileUnrefingWorkerPorts(
        () => queue.startWorker(() => this.#tp.run(IDLE)),
        () => this.#tp.threads,
        true,
      ).catch(() => {});
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
    // Killed from outside while starting (not refused): retried after a delay even with no worker
    // left, until such kills in a row reach their own bound.
    const outside = killedFromOutside(exit.signal);
    const failed = () => {
      const kills = outside ? this.#outside + 1 : 1;
      this.failed(diedStarting(this.#config.context, exit.exitCode, exit.signal, slot.cause, kills), outside);
    };
    if (slot.cause !== undefined || this.#config.context === 'thread') {
      failed();
      return false;
    }
    void slot.exited.then(() => {
      failed();
      this.refill();
    });
    return true;
  }

  /**
   * A worker could not start; returns `error`. With no worker left, the pool gives up at once unless
   * `outside` (a worker killed from outside while it started: nothing refused it), which counts
   * apart from failures, against {@link OUTSIDE_KILLS_PER_WORKER}.
   */
  failed(error: StartFailure, outside = false): StartFailure {
    if (this.#stopped) return error;
    const { live, ready } = this.#count((slot) => !this.#config.init || slot.initialized);
    if (outside) {
      this.#outside++;
      const exhausted = ready === 0 && this.#outside >= OUTSIDE_KILLS_PER_WORKER * this.#config.processes;
      if (exhausted) this.#giveUp(() => error);
      else this.#backOff(live, outsideRetryDelay(this.#outside));
      return error;
    }
    this.#failures++;
    if (live === 0 || this.#exhausted(ready)) this.#giveUp(() => error);
    else this.#backOff(live);
    return error;
  }

  /**
   * A worker's initializer failed (the calls posted to it have failed with `error()`; it is
   * leaving). Healthy workers go on serving; while none is, a run of such failures gives up.
   */
  initFailed(error: () => unknown): void {
    if (this.#stopped) return;
    this.#failures++;
    const { live, ready } = this.#count((slot) => slot.initialized);
    if (this.#exhausted(ready)) this.#giveUp(error);
    else this.#backOff(live);
  }

  #exhausted(ready: number): boolean {
    const perWorker = START_FAILURES_PER_WORKER * (this.#proven ? PROVEN_INIT_FACTOR : 1);
    return ready === 0 && this.#failures >= perWorker * this.#config.processes;
  }

  /** Live workers (not leaving) and, of those, the ones that can serve. */
  #count(serves: (slot: Slot) => boolean): { live: number; ready: number } {
    let live = 0;
    let ready = 0;
    for (const slot of this.#hooks.slots()) {
      const state = slot.state.name;
      if (state === 'stopping' || state === 'exited' || slot.dying) continue;
      live++;
      if (state !== 'starting' && serves(slot)) ready++;
    }
    return { live, ready };
  }

  /** What waits for a worker fails; nothing starts until a call comes, and the count starts over. */
  #giveUp(error: () => unknown): void {
    clearTimeout(this.#retry);
    this.#held = undefined;
    this.#failures = 0;
    this.#outside = 0;
    this.#proven = false;
    this.#dormant = true;
    this.limit();
    for (const flight of this.#hooks.unbound()) flight.refused = error();
    this.#tp.cancelPendingTasks();
    this.#config.onNoWorkers(error);
  }

  /** No new worker until the delay has passed. */
  #backOff(live: number, delay = startRetryDelay(this.#failures)): void {
    clearTimeout(this.#retry);
    this.#held = live;
    this.limit();
    this.#retry = setTimeout(() => {
      this.#held = undefined;
      this.refill();
    }, delay);
    this.#retry.unref();
  }
}
