/**
 * Flattens a stream of result chunks into a stream of results. A hand-written async iterator:
 * an async generator allocates several objects per `yield`, and `imap` yields millions of items,
 * so this keeps the garbage per item to the result record and its resolved promise. A failed
 * item the stream goes on after ({@link ItemFailure}) rejects its own `next()` only.
 */

import {
  type AtLeastTimeout,
  disposableInEveryRealm,
  resolveTimeout,
  setTimeoutAtLeast,
  type Timeout,
  TimeoutError,
} from '@multiproc/shared';
import { keepCallerStack } from '../internal/caller-stack.js';
import { refuseToSend } from '../internal/host-bound.js';
import { type Inspect, inspectSymbol, showFields } from '../internal/inspect.js';
import { ItemFailure } from './stream.js';

/**
 * What `pool.imap()` and `pool.imapUnordered()` return: an async generator of the results whose
 * `next()` also takes a timeout. Python: `IMapIterator`.
 */
export interface ImapIterator<T> extends AsyncGenerator<T, void, undefined> {
  /**
   * The next result. With a timeout, rejects with `TimeoutError` when no result arrived within it;
   * the result it waited for is not lost: the following `next()` gives it. Python:
   * `IMapIterator.next(timeout)`.
   * @param timeout a number of ms or `{ timeout }`; none waits until the result arrives; a negative
   *   one does not wait, as in Python.
   * @throws {TimeoutError} (as a rejection) when the timeout passes first.
   * @throws {ValidationError} (as a rejection) for a timeout in another form.
   * @example
   * const it = pool.imap(tasks.square, [1, 2, 3]);
   * console.log((await it.next(30_000)).value); // 1, or TimeoutError after 30 s
   */
  next(timeout?: Timeout): Promise<IteratorResult<T, void>>;
}

/** Items between two polls: a small fraction of a 16k-item chunk, nothing next to the items' own cost. */
const POLL_EVERY = 1024;

export class Flatten<T> implements ImapIterator<T> {
  readonly #chunks: AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined>;
  #chunk: ArrayLike<unknown> | undefined;
  #index = 0;
  #done = false;
  readonly #poll: (() => void) | undefined;
  readonly #failed: ((error: unknown) => Promise<never>) | undefined;
  #count = 0;
  /** A pull in flight: later `next()` calls wait for it, so two never read the chunks at once. */
  #tail: Promise<unknown> | undefined;
  /** Pulls whose timed `next()` gave up, in order: the next `next()` calls take them first. */
  readonly #waiting: Promise<IteratorResult<T, void>>[] = [];

  /**
   * `poll`: called every POLL_EVERY items (it settles chunks the workers answered). `failed`: what a
   * `next()` the stream failed awaits before it rejects (the pool's `terminate()`, as its other calls).
   */
  constructor(
    chunks: AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined>,
    poll?: () => void,
    failed?: (error: unknown) => Promise<never>,
  ) {
    this.#chunks = chunks;
    this.#poll = poll;
    this.#failed = failed;
  }

  next(timeout?: Timeout): Promise<IteratorResult<T, void>> {
    if (timeout === undefined && this.#tail === undefined && this.#waiting.length === 0) return this.#step();
    let ms: number;
    try {
      ms = resolveTimeout(timeout, 'imap next()', { negativeIsZero: true }).timeoutMs;
    } catch (err) {
      return Promise.reject(err);
    }
    const step = this.#waiting.shift() ?? this.#queued();
    if (ms === Number.POSITIVE_INFINITY) return keepCallerStack(step);
    let timer: AtLeastTimeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeoutAtLeast(() => {
        // The result this call waited for goes to the next caller, its failure too (handled meanwhile).
        step.catch(() => {});
        this.#waiting.push(step);
        reject(new TimeoutError(`No result arrived within ${ms} ms.`));
      }, ms);
    });
    return keepCallerStack(Promise.race([step, expired]).finally(() => timer?.clear()));
  }

  /** The next step, after the pull in flight (if any) has settled. */
  #queued(): Promise<IteratorResult<T, void>> {
    const tail = this.#tail;
    return tail === undefined ? this.#step() : tail.then(this.#stepAfter, this.#stepAfter);
  }

  readonly #stepAfter = (): Promise<IteratorResult<T, void>> => this.#step();

  #step(): Promise<IteratorResult<T, void>> {
    const chunk = this.#chunk;
    if (chunk !== undefined && this.#index < chunk.length) {
      if (++this.#count === POLL_EVERY) {
        this.#count = 0;
        this.#poll?.();
      }
      return Promise.resolve({ value: chunk[this.#index++] as T, done: false });
    }
    const pull = this.#pull();
    this.#tail = pull;
    const settled = (): void => {
      if (this.#tail === pull) this.#tail = undefined;
    };
    pull.then(settled, settled);
    // Only a pull can fail: its rejection gains the frames of the loop awaiting it (caller-stack.ts).
    return keepCallerStack(pull);
  }

  async #pull(): Promise<IteratorResult<T, void>> {
    if (this.#done) return { value: undefined, done: true };
    for (;;) {
      let step: IteratorResult<ArrayLike<unknown> | ItemFailure, void>;
      try {
        step = await this.#chunks.next();
      } catch (error) {
        if (this.#failed) await this.#failed(error);
        throw error;
      }
      if (step.done) {
        this.#done = true;
        this.#chunk = undefined;
        return { value: undefined, done: true };
      }
      if (step.value instanceof ItemFailure) throw step.value.error;
      if (step.value.length > 0) {
        this.#chunk = step.value;
        this.#index = 1;
        return { value: step.value[0] as T, done: false };
      }
    }
  }

  async return(): Promise<IteratorResult<T, void>> {
    this.#done = true;
    this.#chunk = undefined;
    await this.#chunks.return();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<T, void>> {
    this.#done = true;
    this.#chunk = undefined;
    await this.#chunks.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * `for (const v of pool.imap(...))` (Python's `for v in pool.imap(...)`): the results arrive
   * asynchronously, so say to write `for await`, instead of V8's "is not iterable".
   */
  [Symbol.iterator](): never {
    throw new TypeError(
      'pool.imap() and pool.imapUnordered() yield their results as they arrive: loop with ' +
        '`for await (const v of pool.imap(...))` (in an async function or an ES module), not `for (... of ...)`; ' +
        'or collect them all with `await pool.map(...)`.',
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /**
   * What `console.log(it)` shows: `IMapIterator { done: false }` (Python's class name), with how
   * to read it, rather than this class's internal name and no fields (they are private).
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const fields = { done: this.#done && this.#waiting.length === 0, read: 'for await (const v of it)' };
    return showFields('IMapIterator', fields, options, inspect);
  }

  get [Symbol.toStringTag](): string {
    return 'IMapIterator';
  }
}

disposableInEveryRealm(Flatten.prototype);
refuseToSend(Flatten.prototype, 'ImapIterator');
