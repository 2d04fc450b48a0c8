/**
 * The caller's lines on the error a pool call rejects with. A task's error carries the worker's
 * stack, and an error the pool makes itself (`TimeoutError`, `WorkerCrashedError`,
 * `PoolClosedError`) the stack of the pool's own timer or event: neither says where the program
 * called `apply()`/`map()`. Python shows both, its local traceback above the worker's
 * `RemoteTraceback`; here the error keeps its own stack first (where it was thrown) and gains the
 * frames of the code that awaited the call below a header line.
 *
 * The frames are V8's async stack trace, captured in the rejection handler of the promise the
 * caller awaits: nothing is captured for a call that succeeds, and a caller that does not await
 * (a bare `.then()` chain) gets the error unchanged.
 */

/** The line between the error's own stack and the caller's frames. */
export const CALLER_STACK_HEADER = '  Where the pool call was awaited:';

/** Where an error keeps the stack it had before a caller's frames were added (so they are added once). */
const ownStack: unique symbol = Symbol('multiproc.ownStack');

/**
 * Rethrows `err`, an `Error` given the frames of the code awaiting the promise this is the
 * rejection handler of (see the file's comment). Values that are not errors, and errors whose
 * `stack` is not a string or cannot be set, are rethrown as they are.
 * @example
 * return this.#engine.apply(task, args, options).catch(withCallerStack);
 */
export function withCallerStack(err: unknown): never {
  if (!(err instanceof Error)) throw err;
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, withCallerStack);
  // Only the awaiting functions' frames: Node's own (processTicksAndRejections) say nothing.
  const frames = (here.stack ?? '')
    .split('\n')
    .slice(1)
    .filter((line) => !line.includes('(node:internal/') && !line.includes(' node:internal/'));
  if (frames.length === 0) throw err;
  const e = err as Error & { [ownStack]?: string };
  try {
    let own = e[ownStack];
    if (own === undefined) {
      if (typeof e.stack !== 'string') throw err;
      own = e.stack;
      Object.defineProperty(e, ownStack, { value: own, configurable: true });
    }
    e.stack = `${own}\n${CALLER_STACK_HEADER}\n${frames.join('\n')}`;
  } catch {
    // A frozen error, or a stack that cannot be set: it goes as it is.
  }
  throw err;
}

/** `promise`, whose rejection gains the caller's frames ({@link withCallerStack}). */
export function keepCallerStack<T>(promise: Promise<T>): Promise<T> {
  return promise.catch(withCallerStack);
}
