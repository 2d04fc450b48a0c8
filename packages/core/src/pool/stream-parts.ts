/**
 * What `stream.ts` uses that stands apart: the results of a chunk as the consumer gets them, and
 * the stepping and closing of a call's input.
 */

/**
 * A chunk's results as the consumer gets them: the values before the first failure, and that
 * failure; `more`: the results of the chunk's items after the failure, when they ran on (an
 * `imap` without `chunksize` sends them again, as Python's one-item tasks would run them).
 */
export interface ChunkResults {
  readonly values: ArrayLike<unknown>;
  readonly error?: unknown;
  readonly more?: ChunkResults;
}

/**
 * What the stream yields in place of a chunk's results for a failed item when the call goes on
 * after it (`StreamOptions.itemFailure`): the consumer rejects that one `next()` with `error`.
 */
export class ItemFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** A chunk the stream sent, until the consumer has read its results. */
export interface Pending<H, R> {
  /** Dropped once the chunk ended: only a chunk still out is cancelled, and what the handle holds dies young. */
  handle: H | undefined;
  /** The position of the chunk's first item in the input. */
  readonly base: number;
  settled: R | undefined;
  failure: unknown;
  done: boolean;
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

export function iteratorOf(source: Iterable<unknown> | AsyncIterable<unknown>): AnyIterator {
  const asyncIt = (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(source);
  const syncIt = (source as Iterable<unknown>)?.[Symbol.iterator];
  if (typeof syncIt === 'function') return syncIt.call(source);
  throw new TypeError('The input must be an iterable or an async iterable.');
}

/**
 * Asks an input to finish without waiting for it: a stalled async generator's `return()` settles
 * only after its pending `next()` does, maybe never.
 */
export function closeUnawaited(it: AnyIterator | undefined): void {
  try {
    const done = it?.return?.() as unknown;
    if (done && typeof (done as PromiseLike<unknown>).then === 'function')
      (done as PromiseLike<unknown>).then(undefined, () => {});
  } catch {
    // The input's own failure to close is no news for a call that already failed.
  }
}
