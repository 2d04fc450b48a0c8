/**
 * A pool's admission: whether it still takes calls (`close()`/`terminate()` end that) and whether
 * its queue has room (`maxQueue`): `apply`/`map` wait for room, the `…Async` forms throw.
 */
import { QueueFullError } from '@multiproc/ipc';
import { PoolClosedError } from '../errors.js';
import { type CallInput, checkCall, Waiters } from './util.js';

export type PoolState = 'running' | 'closed' | 'terminated';

export class Gate {
  readonly #maxQueue: number;
  readonly #queued: () => number;
  /** Calls waiting for room in the queue; woken one per settled call, all at close. */
  readonly room = new Waiters();
  state: PoolState = 'running';
  /** Set when `[Symbol.asyncDispose]` terminated the pool (an `await using` block ended), for the messages. */
  disposed = false;
  /** Calls of the apply and map forms not settled yet, counted from the moment they are made. */
  #open = 0;
  readonly #settled = new Waiters();
  /**
   * The `imap` calls whose consumer may not have read everything, each as its `readAll` (see
   * `StreamOptions.readsOn`): `close()` makes them read their input to the end, as Python's task
   * handler does, and counts them open until they ran it all. A call leaves once its loop ended.
   */
  readonly #readers = new Set<() => Promise<void>>();
  /** Resolved by `terminate()`: a call still reading its input no longer holds up `join()`. */
  #terminated: (() => void) | undefined;
  readonly #whenTerminated = new Promise<void>((resolve) => {
    this.#terminated = resolve;
  });

  constructor(maxQueue: number, queued: () => number) {
    this.#maxQueue = maxQueue;
    this.#queued = queued;
  }

  /** Checks a submission that returns no Promise: throws at once when closed, bad or full. */
  admitNow(task: unknown, options: object, method: string, input: CallInput): void {
    this.#check(task, options, method, input);
    if (this.#full()) {
      throw new QueueFullError(
        `The pool's queue is full (maxQueue ${this.#maxQueue}): wait for results first.`,
      );
    }
  }

  /**
   * Checks a submission that returns a Promise now (throws when closed or bad), and returns the
   * wait for room in the queue, or undefined when there is room now: a call takes its arguments at
   * once and is queued once the wait ends. Admitting at once when there is room keeps the awaited
   * forms (`apply`, `map`) in submission order with the `…Async` forms, which are admitted
   * synchronously: a pool runs its calls in the order they were made, as Python's task queue does.
   */
  admitting(task: unknown, options: object, method: string, input: CallInput): Promise<void> | undefined {
    this.#check(task, options, method, input);
    return this.#full() ? this.#waitForRoom() : undefined;
  }

  async #waitForRoom(): Promise<void> {
    do {
      await this.room.wait();
      if (this.state !== 'running') throw this.#closedError();
    } while (this.#full());
  }

  /**
   * Counts `promise` (a call of the apply or map forms, made now) as open until it settles, and
   * returns it. `join()` waits for open calls, so a call made before `close()` is waited for even
   * while it is still between its admission and its first message to a worker.
   */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#open++;
    const leave = () => {
      if (--this.#open === 0) this.#settled.wakeAll();
    };
    promise.then(leave, leave);
    return promise;
  }

  /** Resolves once no call of the apply and map forms is open. */
  async whenSettled(): Promise<void> {
    while (this.#open > 0) await this.#settled.wait();
  }

  /** Registers an open `imap` call's `readAll`; returns the function that forgets it. */
  reading(readAll: () => Promise<void>): () => void {
    this.#readers.add(readAll);
    return () => this.#readers.delete(readAll);
  }

  /**
   * Takes no more calls; a second close keeps the first state unless it terminates. Closing makes
   * every open `imap` call run the rest of its input (`join()` waits for that); terminating ends
   * them instead.
   */
  close(state: 'closed' | 'terminated'): void {
    const wasRunning = this.state === 'running';
    if (state === 'terminated' || wasRunning) this.state = state;
    if (state === 'terminated') this.#terminated?.();
    else if (wasRunning) {
      for (const readAll of this.#readers) this.track(Promise.race([readAll(), this.#whenTerminated]));
    }
    this.#readers.clear();
    this.room.wakeAll();
  }

  /** Whether `maxQueue` tasks are queued (counting them walks the batches out: not without a limit). */
  #full(): boolean {
    return this.#maxQueue !== Number.POSITIVE_INFINITY && this.#queued() >= this.#maxQueue;
  }

  #check(task: unknown, options: object, method: string, input: CallInput): void {
    if (this.state !== 'running') throw this.#closedError();
    checkCall(task, options, method, input);
  }

  #closedError(): PoolClosedError {
    return submitClosedError(this.state, this.disposed);
  }

  /** The error pending calls reject with once the pool was terminated. */
  terminatedError(): PoolClosedError {
    return terminatedError(this.disposed);
  }
}

/**
 * The error a call submitted to a closed or terminated pool throws; `disposed`: its `await using`
 * block ended it. The bullmq Pool gives the same.
 */
export function submitClosedError(state: string, disposed: boolean): PoolClosedError {
  if (disposed) {
    return new PoolClosedError(
      'The pool was terminated when its `await using` block ended: no new tasks can be submitted. Submit calls inside the block.',
    );
  }
  return new PoolClosedError(`The pool is ${state}: no new tasks can be submitted.`);
}

/** The error pending calls reject with once the pool was terminated (`disposed`: by `await using`). */
export function terminatedError(disposed: boolean): PoolClosedError {
  if (disposed) {
    return new PoolClosedError(
      'The pool was terminated when its `await using` block ended, before this task finished: ' +
        'await the call inside the block (`return await pool.map(...)`, not `return pool.map(...)`).',
    );
  }
  return new PoolClosedError('The pool was terminated before this task finished.');
}
