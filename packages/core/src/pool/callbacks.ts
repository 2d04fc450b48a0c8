/**
 * The `callback`/`errorCallback` of the `…Async` calls (Python's result-handler callbacks), for this
 * Pool and `@multiproc/bullmq`'s.
 */
import type { AsyncCallOptions } from './options.js';

/**
 * Calls `callback`/`errorCallback` when the call settles (Python's result-handler callbacks), then
 * settles with the call's own outcome, as Python's `ApplyResult._set()` stores it before calling
 * them. A callback that returns a promise (an `async` one) is awaited first. What a callback throws
 * (or its promise rejects with) is the user's error, not the call's: it is thrown as an uncaught
 * exception ({@link reportCallbackError}), as Node does for any callback an API calls, and as
 * Python's result-handler thread prints its traceback when a callback raises.
 */
export function settleCall<R>(promise: Promise<R>, options: AsyncCallOptions<R>): Promise<R> {
  const { callback, errorCallback } = options;
  if (!callback && !errorCallback) return promise;
  return promise.then(
    async (value) => {
      if (callback) await runCallback(() => callback(value), false, undefined);
      return value;
    },
    async (error) => {
      if (errorCallback) await runCallback(() => errorCallback(error), true, error);
      throw error;
    },
  );
}

/** Runs a user callback; what it throws or rejects with goes to {@link reportCallbackError}. */
async function runCallback(call: () => unknown, handling: boolean, original: unknown): Promise<void> {
  try {
    await call();
  } catch (thrown) {
    reportCallbackError(handling ? chained(thrown, original) : thrown);
  }
}

/**
 * Throws `error` on its own turn, so that it reaches `process.on('uncaughtException')` (by default
 * Node prints it and ends the program, with exit code 1), as a throw from a timer's or an
 * EventEmitter listener's callback does: the pool's machinery, which called the callback, goes on.
 * Not an `'error'` event of the pool: that would say the pool failed, and with no listener it would
 * throw all the same.
 */
export function reportCallbackError(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
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
