/**
 * One worker of a pool, as the host tracks it: its lifecycle as an explicit state, the link its
 * batches' progress travels on, and how it ended.
 *
 *   starting ──▶ idle ◀──▶ busy ──┐        busy ──▶ busy: tinypool handed the next batch over
 *      │          │         │     │                       while the last answer was on its way
 *      └──────────┴─────────┴──▶ stopping ──▶ exited     any ──▶ exited: the worker died on its own
 *
 * `stopping` is entered only when the pool chose to stop the worker (retired, aborted, idle,
 * terminated); an exit from any other state is a crash.
 */
import { clockMs } from '../internal/clock.js';
import type { PoolWorkerInfo, WorkerExitReason } from './events.js';
import type { PoolInit } from './init.js';
import { warnLoadAbandoned } from './load-abandoned.js';
import type { Flight } from './outcome.js';
import type { Progress, SlotLink } from './progress.js';
import { startedJobsEnded } from './undelivered.js';
import { postedEmpty } from './unposted.js';

/** Why the pool stops a worker. */
export type StopReason = Exclude<WorkerExitReason, 'crashed'>;

export type SlotState =
  | { readonly name: 'starting' }
  | { readonly name: 'idle' }
  | { readonly name: 'busy'; readonly flight: Flight }
  | { readonly name: 'stopping'; readonly reason: StopReason }
  | {
      readonly name: 'exited';
      readonly reason: WorkerExitReason;
      readonly exitCode: number | null;
      readonly signal: string | null;
    };

type StateName = SlotState['name'];
const NEXT: Record<StateName, readonly StateName[]> = {
  starting: ['idle', 'busy', 'stopping', 'exited'],
  idle: ['busy', 'stopping', 'exited'],
  busy: ['idle', 'busy', 'stopping', 'exited'],
  stopping: ['exited'],
  exited: [],
};

const IDLE: SlotState = { name: 'idle' };

/** How long a crashed worker's last messages may take to arrive after its exit. */
export const LAST_MESSAGES_MS = 1000;
/**
 * How long a worker may take to answer a batch aborted before it started it (ms): one that has not
 * by then has its event loop held (by what a task left behind, a long initializer), and is stopped
 * as a running task's would be, so the calls waiting for it go to its replacement.
 */
export const UNANSWERED_ABORT_MS = 2000;
/**
 * How long after the abort a worker that still imports the batch's task modules (their top level
 * runs) is waited for at most (ms): a slow import ends, and the worker, kept, runs the next calls
 * without importing them again; a top-level await that never settles while something keeps the
 * worker alive (an interval) would hold it for ever, so it is stopped once this passed. Kept short:
 * calls of other modules queued behind it wait that long too.
 */
export const LOADING_ABORT_MS = 10_000;

export type SlotObserver = (slot: Slot, from: SlotState, to: SlotState) => void;
type Port = { unref(): void; postMessage?: (message: unknown, transfer?: readonly unknown[]) => void };
type SlotPort = { readonly port?: () => Port | undefined };

export class Slot implements PoolWorkerInfo {
  readonly id: number;
  readonly pid: number;
  readonly threadId: number | undefined;
  readonly link: SlotLink;
  /** The worker's uncaught error or out-of-memory error, when it reported one before it died. */
  cause: unknown;
  /** Set once the worker is known to be dying (a thread reported a fatal error, a child's channel closed), before its exit. */
  dying = false;
  /** Set when the worker failed without dying (its initializer threw): its end is not a normal one. */
  failed = false;
  /**
   * Set once the pool ended the worker itself (tinypool's `terminate()`: SIGTERM for a child,
   * `worker.terminate()` for a thread, whose exit code 1 then says nothing of the thread).
   */
  forced = false;
  /** Set once the pool's initializer succeeded in this worker: it can serve calls. */
  initialized = false;
  /** Its last batch left a non-daemon Process running: an orderly stop waits for it (`stop-child.ts`). */
  children = false;
  /** Batches this worker was handed, and tasks (calls, map chunks) it started. */
  batches = 0;
  tasks = 0;
  readonly #observe: SlotObserver;
  /**
   * The last flight posted to this worker, until it is answered (its progress read then): what a
   * flight holds reaches its call's input, which must not outlive the call (issue 12, case 9).
   */
  #flight: Flight | undefined;
  #state: SlotState = { name: 'starting' };
  #exited!: (state: Extract<SlotState, { name: 'exited' }>) => void;
  /** Resolves once the worker has exited and what it sent before has arrived. */
  readonly exited = new Promise<Extract<SlotState, { name: 'exited' }>>((resolve) => {
    this.#exited = resolve;
  });
  #drained: Promise<void> = Promise.resolve();
  /** Gives back the copies the pool initializer's arguments made for this worker; set once they were sent. */
  #initArgsEnded: (() => void) | undefined;
  /** The flight that carried them, until it is answered (a flight answered was sent). */
  #initFlight: Flight | undefined;

  /** The port tinypool talks to the worker on (`starting-port.ts`), once known. */
  readonly #port: () => Port | undefined;
  /** That port once its posts are watched ({@link Slot.bind}). */
  #watched: Port | undefined;

  constructor(info: PoolWorkerInfo & { readonly link: SlotLink; readonly observe: SlotObserver } & SlotPort) {
    this.id = info.id;
    this.pid = info.pid;
    this.threadId = info.threadId;
    this.link = info.link;
    this.#observe = info.observe;
    this.#port = info.port ?? (() => undefined);
  }

  get state(): SlotState {
    return this.#state;
  }

  /** Whether the worker is being stopped, is dying or has exited: it runs nothing more. */
  get leaving(): boolean {
    const name = this.#state.name;
    return name === 'stopping' || name === 'exited' || this.dying;
  }

  /** Moves to `to` if the lifecycle allows it from the current state; reports whether it did. */
  transition(to: SlotState): boolean {
    const from = this.#state;
    if (!NEXT[from.name].includes(to.name)) return false;
    this.#state = to;
    this.#observe(this, from, to);
    return true;
  }

  /** The flight is being posted to this worker; the first one carries `init`'s arguments too. */
  bind(flight: Flight, init: PoolInit | null): void {
    this.#watchPosts();
    this.batches++;
    this.#flight = flight;
    flight.progress = this.link.begin(flight);
    if (init && !this.#initArgsEnded) {
      this.#initArgsEnded = init.give(flight);
      this.#initFlight = flight;
    }
    this.transition({ name: 'busy', flight });
  }

  /**
   * tinypool posts a flight to a thread right after `bind()`. One that structured clone refuses
   * goes empty instead (`unposted.ts`), with the slot's port on a worker's first batch. Should even
   * that fail, it gives back what it carried before tinypool, in the same turn, posts the next batch
   * to this worker, which must carry the port instead (a batch without it fails in the worker).
   */
  #watchPosts(): void {
    const port = this.#port();
    const post = port?.postMessage;
    if (!port || !post || port === this.#watched) return;
    this.#watched = port;
    port.postMessage = (message, transfer) => {
      try {
        post.call(port, message, transfer);
      } catch (error) {
        // It goes empty instead, with the port (`unposted.ts`); what it could not carry is ours again.
        const flight = this.#flight;
        if (flight && postedEmpty(flight, error, (sent) => post.call(port, message, sent))) {
          this.initUnsent(flight);
          return;
        }
        if (flight) this.unsent(flight);
        throw error;
      }
    };
  }

  /** The flight could not be posted after all (structured clone refused it): what it carried is ours again. */
  unsent(flight: Flight): void {
    this.link.unsent(flight);
    this.initUnsent(flight);
  }

  /** The flight went without the initializer's arguments it was given: the next one carries them. */
  initUnsent(flight: Flight): void {
    if (flight !== this.#initFlight) return;
    this.#initArgsEnded?.();
    this.#initArgsEnded = undefined;
    this.#initFlight = undefined;
    flight.batch.initArgs = undefined;
  }

  /**
   * Stops `flight`, posted to this worker, at its next item. Nobody waits for it any more: the
   * worker, still running its current item, holds the program no more (tinypool ref'd its port).
   */
  cancel(flight: Flight): void {
    this.progressOf(flight)?.cancel();
    this.#port()?.unref();
  }

  /**
   * Stops `flight`, posted to this worker, for its call's abort: `stop()` (which stops the worker) at
   * once when a job of it runs; a job not started never runs, and the worker is kept (and holds the
   * program no more), unless a child turns out to have started one before the cancel reached it
   * (`stop()` then, as its start message arrives) or it leaves the batch unanswered for
   * {@link UNANSWERED_ABORT_MS} (counted again while it runs the pool's initializer, which the
   * batch may begin with, or imports the batch's task modules, for {@link LOADING_ABORT_MS} at
   * most, then stopped with a warning: `load-abandoned.ts`). A side chunk is stopped with its worker.
   *
   * The initializer is waited for without a bound: no call runs in any worker before its
   * initializer ends, so a replacement would only run it again from the start, and one that never
   * ends holds every call of the pool, aborted or not (as in Python). An import is bounded: calls
   * of other modules queued behind it run on a replacement, which does not import that module.
   */
  abort(flight: Flight, stop: () => void): void {
    const kept = !flight.lane && (this.progressOf(flight)?.abort(() => queueMicrotask(stop)) ?? false);
    if (!kept) {
      stop();
      return;
    }
    this.#port()?.unref();
    // The time counts from the end of the pool's initializer, and of the import of the task
    // modules, which the batch may run first: a worker in a long one is not held, and its
    // replacement would run it again. An import that never ends is not waited for past the bound.
    const abortedAt = clockMs();
    const check = (): void => {
      if (this.#state.name !== 'busy' || this.#state.flight !== flight) return;
      const progress = this.progressOf(flight);
      const loading = progress?.loading() ?? -1;
      const busy = progress?.initializing() || (loading >= 0 && clockMs() - abortedAt < LOADING_ABORT_MS);
      if (busy) return void setTimeout(check, UNANSWERED_ABORT_MS).unref();
      // Only the module still loading: those of the batch loaded before it, or not reached, are not in question.
      const module = flight.batch.tasks[loading]?.module;
      if (module !== undefined) warnLoadAbandoned(module, LOADING_ABORT_MS);
      stop();
    };
    setTimeout(check, UNANSWERED_ABORT_MS).unref();
  }

  progressOf(flight: Flight): Progress | undefined {
    return flight.slot === this ? flight.progress : undefined;
  }

  /** The answer to `flight` arrived: the worker is free unless it was handed another batch. */
  answered(flight: Flight): void {
    if (this.#flight === flight) this.#flight = undefined;
    if (this.#initFlight === flight) this.#initFlight = undefined;
    const state = this.#state;
    if (state.name === 'busy' && state.flight === flight) this.transition(IDLE);
  }

  /**
   * The tasks (calls, map chunks) this worker has started, counting the batch it has just answered:
   * tinypool hands a worker its next batch as the last answer arrives, before the pool has read
   * that answer (and retired the worker after `maxTasksPerChild`).
   */
  served(): number {
    const state = this.#state;
    const last = state.name === 'busy' ? this.progressOf(state.flight) : undefined;
    return this.tasks + (last ? last.collect().claimed : 0);
  }

  /** The pool decided to stop this worker. */
  stop(reason: StopReason): boolean {
    return this.transition({ name: 'stopping', reason });
  }

  /**
   * The worker exited. `drained` settles once everything it sent before has been received (a
   * child's IPC channel closing); it is waited for at most {@link LAST_MESSAGES_MS}.
   */
  exit(exitCode: number | null, signal: string | null, drained?: Promise<void>): void {
    const state = this.#state;
    const reason: WorkerExitReason = state.name === 'stopping' ? state.reason : 'crashed';
    const exited = { name: 'exited', reason, exitCode, signal } as const;
    if (drained) this.#drained = drained;
    if (!this.transition(exited)) return;
    void settleWithin(this.#drained, LAST_MESSAGES_MS).then(() => {
      // Read what the last batch committed before the link's port is closed.
      const ran = this.#flight?.progress?.collect();
      this.link.dispose();
      this.#initArgsEnded?.();
      // The calls it started hold their arguments' copies no more: told before they settle.
      if (ran) startedJobsEnded(this.#flight!, ran.claimed);
      this.#exited(exited);
    });
  }
}

/**
 * `promise`, or `ms` later. The limit ends after the I/O phase that follows its timer: a host whose
 * event loop was held up for longer than `ms` still reads what the worker sent before its exit.
 * The timer does not hold the program; the immediate after it does, for that one turn: unref'd, it
 * let the poll phase block until some handle had an event (a pipe a worker's own child still held
 * open kept a pool's join() waiting until that child ended).
 */
export function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(() => setImmediate(resolve), ms);
    timer.unref();
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
