/**
 * tinypool's task queue for a pool (its `taskQueue` option), with one rule of its own: a worker's
 * start (a batch of no jobs that runs the pool's initializer, `Dispatcher.#initWorkers`) goes only
 * to a worker that has just become ready, never to one that has run a batch. tinypool hands each
 * queued task to the first worker free: a worker that finished its own initializer before another
 * had loaded took that one's start too (a no-op there), and the other ran the initializer only
 * with its first task, or never in a pool given no task, where Python runs it in every worker.
 *
 * tinypool takes a task off the queue (`shift()`) in the turn a worker is free: as its answer
 * arrives, or as it becomes ready (its `{ ready: true }` message, whose handler marks it ready and
 * shifts a task for it at once). The queue cannot see which worker asks, so {@link watch} listens
 * for that message on each worker, ahead of tinypool's handler and after it:
 *
 *   worker's ready message ─▶ ours (prepended): fresh = true
 *                          ─▶ tinypool's: ready, shift() ─▶ a start if one waits (fresh = false),
 *                                                           else the next task
 *                          ─▶ ours (appended): fresh = false
 *
 * Outside that window the starts are not counted in `size`: a worker that answered finds only
 * tasks, and a call made while a start waits goes to an idle worker at once (tinypool's `run()`
 * queues a task behind others when `size` is not 0). Each worker the pool keeps gets a start, and
 * a worker just ready takes a start before a task queued ahead of it: a worker started for a call
 * may find that call taken by one that got ready first. So the first workers ready take the
 * starts, one each, and the starts never outnumber them ({@link postFlight}); one whose worker died
 * starting waits for its replacement, and those left when the pool is destroyed or gives up are
 * failed with the rest ({@link StartQueue.release}, `cancel()`).
 *
 * A worker started later (a replacement, one started on demand) finds no start waiting: unless a
 * call is first in line for it (its batch runs the initializer first; the empty task that made
 * tinypool start a worker is never queued, {@link StartQueue.startWorker}), the pool posts one in
 * its ready turn ({@link onReady}, {@link postFlight}), which waits here for that very worker, so it
 * runs the initializer as it starts, tasks or not, as Python's.
 */
import type { Task, TaskQueue, Tinypool } from 'tinypool';
import type { BatchReply } from '../internal/batch.js';
import type { Flight } from './outcome.js';
import { whileUnrefingWorkerPorts } from './starting-port.js';
import type { TinypoolWorker } from './watch-worker.js';

/** tinypool's queued task, as far as the queue reads it: `run()`'s `channel` is the flight. */
type Queued = Task & { readonly channel?: Flight };

export class StartQueue implements TaskQueue {
  readonly #tasks: Queued[] = [];
  readonly #starts: Queued[] = [];
  /** Set while tinypool handles a worker's ready message: a start may go to that worker. */
  #fresh = false;
  /** Set once the pool is being destroyed: tinypool's `destroy()` fails the starts with the rest. */
  #released = false;
  /** Set while a start is posted in a ready turn: counted before it is pushed, so `run()` queues it. */
  #posting = false;
  /** Set while {@link startWorker} runs: the empty task counts as queued, and is dropped as it is pushed. */
  #spawning = false;

  get size(): number {
    const starts = this.#fresh || this.#released ? this.#starts.length : 0;
    return this.#tasks.length + starts + (this.#posting || this.#spawning ? 1 : 0);
  }

  shift(): Task | null {
    if ((this.#fresh || this.#released) && this.#starts.length > 0) {
      this.#fresh = false;
      return this.#starts.shift()!;
    }
    return this.#tasks.shift() ?? null;
  }

  push(task: Task): void {
    if (this.#spawning) {
      // The empty task that made tinypool start a worker: no worker ever takes it (see startWorker).
      this.#spawning = false;
      task.cancel();
      return;
    }
    ((task as Queued).channel?.start ? this.#starts : this.#tasks).push(task);
  }

  remove(task: Task): void {
    for (const list of [this.#tasks, this.#starts]) {
      const index = list.indexOf(task);
      if (index !== -1) list.splice(index, 1);
    }
  }

  cancel(): void {
    for (const task of [...this.#tasks.splice(0), ...this.#starts.splice(0)]) task.cancel();
  }

  /** Runs `post`, tinypool's `run()` of a start, within the bounds {@link postFlight} says. */
  postStart<T>(tp: Tinypool, kept: number, post: () => T): T {
    const max = tp.options.maxThreads;
    const late = this.#fresh;
    tp.options.maxThreads = late ? tp.threads.length : Math.min(max, kept);
    this.#posting = late;
    try {
      return post();
    } finally {
      tp.options.maxThreads = max;
      this.#posting = false;
    }
  }

  /**
   * Runs `post`, tinypool's `run()` of an empty task, so that it starts a worker (when it has fewer
   * than `maxThreads`) and nothing else. The task counts as queued while `run()` looks, so tinypool
   * queues it rather than hand it to a free worker, and starts a worker for it; the queue drops it as
   * it is pushed (`run()`'s promise rejects with tinypool's CancelError). A worker that took it would
   * be busy for a round trip through this thread's event loop, which the pool does not see: a call
   * made meanwhile waited for that loop (`Dispatcher.submit` posts at once to a free worker).
   */
  startWorker<T>(post: () => T): T {
    this.#spawning = true;
    try {
      return post();
    } finally {
      this.#spawning = false;
    }
  }

  /** The pool is being destroyed: what waits, starts included, is tinypool's to fail. */
  release(): void {
    this.#released = true;
  }

  /**
   * Posts a start (`postFlight`), in the ready turn of a worker that finds none waiting: it goes
   * to that worker. Set once the pool starts its workers.
   */
  onReady: (() => void) | undefined;

  /** Lets `worker`'s ready message (once it is loaded) take a waiting start (see the header). */
  watch(worker: TinypoolWorker): void {
    const emitter = worker.process ?? worker.thread;
    if (!emitter) return;
    // A child's channel carries other messages too: tinypool's own are marked.
    emitter.prependListener(
      'message',
      (message: { ready?: unknown; __tinypool_worker_message__?: unknown }) => {
        if (message?.ready !== true || (worker.process && !message.__tinypool_worker_message__)) return;
        this.#fresh = true;
        // With a call first in line, the worker takes it now and runs the initializer first (a
        // failing one fails that call, as the contract says), not a start that leaves the call
        // queued. Behind an empty batch (one posted only to start a worker) it would take that
        // batch, which runs no initializer: it gets a start.
        if (this.#starts.length > 0 || this.#released || this.#tasks[0]?.channel) return;
        this.onReady?.();
      },
    );
    emitter.on('message', () => {
      this.#fresh = false;
    });
  }
}

/**
 * Hands `flight` (its `task` as tinypool carries it) to tinypool's `run()`. A start makes tinypool
 * start a worker only while fewer than `kept` are started: one start per worker the pool keeps, the
 * workers started for the calls handed over before the starts included. A start posted in a
 * worker's ready turn (`watch`) starts none and is queued even with the queue empty (`run()` would
 * hand it to an idle worker): that worker takes it next, in this turn.
 */
export function postFlight(tp: Tinypool, task: unknown, flight: Flight, kept: number): Promise<BatchReply> {
  // A worker tinypool starts in run() holds nothing while it starts (also the first ones of a
  // program's first pool, started before `guardWorkerStarts` could hook their class).
  const post = () =>
    whileUnrefingWorkerPorts(
      () => tp.run(task, { transferList: flight.transfer as never, channel: flight as never }),
      () => tp.threads,
      tp.threads.length < tp.options.maxThreads,
    );
  if (!flight.start) return post();
  return (tp.options.taskQueue as StartQueue).postStart(tp, kept, post);
}
