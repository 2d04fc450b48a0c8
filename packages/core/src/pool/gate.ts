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
  /** Calls waiting for room in the queue; woken one per settled call, all at close and terminate. */
  readonly room = new Waiters();
  state: PoolState = 'running';
  /** While `terminate()` runs (or once it has): settles when it has (never rejects). */
  terminating: Promise<void> | undefined;
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
  readonly #readers = new Set<(terminated: boolean) => Promise<void>>();
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
        `The pool's queue is full (maxQueue ${this.#maxQueue}) and ${method}() does not wait for ` +
          'room: wait for results first, or call apply(), map() or starmap(), which wait.',
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

  /**
   * Waits until the queue has room. A call made before `close()` still runs (Python's `close()`
   * stops new submissions, not the ones already made); `terminate()` fails it.
   */
  async #waitForRoom(): Promise<void> {
    do {
      await this.room.wait();
      if (this.state === 'terminated') throw this.terminatedError();
    } while (this.#full());
  }

  /**
   * Counts `promise` (a call of the apply or map forms, made now) as open until it settles, and
   * returns it. `join()` waits for open calls, so a call made before `close()` is waited for even
   * while it is still between its admission and its first message to a worker.
   */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#open++;
    return promise.then(
      (value) => {
        this.#leave();
        return value;
      },
      (error: unknown) => {
        this.#leave();
        return this.afterTerminate(error);
      },
    );
  }

  #leave(): void {
    if (--this.#open === 0) this.#settled.wakeAll();
  }

  /**
   * Rejects with `error`, once a running `terminate()` has resolved: a call it stopped must not
   * reject while the caller still awaits `terminate()` (`const r = pool.apply(...); await
   * pool.terminate(); await r.catch(...)` would see an unhandled rejection end the program).
   */
  async afterTerminate(error: unknown): Promise<never> {
    if (this.terminating) await this.terminating;
    throw error;
  }

  /** Resolves once no call of the apply and map forms is open. */
  async whenSettled(): Promise<void> {
    while (this.#open > 0) await this.#settled.wait();
  }

  /** Registers an open `imap` call's `readAll`; returns the function that forgets it. */
  reading(readAll: (terminated: boolean) => Promise<void>): () => void {
    this.#readers.add(readAll);
    return () => this.#readers.delete(readAll);
  }

  /**
   * Takes no more calls; a second close keeps the first state unless it terminates. Closing makes
   * every open `imap` call run the rest of its input (`join()` waits for that); terminating ends
   * them instead. Both close the input of a loop that left at a failed item (a `for await` calls
   * no `return()` then): nothing can read it any more.
   */
  close(state: 'closed' | 'terminated'): void {
    const wasRunning = this.state === 'running';
    if (state === 'terminated' || wasRunning) this.state = state;
    if (state === 'terminated') {
      this.#terminated?.();
      for (const readAll of this.#readers) readAll(true).catch(() => {});
      this.#readers.clear();
    } else if (wasRunning) {
      // Kept until the pool is terminated or the loop ends: one that leaves at a failed item later
      // has its input closed by terminate().
      for (const readAll of this.#readers) {
        this.track(Promise.race([readAll(false), this.#whenTerminated])).catch(() => {});
      }
    }
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
  return new PoolClosedError(
    `The pool is ${state}: no new tasks can be submitted. Submit every call before close(), or make a new Pool.`,
  );
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
