/**
 * The input side of a stream of map chunks: stepping the iterable, asking it to finish, and the
 * registry through which a pool's terminate() stops the streams that wait on their input.
 */

/** Ends a stream with `error`: its consumer's pending or next `next()` rejects with it. */
export type StopStream = (error: unknown) => void;

/**
 * The streams waiting on their input right now (`StreamOptions.inputWaits`).
 * `stopAll()` stops them, and any stream that starts waiting later, at once: the pool is gone.
 */
export class InputWaits {
  readonly #stops = new Set<StopStream>();
  #stopped: (() => unknown) | undefined;

  add(stop: StopStream): void {
    if (this.#stopped) stop(this.#stopped());
    else this.#stops.add(stop);
  }

  delete(stop: StopStream): void {
    this.#stops.delete(stop);
  }

  /** Stops every waiting stream, each with an error of its own from `errorOf`. */
  stopAll(errorOf: () => unknown): void {
    this.#stopped ??= errorOf;
    const stops = [...this.#stops];
    this.#stops.clear();
    for (const stop of stops) stop(errorOf());
  }
}

export type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

export function iteratorOf(source: Iterable<unknown> | AsyncIterable<unknown>): AnyIterator {
  const asyncIt = (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(source);
  const syncIt = (source as Iterable<unknown>)?.[Symbol.iterator];
  if (typeof syncIt === 'function') return syncIt.call(source);
  throw new TypeError('The input must be an iterable or an async iterable.');
}

/** The error `for...of` throws for an iterator whose `next()` returned `step`, not an object. */
export function notAnIteratorResult(step: unknown): TypeError {
  return new TypeError(`Iterator result ${String(step)} is not an object`);
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
