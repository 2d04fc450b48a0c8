/** Small helpers of the Pool: abort errors, callbacks, and waiting for queue room. */
import { TimeoutError } from '@multiproc/shared';
import type { AsyncCallOptions } from './options.js';

/** The error a call rejects with when its signal aborts: a `TimeoutError` for its own timeout, else an `AbortError`. */
export function abortErrorFor(signal: AbortSignal | undefined): Error {
  const reason = signal?.reason;
  if (reason instanceof TimeoutError) return reason;
  const error = new Error('The task was aborted.', { cause: reason });
  error.name = 'AbortError';
  return error;
}

/** Calls `callback`/`errorCallback` when the call settles (Python's result-handler callbacks). */
export function settleCall<R>(promise: Promise<R>, options: AsyncCallOptions<R>): Promise<R> {
  if (!options.callback && !options.errorCallback) return promise;
  return promise.then(
    (value) => {
      options.callback?.(value);
      return value;
    },
    (error) => {
      options.errorCallback?.(error);
      throw error;
    },
  );
}

/** A queue of waiters for room in a bounded queue. */
export class Waiters {
  readonly #waiting: Array<() => void> = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  wakeOne(): void {
    this.#waiting.shift()?.();
  }

  wakeAll(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}
