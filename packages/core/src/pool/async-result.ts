/**
 * `AsyncResult`: the handle `applyAsync`/`mapAsync`/`starmapAsync` return. Mirrors Python's
 * `multiprocessing.pool.AsyncResult`, and is also awaitable like a Promise.
 */
import {
  ProcessError,
  resolveTimeout,
  secondsHint,
  setTimeoutAtLeast,
  type Timeout,
  TimeoutError,
} from '@multiproc/shared';
import { guardMethods } from '../internal/arity.js';
import type { TaskSpec } from '../internal/batch.js';
import { keepCallerStack } from '../internal/caller-stack.js';
import { refuseToSend } from '../internal/host-bound.js';
import { type Inspect, inspectSymbol, showFields } from '../internal/inspect.js';
import { askedByDependency, unawaitedResultError } from '../internal/unawaited-result.js';
import { firstCallHint } from './first-calls.js';

type State = 'pending' | 'fulfilled' | 'rejected';

/**
 * The eventual result of an asynchronous pool call. Python: `AsyncResult`.
 * @example
 * const r = pool.applyAsync(tasks.square, [7]);
 * console.log(await r);          // 49
 * console.log(await r.get(1000)); // 49, or TimeoutError after 1 s
 */
export class AsyncResult<R> implements PromiseLike<R> {
  readonly #promise: Promise<R>;
  readonly #spec: TaskSpec | undefined;
  #state: State = 'pending';

  /**
   * @internal Made by the pool; user code receives it from the `…Async` methods. `spec`: the call's
   * task in its pool, for what a timeout of `get()` says (first-calls.ts).
   */
  constructor(promise: Promise<R>, spec?: TaskSpec) {
    this.#spec = spec;
    this.#promise = promise.then(
      (value) => {
        this.#state = 'fulfilled';
        return value;
      },
      (error) => {
        this.#state = 'rejected';
        throw error;
      },
    );
    // A result nobody awaits must not become an unhandled rejection: get()/then() report it.
    this.#promise.catch(() => {});
  }

  // biome-ignore lint/suspicious/noThenProperty: AsyncResult is deliberately awaitable.
  then<T1 = R, T2 = never>(
    onfulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: any) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return keepCallerStack(this.#promise).then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<T = never>(onrejected?: ((reason: any) => T | PromiseLike<T>) | null): Promise<R | T> {
    return keepCallerStack(this.#promise).catch(onrejected);
  }

  /**
   * Like `Promise.prototype.finally`: runs `onfinally` once the call settles, either way, and
   * passes its outcome through (unless `onfinally` throws or rejects).
   * @example
   * const r = pool.applyAsync(tasks.square, [7]).finally(() => console.log('settled')); // settled
   * console.log(await r); // 49
   */
  finally(onfinally?: (() => void) | null): Promise<R> {
    return keepCallerStack(this.#promise).finally(onfinally);
  }

  /**
   * The result, once ready. Rejects with the task's error, or with `TimeoutError` when the timeout
   * passes first (the task itself goes on). Python: `get(timeout)`.
   * @param timeoutMs a number of ms or `{ timeout }`; nothing waits until the result is ready; a
   *   negative one does not wait, as in Python.
   * @throws {ValidationError} (as a rejection) for a timeout in another form, or a second argument.
   */
  get(timeoutMs?: Timeout): Promise<R> {
    let ms: number;
    try {
      ms = resolveTimeout(timeoutMs, 'AsyncResult.get()', { negativeIsZero: true }).timeoutMs;
    } catch (err) {
      return Promise.reject(err);
    }
    // The rejection gains the frames of the code awaiting get() (caller-stack.ts).
    if (ms === Number.POSITIVE_INFINITY || this.#state !== 'pending') return keepCallerStack(this.#promise);
    const timed = new Promise<R>((resolve, reject) => {
      const timer = setTimeoutAtLeast(
        () =>
          reject(
            new TimeoutError(
              `The result was not ready within ${ms} ms.${firstCallHint(this.#spec, ms)}${secondsHint(ms)}`,
            ),
          ),
        ms,
      );
      this.#promise.then(resolve, reject).finally(() => timer.clear());
    });
    return keepCallerStack(timed);
  }

  /**
   * Waits until the result is ready or the timeout passes; resolves to {@link ready}. Python: `wait(timeout)`.
   * @param timeoutMs a number of ms or `{ timeout }`; nothing waits until the result is ready; a
   *   negative one does not wait, as in Python.
   * @throws {ValidationError} (as a rejection) for a timeout in another form, or a second argument.
   */
  async wait(timeoutMs?: Timeout): Promise<boolean> {
    resolveTimeout(timeoutMs, 'AsyncResult.wait()', { negativeIsZero: true });
    await this.get(timeoutMs).catch(() => {});
    return this.ready();
  }

  /**
   * What `console.log(r)` shows: `AsyncResult { ready: false }`, then `AsyncResult { ready: true,
   * successful: true }` (Python's `ready()` and `successful()`).
   * @throws Nothing: unlike `successful()`, it does not throw while the call is pending.
   * @example
   * const r = pool.applyAsync(tasks.square, [7]);
   * await r;
   * console.log(r); // AsyncResult { ready: true, successful: true }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const fields =
      this.#state === 'pending' ? { ready: false } : { ready: true, successful: this.#state === 'fulfilled' };
    return showFields('AsyncResult', fields, options, inspect);
  }

  /**
   * Whether the call has completed. Python: `ready()`.
   * @throws {ValidationError} when given an argument.
   */
  ready(): boolean {
    return this.#state !== 'pending';
  }

  /**
   * Whether the call completed without an error. Python: `successful()`.
   * @throws {ProcessError} when the result is not ready yet (Python: `ValueError`): await the
   *   result, or `wait()`, first.
   * @throws {ValidationError} when given an argument.
   */
  successful(): boolean {
    if (this.#state === 'pending') {
      throw new ProcessError(
        'The result is not ready yet: await it first (`await result`, or `await result.wait()`). ' +
          "get() and wait() return Promises: one that was not awaited has not waited, where Python's blocks.",
      );
    }
    return this.#state === 'fulfilled';
  }
}

// As Python's raise TypeError for `get(1, 2)`: JavaScript would drop the extra argument silently;
// a loop over get()'s unawaited Promise says to await it (unawaited-result.ts).
guardMethods(AsyncResult.prototype, 'AsyncResult', { get: 1, wait: 1, ready: 0, successful: 0 }, ['get']);
refuseToSend(AsyncResult.prototype, 'AsyncResult');
// `for (const r of pool.mapAsync(...))`: say to await it (unawaited-result.ts). At run time only, so
// TypeScript still refuses the loop, and `for await` falls back to it with the same advice.
Object.defineProperty(AsyncResult.prototype, Symbol.iterator, {
  configurable: true,
  writable: true,
  value: function unawaitedAsyncResult(): Iterator<never> {
    if (askedByDependency(unawaitedAsyncResult)) return [][Symbol.iterator](); // a deep equality's probe
    throw unawaitedResultError('AsyncResult');
  },
});
