/**
 * The caller's lines on the error a pool call or a `Process` method rejects with. A task's error
 * carries the worker's stack, and an error the pool makes itself (`TimeoutError`,
 * `WorkerCrashedError`, `PoolClosedError`) or a `Process` reports (`WorkerStartError` from
 * `join()`) the stack of the library's own timer or event: neither says where the program called
 * `apply()`/`map()`/`join()`. Python shows both, its local traceback above the worker's
 * `RemoteTraceback`; here the error keeps its own stack first (where it was thrown) and gains the
 * frames of the code that awaited the call below a header line. `@multiproc/bullmq`'s Pool uses
 * the same helper (through `@multiproc/core/internal`) for errors that come back over Redis.
 *
 * The frames are V8's async stack trace, captured in the rejection handler of the promise the
 * caller awaits: nothing is captured for a call that succeeds, and a caller that does not await
 * (a bare `.then()` chain) gets the error unchanged.
 */

/** The line between the error's own stack and the caller's frames, for a pool call. */
export const CALLER_STACK_HEADER = '  Where the pool call was awaited:';

/** The line for a `Process` method's rejection (`join()`, `terminate()`). */
export const PROCESS_CALLER_HEADER = '  Where the Process call was awaited:';

/**
 * Where an error keeps the stack it had before a caller's frames were added (so they are added
 * once). A registered symbol: each bundle that carries a copy of this file (core's index, its
 * `internal` entry that `@multiproc/bullmq` loads) reads the same key.
 */
const ownStack: unique symbol = Symbol.for('multiproc.ownStack') as typeof ownStack;

/**
 * Rethrows `err`, an `Error` given the frames of the code awaiting the promise this is the
 * rejection handler of (see the file's comment). Values that are not errors, and errors whose
 * `stack` is not a string or cannot be set, are rethrown as they are.
 * @example
 * return this.#engine.apply(task, args, options).catch(withCallerStack);
 */
export function withCallerStack(err: unknown): never {
  return addCallerStack(err, CALLER_STACK_HEADER, withCallerStack);
}

/** {@link withCallerStack} for a `Process` method's rejection (its own header line). */
export function withProcessCallerStack(err: unknown): never {
  return addCallerStack(err, PROCESS_CALLER_HEADER, withProcessCallerStack);
}

/** Rethrows `err` with the frames below `handler`'s (the rejection handler) under `header`. */
function addCallerStack(err: unknown, header: string, handler: (err: unknown) => never): never {
  if (!(err instanceof Error)) throw err;
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, handler);
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
    e.stack = `${own}\n${header}\n${frames.join('\n')}`;
  } catch {
    // A frozen error, or a stack that cannot be set: it goes as it is.
  }
  throw err;
}

/** `promise`, whose rejection gains the caller's frames ({@link withCallerStack}). */
export function keepCallerStack<T>(promise: Promise<T>): Promise<T> {
  return promise.catch(withCallerStack);
}

/**
 * `err` with the stack it had before {@link withCallerStack} added a caller's frames: for an error
 * sent on to another program (`multiproc-worker` answers a job with its local pool's error), where
 * the frames of the code that awaited the local call mean nothing; the receiving side adds its own.
 */
export function withoutCallerStack<T>(err: T): T {
  const e = err as (Error & { [ownStack]?: string }) | null;
  const own = typeof e === 'object' && e !== null ? e[ownStack] : undefined;
  if (own === undefined) return err;
  try {
    e!.stack = own;
    delete e![ownStack];
  } catch {
    // A frozen error: it goes as it is.
  }
  return err;
}
