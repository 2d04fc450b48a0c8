/**
 * What one call holds while it runs: a promise that rejects when the call must stop early (its
 * `signal` aborts, its `timeout` passes, its `onMessage` throws, or the pool is terminated), and
 * `dispose` to let go of the timer and listeners once it settles. Errors match the local pool's: `TimeoutError` for the
 * call's own timeout, an `AbortError` with the signal's reason as `cause`.
 */
import { TimeoutError } from '@multiproc/core';
import { watchAbort } from '@multiproc/core/internal';
import { type AtLeastTimeout, MAX_TIMEOUT_MS, secondsHint, setTimeoutAtLeast } from '@multiproc/shared';
import { ownError } from './own-error.js';

export interface CallScope {
  /**
   * Rejects with the reason the call stops early; never resolves. Race it once per call only: each
   * `Promise.race()` against it keeps a reaction (and the race's result) until the call ends, so
   * a call that waits on many things (an `imap`'s chunks) uses {@link race} instead.
   */
  readonly stopped: Promise<never>;
  /**
   * `work`'s outcome, or the reason the call stopped if that comes first. Unlike
   * `Promise.race([work, stopped])`, it lets go of `work` and its result once `work` settles, so
   * an endless `imap` holds no result its loop has read.
   */
  readonly race: <T>(work: Promise<T>) => Promise<T>;
  /** Whether it has stopped. */
  readonly isStopped: () => boolean;
  /**
   * Tells `listener` why the call stopped, once: at once if it has stopped already. `timedOut`:
   * its `timeout` passed (an `imap` then keeps the results it received in time).
   */
  readonly onStop: (listener: (error: unknown, timedOut: boolean) => void) => void;
  /** Every result has arrived: the timeout no longer applies (the consumer may read them later). */
  readonly received: () => void;
  /**
   * Whether the call's consumer waits for a result (an `imap` loop at its `next()`): then an
   * unref'd timeout (`unrefTimer`) holds the program, so that it fires even while nothing else
   * does (the pool idle, the input stalled), as the local pool's does.
   */
  readonly waiting: (on: boolean) => void;
  readonly dispose: () => void;
  /**
   * The call's `onMessage`, made safe: it runs on a Redis event, where a throw would be lost (or
   * end the program). As in the local pool, a throw stops the call with that very error, and it is
   * not called again.
   */
  readonly onMessage: ((value: unknown) => void) | undefined;
}

/** The error a call rejects with when `signal` aborts. */
export function abortErrorFor(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof TimeoutError) return reason;
  const error = new Error('The task was aborted.', { cause: reason });
  error.name = 'AbortError';
  return error;
}

/** How a call's timeout reads, given the timeout in ms. */
export type TimeoutMessage = (ms: number) => string;

const TASK_TIMEOUT: TimeoutMessage = (ms) => `The task did not finish within ${ms} ms.${secondsHint(ms)}`;

/** What a scope is opened with besides the call's own options. */
export interface ScopeOptions {
  /** What the `TimeoutError` says (the local pool's words for each kind of call). */
  readonly timeoutMessage?: TimeoutMessage;
  /**
   * The timer keeps the program alive only while {@link CallScope.waiting} says the consumer waits
   * (an `imap`: while its jobs are out the pool does, and a loop left at a failed item, or never
   * started, holds nothing, as in the local pool).
   */
  readonly unrefTimer?: boolean;
}

/**
 * Opens a scope for a call with `options.signal`/`options.timeout`/`options.onMessage`, also
 * stopped by `pool` (aborted with the error to reject with, such as `PoolClosedError`).
 */
export function openScope(
  options: { signal?: AbortSignal; timeout?: number | null; onMessage?: (value: unknown) => void },
  pool: AbortSignal,
  { timeoutMessage = TASK_TIMEOUT, unrefTimer = false }: ScopeOptions = {},
): CallScope {
  let stop!: (error: unknown, timedOut?: boolean) => void;
  let stoppedWith: { error: unknown; timedOut: boolean } | undefined;
  let onStop: ((error: unknown, timedOut: boolean) => void) | undefined;
  // The rejections of the races still waiting on their work (see `race`).
  const racing = new Set<(error: unknown) => void>();
  const stopped = new Promise<never>((_, reject) => {
    stop = (error, timedOut = false) => {
      if (stoppedWith) return;
      stoppedWith = { error, timedOut };
      reject(error);
      for (const lose of racing) lose(error);
      racing.clear();
      onStop?.(error, timedOut);
    };
  });
  stopped.catch(() => {});
  const { signal, timeout } = options;
  let timer: AtLeastTimeout | undefined;
  // Longer than a timer can measure (about 24.8 days), Infinity or null (Python's None): no limit,
  // as in the local Pool.
  if (timeout != null && timeout <= MAX_TIMEOUT_MS) {
    const ms = Math.max(0, timeout); // 0 or less: a deadline already passed, as in the local Pool
    timer = setTimeoutAtLeast(() => stop(new TimeoutError(timeoutMessage(ms)), true), ms);
    if (unrefTimer) timer.unref();
  }
  // One listener on each signal for all the calls in flight (core's `watchAbort`).
  const unwatchSignal = signal ? watchAbort(signal, () => stop(abortErrorFor(signal))) : undefined;
  const unwatchPool = watchAbort(pool, () => stop(ownError(pool.reason)));
  const { onMessage } = options;
  const race = <T>(work: Promise<T>): Promise<T> => {
    // Settled already: a race adds no lasting reaction then, and keeps its order (work first).
    if (stoppedWith) return Promise.race([work, stopped]);
    return new Promise<T>((resolve, reject) => {
      racing.add(reject);
      work.then(
        (value) => {
          racing.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          racing.delete(reject);
          reject(error);
        },
      );
    });
  };
  return {
    stopped,
    race,
    onMessage:
      onMessage &&
      ((value) => {
        if (stoppedWith) return;
        try {
          onMessage(value);
        } catch (error) {
          stop(error);
        }
      }),
    isStopped: () => stoppedWith !== undefined,
    onStop: (listener) => {
      if (stoppedWith) listener(stoppedWith.error, stoppedWith.timedOut);
      else onStop = listener;
    },
    received: () => timer?.clear(),
    waiting: (on) => {
      if (unrefTimer && !stoppedWith) on ? timer?.ref() : timer?.unref();
    },
    dispose: () => {
      timer?.clear();
      unwatchSignal?.();
      unwatchPool();
    },
  };
}
