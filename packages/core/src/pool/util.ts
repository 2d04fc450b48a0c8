/** Small helpers of the Pool: abort errors, callbacks, and waiting for queue room. */
import {
  type AtLeastTimeout,
  describeValue,
  MAX_TIMEOUT_MS,
  notAnObject,
  omitNullOptions,
  resolveTimeout,
  setTimeoutAtLeast,
  spellingOf,
  TimeoutError,
  ValidationError,
  type WithoutNulls,
} from '@multiproc/shared';
import { parseOptions } from '../options.js';
import { isTaskRef } from '../task.js';
import { argsHint, badTask, inputHint, optionsHint } from './call-shape.js';
import type { CallerMessages } from './messages.js';
import { nodeCallOptionHint } from './node-pool-names.js';
import { type AsyncCallOptions, type CallOptions, callOptionsQuick, callOptionsSchema } from './options.js';

/** The error a call rejects with when its signal aborts: an `AbortError` with the signal's reason as `cause`. */
export function abortErrorFor(signal: AbortSignal | undefined): Error {
  const reason = signal?.reason;
  const error = new Error('The task was aborted.', { cause: reason });
  error.name = 'AbortError';
  return error;
}

/**
 * Calls `callback`/`errorCallback` when the call settles (Python's result-handler callbacks). A
 * callback that returns a promise (an `async` one) is awaited: its rejection fails the call as a
 * throw does, rather than ending the program as an unhandled rejection.
 */
export function settleCall<R>(promise: Promise<R>, options: AsyncCallOptions<R>): Promise<R> {
  if (!options.callback && !options.errorCallback) return promise;
  return promise.then(
    async (value) => {
      await options.callback?.(value);
      return value;
    },
    async (error) => {
      try {
        await options.errorCallback?.(error);
      } catch (thrown) {
        throw chained(thrown, error);
      }
      throw error;
    },
  );
}

/**
 * `thrown`, with `original` as its `cause` when it is an error object that has none: JavaScript's
 * form of the `__context__` Python sets on an exception raised while another is handled. Never
 * makes a cycle (Python avoids one too): a callback that rethrows the error it was given, or an
 * error on that error's `cause` chain, is thrown as it is.
 */
function chained(thrown: unknown, original: unknown): unknown {
  if (
    thrown instanceof Error &&
    !Object.hasOwn(thrown, 'cause') &&
    Object.isExtensible(thrown) &&
    !onCauseChain(thrown, original)
  ) {
    Object.defineProperty(thrown, 'cause', { value: original, writable: true, configurable: true });
  }
  return thrown;
}

/** Whether `target` is `start` or on its `cause` chain (a chain that loops or cannot be read ends it). */
function onCauseChain(target: unknown, start: unknown): boolean {
  const seen = new Set<unknown>();
  for (let link = start; typeof link === 'object' && link !== null && !seen.has(link); ) {
    if (link === target) return true;
    seen.add(link);
    try {
      link = (link as { cause?: unknown }).cause;
    } catch {
      return false;
    }
  }
  return false;
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

export function allPrimitive(args: unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const t = typeof args[i];
    if ((t === 'object' && args[i] !== null) || t === 'function' || t === 'symbol') return false;
  }
  return true;
}

/**
 * Whether `input` is read asynchronously (an async iterable): such a map call holds no later call
 * up (`job-order.ts`), since reading it may wait on one.
 */
export const isAsyncIterable = (input: unknown): boolean =>
  typeof (input as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';

function isIterable(v: unknown): boolean {
  const o = v as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined;
  return typeof o?.[Symbol.iterator] === 'function' || typeof o?.[Symbol.asyncIterator] === 'function';
}

const NO_TRANSFER: object[] = [];
export function plain(args: unknown[]) {
  return { value: args, transfer: NO_TRANSFER, encoded: false };
}

/**
 * A call's options as the pool reads them: `null` (Python's `None`) is no options, and an option
 * set to `null` is one not given (`{ chunksize: null }`, Python's `chunksize=None`).
 */
export function callOptions<T extends object>(given: T | null | undefined): WithoutNulls<T> {
  return omitNullOptions(given ?? {}) as WithoutNulls<T>;
}

/** A call's arguments (`apply`) or input (the map forms), checked before anything is sent. */
export type CallInput = { args: unknown } | { iterable: unknown };

/** Checks a call's task, input and options; the common case (a task ref, no options) skips zod. */
export function checkCall(task: unknown, options: object, method: string, input: CallInput): void {
  const names = OPTION_NAMES[method] ?? [];
  if (!isTaskRef(task)) throw badTask(method, task, 'args' in input ? input.args : input.iterable);
  if ('args' in input && input.args != null && !Array.isArray(input.args)) {
    throw new ValidationError(
      `Pool.${method}(): args must be an array of the task's arguments, got ${describeValue(input.args)}.${argsHint(method, input.args, names)}`,
    );
  }
  if ('iterable' in input && !isIterable(input.iterable)) {
    throw new ValidationError(
      `Pool.${method}(): the input must be an iterable or an async iterable (an array, a generator, ...), got ${describeValue(input.iterable)}.${inputHint(method, input.iterable, names)}`,
    );
  }
  if (typeof options !== 'object' || Array.isArray(options)) {
    const error = notAnObject(options, names, `Pool.${method}()`);
    // Python's positional chunksize (`pool.map(f, xs, 4)`) is an option here.
    if (typeof options !== 'number' || !names.includes('chunksize')) {
      throw new ValidationError(`${error.message}${optionsHint(method, options, names)}`);
    }
    throw new ValidationError(
      `${error.message} Python's positional chunksize is { chunksize: ${options} } here.`,
    );
  }
  for (const _ in options) {
    checkOptionNames(options, method);
    parseOptions(callOptionsSchema, options, `Pool.${method}`, callOptionsQuick);
    // Read as every wait reads its timeout: NaN is refused.
    const { timeout } = options as CallOptions;
    if (typeof timeout === 'number') resolveTimeout(timeout, `Pool.${method}()`, { optionOnly: true });
    break;
  }
}

const CALL_KEYS = ['signal', 'timeout', 'onMessage'];
const ASYNC_KEYS = ['callback', 'errorCallback'];
const MAP_KEYS = ['chunksize', 'onProgress'];
/** The options each submitting method takes (its options type): any other name is a mistake. */
const OPTION_NAMES: Record<string, readonly string[]> = {
  apply: CALL_KEYS,
  applyAsync: [...CALL_KEYS, ...ASYNC_KEYS],
  map: [...CALL_KEYS, ...MAP_KEYS],
  starmap: [...CALL_KEYS, ...MAP_KEYS],
  mapAsync: [...CALL_KEYS, ...MAP_KEYS, ...ASYNC_KEYS],
  starmapAsync: [...CALL_KEYS, ...MAP_KEYS, ...ASYNC_KEYS],
  imap: [...CALL_KEYS, ...MAP_KEYS, 'inflight'],
  imapUnordered: [...CALL_KEYS, ...MAP_KEYS, 'inflight'],
};

/** Throws `ValidationError` naming the first option `method` does not take (`apply({ callback })`). */
function checkOptionNames(options: object, method: string): void {
  const names = OPTION_NAMES[method];
  if (!names) return;
  for (const key of Object.keys(options)) {
    if (names.includes(key)) continue;
    const elsewhere = Object.keys(OPTION_NAMES).filter((m) => OPTION_NAMES[m]!.includes(key));
    const right = spellingOf(key, names);
    const node = nodeCallOptionHint(key);
    const hint = right
      ? ` In multiproc it is spelt ${right}.`
      : elsewhere.length
        ? ` It is an option of ${elsewhere.map((m) => `${m}()`).join(', ')}.`
        : node && ` ${node}`;
    throw new ValidationError(
      `Pool.${method}(): unknown option '${key}'; it takes ${names.map((n) => `'${n}'`).join(', ')}.${hint}`,
    );
  }
}

// The calls watching each signal. A signal gets one 'abort' listener however many calls share it:
// one listener per call made Node warn of a leak (MaxListenersExceededWarning) from the 11th pending
// call on one AbortController, as piscina's users reported. The bullmq Pool watches its signals here too.
interface Watch {
  readonly calls: Set<() => void>;
  readonly stop: () => void;
}
const watches = new WeakMap<AbortSignal, Watch>();

/**
 * Runs `onAbort` once when `signal` aborts (at once, synchronously, when it is aborted already);
 * the function it returns stops watching: call it when the call settles.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  let watch = watches.get(signal);
  if (!watch) {
    const calls = new Set<() => void>();
    const onSignal = () => {
      watches.delete(signal);
      for (const fire of [...calls]) fire();
    };
    signal.addEventListener('abort', onSignal, { once: true });
    watch = { calls, stop: () => signal.removeEventListener('abort', onSignal) };
    watches.set(signal, watch);
  }
  const mine = watch;
  // A Set would merge two watches with one callback: each gets its own entry.
  const entry = () => onAbort();
  mine.calls.add(entry);
  return () => {
    mine.calls.delete(entry);
    if (mine.calls.size === 0 && watches.get(signal) === mine) {
      watches.delete(signal);
      mine.stop();
    }
  };
}

/** What a call holds while it runs (see {@link beginCall}). */
export interface CallHold {
  /** The id its `onMessage` listener has, if it has one. */
  readonly listener: number | undefined;
  /** Whether it has a `signal` or a `timeout`: such a call gets a worker of its own. */
  readonly abortable: boolean;
  /** The error to reject with at once: the signal was aborted before the call was made. */
  readonly aborted: Error | undefined;
  /**
   * Set once the call's `onMessage` threw: the call fails with that error (its reply, if one
   * came back already, is dropped), and `onMessage` is not called again.
   */
  readonly failure: { readonly error: unknown } | undefined;
  /** Releases the listener, the abort listener and the timer; call it when the call settles. */
  dispose(): void;
  /** Every result has arrived (a map call whose consumer has yet to read them): the timeout no longer applies. */
  received(): void;
  /**
   * Whether a consumer waits on the call now: its timeout keeps the program alive only then (an
   * `imap` loop waiting on a stalled input gets its `TimeoutError` instead of the program ending).
   */
  waiting(on: boolean): void;
}

const PLAIN_CALL: CallHold = {
  listener: undefined,
  abortable: false,
  aborted: undefined,
  failure: undefined,
  dispose() {},
  received() {},
  waiting() {},
};

/**
 * How long a call waited (ms) before it started watching its signal and timeout: a `map` that
 * waited for room in the queue (`maxQueue`) had its timeout running all along, since the timeout
 * counts from submission.
 */
export interface WaitedFor {
  waitedMs?: number;
}

/** How a call's timeout reads: what did not happen within `ms` (an `apply` call's task by default). */
export type TimeoutMessage = (ms: number) => string;

const TASK_TIMEOUT: TimeoutMessage = (ms) => `The task did not finish within ${ms} ms.`;

/**
 * Starts watching a call: `onAbort` gets the error the call rejects with, at most once, when its
 * `signal` aborts (an `AbortError`), its `timeout` passes (a `TimeoutError`; the timeout counts
 * from submission, like Python's `get(timeout)` right after `apply_async`; `timedOut` is then
 * true, and `timeoutMessage` says what did not happen in time), or its `onMessage` throws (that
 * very error: see {@link CallHold.failure}). `dispose()` removes every listener, so
 * one long-lived signal shared by many calls keeps none of them. `unrefTimer`: the timeout keeps
 * the program alive only while {@link CallHold.waiting} says a consumer waits (an `imap`: while its
 * chunks run the pool does, and a loop left after a failed item, or never started, holds nothing,
 * as a plain one does).
 */
export function beginCall(
  options: CallOptions & WaitedFor,
  messages: CallerMessages,
  onAbort: (error: unknown, timedOut: boolean) => void,
  unrefTimer = false,
  timeoutMessage: TimeoutMessage = TASK_TIMEOUT,
): CallHold {
  const { signal, onMessage } = options;
  // Longer than a timer can measure (about 24.8 days), Infinity or null: no limit (shared's resolveTimeout).
  // 0 or less: a deadline already passed (Python: a negative timeout does not wait).
  const timeout =
    options.timeout != null && options.timeout <= MAX_TIMEOUT_MS ? Math.max(0, options.timeout) : undefined;
  const abortable = signal !== undefined || timeout !== undefined;
  if (!abortable && onMessage === undefined) return PLAIN_CALL; // the common case: nothing to hold
  let timer: AtLeastTimeout | undefined;
  let done = false;
  let failure: { error: unknown } | undefined;
  const fire = (error: unknown, timedOut = false) => {
    if (done) return;
    dispose();
    onAbort(error, timedOut);
  };
  // A user's onMessage runs on a channel's event, where a throw would end the program: it fails
  // this call instead, the way a throwing task does, and is not called again.
  const listener =
    onMessage == null
      ? undefined
      : messages.add((read) => {
          if (failure) return;
          try {
            onMessage(read());
          } catch (error) {
            failure = { error };
            if (done) reportLateFailure(error);
            else fire(error);
          }
        });
  let unwatch: (() => void) | undefined;
  const dispose = () => {
    if (done) return;
    done = true;
    timer?.clear();
    unwatch?.();
    if (listener !== undefined) messages.remove(listener);
  };
  const hold = {
    listener,
    abortable,
    aborted: undefined as Error | undefined,
    get failure() {
      return failure;
    },
    dispose,
    received: () => timer?.clear(),
    waiting: (on: boolean) => {
      if (unrefTimer && !done) on ? timer?.ref() : timer?.unref();
    },
  };
  if (signal?.aborted) {
    dispose();
    hold.aborted = abortErrorFor(signal);
    return hold;
  }
  // What is left of the timeout once the call waited `waitedMs` for room in the queue.
  const remaining = timeout === undefined ? undefined : timeout - (options.waitedMs ?? 0);
  if (timeout !== undefined && remaining !== undefined && remaining <= 0) {
    // A deadline already passed: rejected at once, like an aborted signal; no task runs.
    dispose();
    hold.aborted = new TimeoutError(timeoutMessage(timeout));
    return hold;
  }
  if (signal) unwatch = watchAbort(signal, () => fire(abortErrorFor(signal)));
  if (timeout !== undefined && remaining !== undefined) {
    timer = setTimeoutAtLeast(() => fire(new TimeoutError(timeoutMessage(timeout)), true), remaining);
    if (unrefTimer) timer.unref();
  }
  return hold;
}

/**
 * An `onMessage` that threw after its call had settled (with another outcome, such as a timeout):
 * nothing can reject any more, so the error becomes a process warning rather than a crash.
 */
function reportLateFailure(error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(`onMessage threw after its pool call had settled: ${text}`, {
    type: 'ProcessWarning',
    code: 'MP_CALLBACK_AFTER_SETTLE',
  });
}
