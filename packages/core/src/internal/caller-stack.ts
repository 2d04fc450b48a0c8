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
 * (a bare `.then()` chain) gets the error unchanged. The capture itself is shared's
 * `addCallerFrames`, which ipc's waiting `get()`/`recv()` use too.
 */

import { addCallerFrames, OWN_STACK } from '@multiproc/shared';

/** The line between the error's own stack and the caller's frames, for a pool call. */
export const CALLER_STACK_HEADER = '  Where the pool call was awaited:';

/** The line for a `Process` method's rejection (`join()`, `terminate()`). */
export const PROCESS_CALLER_HEADER = '  Where the Process call was awaited:';

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
  addCallerFrames(err, header, handler);
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
  const e = err as (Error & { [OWN_STACK]?: string }) | null;
  const own = typeof e === 'object' && e !== null ? e[OWN_STACK] : undefined;
  if (own === undefined) return err;
  try {
    e!.stack = own;
    delete e![OWN_STACK];
  } catch {
    // A frozen error: it goes as it is.
  }
  return err;
}
