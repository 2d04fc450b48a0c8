/**
 * The one file that knows tinypool, loaded with it at a pool's first async step by `adapter-start.ts` (only
 * the host needs them). It starts the tinypool behind a Pool, keeps a `Slot` per worker, turns each batch
 * into a typed `Outcome`, and patches around these gaps of tinypool 2.2 (each belongs upstream):
 *
 * - No way to learn which worker a task was posted to. Each worker's `setChannel()` (which tinypool calls
 *   right before posting a task that has a `channel`) is wrapped: the channel we pass carries the flight,
 *   so the slot binds it, and may add to the batch, before it is sent.
 * - The worker_threads runtime ignores a thread's 'exit': a task whose worker calls `process.exit()` would
 *   never settle. An unplanned exit is re-emitted as an 'error' (tinypool then rejects that worker's task
 *   and replaces it). Its child_process runtime reports no exit code or signal: they are read from the
 *   slot, never matched by time or message text.
 * - A child's output is unpiped as it exits, losing what its pipes hold: the adapter forwards it.
 * - No way to stop one worker: the pool emits an 'error' on it (`evict`), which tinypool handles like a
 *   crash. A worker that dies before it is ready turns tinypool's replacement off for good
 *   (`workerFailsDuringBootstrap`); `kick()` starts one anyway when work is waiting.
 *
 * Its parts that reach into tinypool's objects live beside it: `terminate-hook.ts` (each worker's
 * `terminate()`), `watch-worker.ts` (exits, errors), `start-queue.ts` (its queue: a worker's start goes to
 * that worker), and `failed-outcome.ts` (what became of a batch whose `run()` rejected); stopping a
 * batch wherever it is, which needs no tinypool, is `flight-control.ts`.
 */
import { Tinypool } from 'tinypool';
import type { BatchReply, CallerMessage } from '../internal/batch.js';
import { isStartFailure, startError } from '../internal/start-failure.js';
import type { ContextName } from '../options.js';
import { ChildBatches } from './child-batches.js';
import { announce, type PoolWatcher } from './events.js';
import { failedOutcome } from './failed-outcome.js';
import { abortFlight, cancelFlight, isFlightRunning, takeBackJobs } from './flight-control.js';
import type { PoolInit } from './init.js';
import { whileHeld } from './keep-alive.js';
import type { PoolResourceLimits } from './options.js';
import { divertFromRetired, type Flight, HANDED_BACK, NOTHING_RAN, type Outcome } from './outcome.js';
import { isProgressMessage, ProcessLink, ThreadLink } from './progress.js';
import { SideLanes } from './side-lane.js';
import { LAST_MESSAGES_MS, Slot, type SlotState, type StopReason, settleWithin } from './slot.js';
import { StartPolicy } from './start-policy.js';
import { postFlight, type StartQueue } from './start-queue.js';
import { ForceSignal } from './stop-child.js';
import { endedNormally, hookTerminate } from './terminate-hook.js';
import { unpostedOutcome } from './unposted.js';
import { StopSignal, type TinypoolWorker, watchChild, watchThread } from './watch-worker.js';
import { guardWorkerStarts, tinypoolOptions, workerPort } from './worker-start.js';

/** How long `terminate()` waits for a thread to stop (ms): one blocked in native code may never. */
const STUCK_THREAD_MS = 2000;

export interface AdapterConfig extends PoolWatcher {
  readonly context: ContextName;
  readonly processes: number;
  readonly minProcesses: number;
  readonly idleTimeout: number;
  readonly resourceLimits: PoolResourceLimits | undefined;
  /** The pool's initializer: its arguments go to each worker in the first batch posted to it. */
  readonly init: PoolInit | null;
  /** `sendToCaller()` messages from child processes. */
  onCallerMessage(message: CallerMessage): void;
  /** No worker can serve (none could start, or initialise): what waits for a worker fails with `error()`. */
  onNoWorkers(error: () => unknown): void;
  /** `flight` was posted to a worker (not handed back): it runs now, and no longer counts as queued. */
  onBatchStart(flight: Flight): void;
}

export class TinypoolAdapter {
  readonly #tp: Tinypool;
  readonly #config: AdapterConfig;
  readonly #seen = new WeakSet<object>();
  readonly #slotFor = new WeakMap<object, Slot>();
  readonly #slots = new Set<Slot>();
  /** Workers on their way out that tinypool will replace, oldest first (for the debug lines). */
  readonly #replacing: Slot[] = [];
  readonly #leaving = new WeakSet<Slot>();
  /** Flights whose worker was stopped to abort them. */
  readonly #aborted = new WeakSet<Flight>();
  #nextId = 0;
  #destroying = false;
  /** Set by `destroy(true)` (a closed pool's `join()`): children are asked to exit, not signalled. */
  #graceful = false;
  /** Fired by `destroy(false)` (`terminate()`): a polite stop still waited for ends at once. */
  readonly #forced = new ForceSignal();
  /** Flights handed to tinypool and not yet posted to a worker. */
  readonly #unbound = new Set<Flight>();
  readonly #starts: StartPolicy;
  readonly #queue: StartQueue;
  readonly #lanes: SideLanes;
  /** A process pool's batches and answers, which go on each child's channel (`child-batches.ts`). */
  readonly #channel: ChildBatches | undefined;
  /** What the dispatcher is told of every batch (one function for all). */
  #done: ((flight: Flight, outcome: Outcome) => void) | undefined;

  /** Starts tinypool on the pool worker entry `entry` (checked by `adapter-start.ts`). */
  static create(config: AdapterConfig, entry: URL): TinypoolAdapter {
    const tp = new Tinypool(tinypoolOptions(config, entry));
    // A worker that dies while idle is reported as a pool 'error' event; the slot has seen it.
    tp.on('error', () => {});
    return new TinypoolAdapter(tp, config);
  }

  private constructor(tp: Tinypool, config: AdapterConfig) {
    this.#tp = tp;
    this.#queue = tp.options.taskQueue as StartQueue;
    this.#config = config;
    this.#starts = new StartPolicy(tp, config, {
      scan: () => this.#scan(),
      slots: () => this.#slots,
      unbound: () => this.#unbound,
    });
    // Kept by tinypool after a crash (`_ensureMinimumWorkers`) and for its idle timeout.
    this.#starts.limit();
    this.#channel = config.context === 'process' ? new ChildBatches() : undefined;
    this.#lanes = new SideLanes(
      () => this.#slots,
      config.context === 'thread' && config.minProcesses >= config.processes,
    );
  }

  /**
   * Starts the pool's workers once what was submitted before it was ready is handed over: `start(n)`
   * posts `n` starts (`start-queue.ts`), one per worker kept (`minProcesses`) now, then one in the
   * ready turn of each worker finding none (not once the pool gave up: no respawn loop). The kept
   * ones no batch started start last (issue #18). Once `idle` resolves (closed, no work left), no
   * worker is started to replace one. Returns `StartPolicy.whenStarted`.
   */
  startWorkers(start: (count: number) => void, idle: Promise<void>): () => Promise<void> {
    this.#queue.onReady = () => this.#starts.dormant || start(1);
    start(Math.min(this.#config.minProcesses, this.#tp.options.maxThreads));
    this.#starts.fill();
    void idle.then(() => this.#starts.close());
    return () => this.#starts.whenStarted();
  }

  /** Whether a batch handed over now is posted to a worker at once (not queued, not sent back). */
  get postsAtOnce(): boolean {
    return this.#queue.size === 0 && this.#lanes.postsAtOnce();
  }

  /** Workers alive now; `starting`: of those, the ones not yet ready for a task. */
  get workers(): { alive: number; starting: number } {
    const alive = [...this.#slots].filter((slot) => slot.state.name !== 'exited');
    return { alive: alive.length, starting: alive.filter((slot) => slot.state.name === 'starting').length };
  }

  /**
   * Runs one batch on some worker and tells `done` what became of it. The flight itself is the
   * channel tinypool hands to `setChannel()` (see `#adopt`), and `done` is one function for all
   * batches: a map chunk is a batch, and what it holds lives until its results are read (issue 18).
   */
  run(flight: Flight, done: (flight: Flight, outcome: Outcome) => void): void {
    this.#done = done;
    if (this.#lanes.run(flight, done)) return;
    // A diverted flight was handed back as it was posted: its own end only frees its worker.
    const failed = (error: unknown) => {
      this.#unbound.delete(flight);
      void failedOutcome(flight, error, this.#destroying, this.#aborted).then((outcome) => {
        // A child answers on its channel ahead of tinypool, which drops its answer once it saw the
        // child exit: one that answered, then died (a timer's process.exit()), had finished the batch
        // (`failedOutcome` waited for its channel). Taken in any case, or a map chunk's results stay.
        const answer = this.#channel?.take(flight);
        if (answer && outcome.kind === 'crashed')
          outcome = { kind: 'reply', reply: answer, jobs: outcome.jobs };
        if (!flight.diverted) done(flight, unpostedOutcome(flight) ?? outcome);
        // A batch not even posted empty (`unposted.ts`): its worker would idle, calls queued. Replaced.
        const slot = flight.slot;
        if (outcome.kind === 'unsent' && slot?.state.name === 'idle' && this.#queue.size)
          this.evict(slot, 'retired');
      });
    };
    let run: Promise<BatchReply>;
    if (!flight.start) this.#starts.wake(); // a call, not a worker's start: it may wake a pool that gave up
    try {
      // A child gets the batch on its channel as it is posted, and its task at once (`child-batches.ts`).
      const post = (task: unknown) => postFlight(this.#tp, task, flight, this.#config.minProcesses);
      run = this.#channel ? this.#channel.relayed(flight, post) : post(flight.batch);
    } catch (error) {
      // tinypool creates workers inside run(): before `guardWorkerStarts` a refused one throws here.
      if (isStartFailure(error))
        flight.refused = this.#starts.failed(startError(this.#config.context, error));
      failed(error);
      return;
    }
    this.#unbound.add(flight);
    this.#scan();
    run.then((reply) => {
      this.#unbound.delete(flight);
      const outcome = this.#replied(flight, reply);
      if (!flight.diverted) done(flight, unpostedOutcome(flight) ?? outcome);
    }, failed);
  }

  #replied(flight: Flight, reply: BatchReply): Outcome {
    const slot = flight.slot;
    const jobs = slot?.progressOf(flight)?.collect() ?? NOTHING_RAN;
    if (slot) {
      slot.tasks += jobs.claimed;
      slot.answered(flight);
      if (reply.initError) slot.failed = true;
      if (reply.initialized) {
        slot.initialized = true;
        this.#starts.initialized();
      }
      slot.children = reply.children === true;
      this.#lanes.answered(slot);
      if (reply.retire) this.evict(slot, 'retired');
    }
    return { kind: 'reply', reply, jobs };
  }

  /** Reads the side lanes' answers now (`SideLanes.poll`). */
  readonly poll = (): void => this.#lanes.poll();

  /** Whether a job may be handed over while every worker has a batch (`SideLanes.mayQueue`). */
  mayQueue(job: { readonly group?: object; readonly items?: number }): boolean {
    return this.#lanes.mayQueue(job.group, job.items);
  }

  /** Whether `flight` waits in tinypool's queue: posted, and no worker has got it yet. */
  isQueued(flight: Flight): boolean {
    return this.#unbound.has(flight) && !flight.slot && !flight.diverted;
  }

  /** Takes back up to `count` jobs of `flight` its worker has not started (`takeBackJobs`). */
  readonly takeBack = takeBackJobs;
  /** Runs nothing more of `flight` (`cancelFlight`): true when it went empty, never posted. */
  readonly cancel = cancelFlight;
  /** Whether a worker runs `flight` now (`isFlightRunning`). */
  readonly isRunning = isFlightRunning;

  /** Aborts `flight`'s call (`abortFlight`): a job started stops with its worker, evicted here. */
  abort(flight: Flight): boolean {
    return abortFlight(flight, (slot) => this.evict(slot, 'aborted', flight));
  }

  /** Stops a worker; tinypool replaces it. `aborted`: the flight it is stopped to abort. */
  evict(slot: Slot, reason: StopReason, aborted?: Flight): void {
    if (aborted) this.#aborted.add(aborted);
    if (!slot.stop(reason)) return;
    this.#workerOf(slot)?.emit('error', new StopSignal(reason));
    this.#scan(); // tinypool started the replacement in its 'error' handler
  }

  /** A worker's initializer failed (`StartPolicy.initFailed`); the calls posted to it failed with `error()`. */
  initFailed(error: () => unknown): void {
    if (!this.#destroying) this.#starts.initFailed(error);
  }

  /**
   * Stops every worker; flights still running end as `terminated`. `graceful` (a closed pool's
   * `join()`) asks children to exit before it signals them (`stop-child.ts`). True: a thread did
   * not stop within {@link STUCK_THREAD_MS} (`terminate()` only).
   */
  async destroy(graceful = false): Promise<boolean> {
    // terminate() during a closed pool's join(): the workers it still waits for stop at once.
    if (!graceful) this.#forced.fire();
    this.#graceful = graceful && !this.#destroying;
    this.#destroying = true;
    this.#starts.stop();
    this.#queue.release();
    const exits = [...this.#slots].map((slot) => slot.exited);
    // join() and terminate() wait for the exits and last output, nothing else holding the loop (a child's
    // pipes are unref'd). A thread in native code stops once that call returns, if ever: not waited for.
    const stopped = this.#tp.destroy();
    const exited = Promise.all(exits).then(() => {});
    const stuckable = !graceful && this.#config.context === 'thread';
    const bounded = stuckable ? settleWithin(stopped, STUCK_THREAD_MS) : stopped;
    await whileHeld(bounded.then(() => settleWithin(exited, LAST_MESSAGES_MS)));
    // The initializer's queues and pipes: each worker's copy goes back as it exits, then the pool's.
    this.#config.init?.release();
    return bounded !== stopped && [...this.#slots].some((slot) => slot.state.name !== 'exited');
  }

  #workerOf(slot: Slot): TinypoolWorker | undefined {
    return (this.#tp.threads as unknown as TinypoolWorker[]).find((w) => this.#slotFor.get(w) === slot);
  }

  /** Adopts the workers tinypool started since the last scan (a handful: cheap). */
  #scan(): void {
    for (const worker of this.#tp.threads as unknown as TinypoolWorker[]) {
      if (this.#seen.has(worker)) continue;
      this.#seen.add(worker);
      this.#adopt(worker);
    }
  }

  #adopt(worker: TinypoolWorker): void {
    guardWorkerStarts(worker, this.#tp.options.env, this.#tp.threads.length);
    // Workers that never idle out (`idleTimeout` Infinity; no timer says never): tinypool stops an
    // idle worker only while it has more than `minThreads`, so that floor follows every worker started.
    if (this.#config.idleTimeout === Number.POSITIVE_INFINITY) this.#starts.keep(this.#tp.threads.length);
    const child = worker.process;
    const thread = worker.thread;
    const slot: Slot = new Slot({
      id: ++this.#nextId,
      pid: child ? (child.pid ?? 0) : process.pid,
      threadId: thread?.threadId,
      // A failed send (the child is dying) goes to the callback: an 'error' reads to tinypool as its death.
      link: child
        ? new ProcessLink((message) => child.connected && child.send(message, () => {}))
        : new ThreadLink(),
      observe: (s, from, to) => this.#observe(s, from, to),
      port: () => workerPort(worker),
    });
    this.#slots.add(slot);
    this.#slotFor.set(worker, slot);
    this.#queue.watch(worker);
    const setChannel = worker.setChannel?.bind(worker);
    const processChannel = child && {
      postMessage: (message: unknown) => this.#fromChild(slot, message),
    };
    worker.setChannel = (channel: unknown) => {
      // tinypool passes what `run()` gave it: the flight itself.
      const flight = channel as Flight | undefined;
      if (flight) {
        this.#unbound.delete(flight);
        const served = flight.batch.maxTasks > 0 ? slot.served() : 0;
        flight.slot = slot;
        slot.bind(flight, this.#config.init);
        // Handed back once tinypool has counted it on this worker (see `SideLanes.divert`).
        if (this.#lanes.divert(slot, flight) || divertFromRetired(flight, served))
          queueMicrotask(() => this.#done?.(flight, HANDED_BACK));
        else this.#config.onBatchStart(flight);
      }
      if (processChannel) setChannel?.(processChannel);
      if (child && flight && this.#channel?.post(child, flight, worker)) slot.initUnsent(flight);
    };
    hookTerminate(worker, slot, () => ({
      destroying: this.#destroying,
      graceful: this.#graceful,
      forced: this.#forced,
      poolId: this.#config.poolId,
    }));
    if (child) watchChild(slot, child);
    else if (thread)
      watchThread(slot, worker, thread, {
        endedNormally: () => endedNormally(slot),
        left: () => {
          this.#leave(slot);
          if (!this.#destroying) this.#starts.leaving(slot);
          queueMicrotask(() => this.#scan());
        },
      });
    announce(this.#config, slot, slot.state, this.#replacing.shift());
  }

  #fromChild(slot: Slot, message: unknown): void {
    if (isProgressMessage(message)) (slot.link as ProcessLink).receive(message);
    else if (!this.#channel?.receive(message)) this.#config.onCallerMessage(message as CallerMessage);
  }

  #observe(slot: Slot, from: SlotState, to: SlotState): void {
    announce(this.#config, slot, to);
    if (from.name === 'starting' && to.name !== 'stopping' && to.name !== 'exited') this.#starts.started();
    if (to.name === 'stopping' && to.reason !== 'idle') this.#leave(slot);
    // A worker on its way out still counts against `processes` until it has exited.
    if (to.name === 'stopping' && !this.#destroying) this.#starts.leaving(slot);
    if (to.name !== 'exited') return;
    this.#slots.delete(slot);
    if (this.#destroying) return;
    if (to.reason === 'crashed' && from.name === 'starting') {
      if (this.#starts.diedStarting(slot, to)) return;
    } else if (to.reason === 'crashed') this.#leave(slot);
    // A worker the bounds held a place for (stopped by the pool, or dying once ready): tinypool did not
    // replace it, so the pool does. Else tinypool did in its own handler (or, for one that died
    // loading, will not): it is adopted, and one starts if work waits.
    const held = from.name === 'stopping' || (slot.dying && from.name !== 'starting');
    queueMicrotask(() => (held ? this.#starts.refill() : this.#starts.adopt()));
  }

  /** Notes a worker tinypool is about to replace (once), for the replacement's debug line. */
  #leave(slot: Slot): void {
    if (this.#destroying || this.#leaving.has(slot)) return;
    this.#leaving.add(slot);
    this.#replacing.push(slot);
  }
}
