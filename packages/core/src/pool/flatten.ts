/**
 * Flattens a stream of result chunks into a stream of results. A hand-written async iterator:
 * an async generator allocates several objects per `yield`, and `imap` yields millions of items,
 * so this keeps the garbage per item to the result record and its resolved promise. A failed
 * item the stream goes on after ({@link ItemFailure}) rejects its own `next()` only.
 */
import { ItemFailure } from './stream.js';

/** Items between two polls: a small fraction of a 16k-item chunk, nothing next to the items' own cost. */
const POLL_EVERY = 1024;

export class Flatten<T> implements AsyncGenerator<T, void, undefined> {
  readonly #chunks: AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined>;
  #chunk: ArrayLike<unknown> | undefined;
  #index = 0;
  #done = false;
  readonly #poll: (() => void) | undefined;
  #count = 0;

  /** `poll`: called every POLL_EVERY items (it settles chunks the workers answered). */
  constructor(chunks: AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined>, poll?: () => void) {
    this.#chunks = chunks;
    this.#poll = poll;
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
      const step = await this.#chunks.next();
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

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
