/** Small helpers of the Pool: abort errors, callbacks, and waiting for queue room. */
import { TimeoutError, ValidationError } from '@multiproc/shared';
import { parseOptions } from '../options.js';
import { isTaskRef } from '../task.js';
import type { CallerMessages } from './messages.js';
import { type AsyncCallOptions, type CallOptions, callOptionsSchema, taskSchema } from './options.js';

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

export const noop = () => {};

export function allPrimitive(args: unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const t = typeof args[i];
    if ((t === 'object' && args[i] !== null) || t === 'function' || t === 'symbol') return false;
  }
  return true;
}

function isIterable(v: unknown): boolean {
  const o = v as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined;
  return typeof o?.[Symbol.iterator] === 'function' || typeof o?.[Symbol.asyncIterator] === 'function';
}

const NO_TRANSFER: object[] = [];
export function plain(args: unknown[]) {
  return { value: args, transfer: NO_TRANSFER, encoded: false };
}

/** A call's arguments (`apply`) or input (the map forms), checked before anything is sent. */
export type CallInput = { args: unknown } | { iterable: unknown };

/** Checks a call's task, input and options; the common case (a task ref, no options) skips zod. */
export function checkCall(task: unknown, options: object, method: string, input: CallInput): void {
  if (!isTaskRef(task)) parseOptions(taskSchema, { task }, `Pool.${method}`);
  if ('args' in input && input.args !== undefined && !Array.isArray(input.args)) {
    throw new ValidationError(
      `Pool.${method}(): args must be an array of the task's arguments, got ${typeof input.args}. Write pool.${method}(task, [arg]).`,
    );
  }
  if ('iterable' in input && !isIterable(input.iterable)) {
    throw new ValidationError(
      `Pool.${method}(): the input must be an iterable or an async iterable (an array, a generator, ...), got ${typeof input.iterable}.`,
    );
  }
  for (const _ in options) {
    parseOptions(callOptionsSchema, options, `Pool.${method}`);
    break;
  }
}

/**
 * What a call holds while it runs: the signal that cancels it (its own, or one its `timeout`
 * aborts), the id of its `onMessage` listener, and `dispose` to release both when it settles.
 */
export function beginCall(
  options: CallOptions,
  messages: CallerMessages,
): { signal: AbortSignal | undefined; listener: number | undefined; dispose: () => void } {
  const listener = options.onMessage ? messages.add(options.onMessage) : undefined;
  const release = listener === undefined ? noop : () => messages.remove(listener);
  if (options.timeout === undefined) return { signal: options.signal, listener, dispose: release };
  const controller = new AbortController();
  const ms = options.timeout;
  const timer = setTimeout(
    () => controller.abort(new TimeoutError(`The task did not finish within ${ms} ms.`)),
    ms,
  );
  const forward = () => controller.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    listener,
    dispose: () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', forward);
      release();
    },
  };
}
