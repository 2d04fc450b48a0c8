/**
 * Flattens a stream of result chunks into a stream of results. A hand-written async iterator:
 * an async generator allocates several objects per `yield`, and `imap` yields millions of items,
 * so this keeps the garbage per item to the result record and its resolved promise. A failed
 * item the stream goes on after ({@link ItemFailure}) rejects its own `next()` only.
 */

import { disposableInEveryRealm } from '@multiproc/shared';
import { ItemFailure } from './stream.js';

/** Items between two polls: a small fraction of a 16k-item chunk, nothing next to the items' own cost. */
const POLL_EVERY = 1024;

export class Flatten<T> implements AsyncGenerator<T, void, undefined> {
  readonly #chunks: AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined>;
  #chunk: ArrayLike<unknown> | undefined;
  #index = 0;
  #done = false;
  readonly #poll: (() => void) | undefined;
  readonly #failed: ((error: unknown) => Promise<never>) | undefined;
  #count = 0;

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

  next(): Promise<IteratorResult<T, void>> {
    const chunk = this.#chunk;
    if (chunk !== undefined && this.#index < chunk.length) {
      if (++this.#count === POLL_EVERY) {
        this.#count = 0;
        this.#poll?.();
      }
      return Promise.resolve({ value: chunk[this.#index++] as T, done: false });
    }
    return this.#pull();
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
}

disposableInEveryRealm(Flatten.prototype);
