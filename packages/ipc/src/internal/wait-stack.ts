/**
 * The frames of the code that awaited a `get()` or `recv()` that had to wait, on the error it
 * rejects with (shared's `addCallerFrames`): a `QueueEmptyError` at the timeout, an `EOFError` or
 * a `ClosedError` is made in a timer's or a peer's event, whose stack names no line of the
 * program. Only the waiting path pays for it (nothing more than the handlers below, made once per
 * copy); a receive that fails at once fails inside the caller's own call, whose stack has them.
 */
import { addCallerFrames } from '@multiproc/shared';

export const GET_HEADER = '  Where the get() was awaited:';
export const RECV_HEADER = '  Where the recv() was awaited:';

/** What a wait's outcome goes through: `read` for its result, `failed` for its rejection. */
export interface WaitEnd<A, R> {
  readonly read: (result: A) => R;
  readonly failed: (err: unknown) => never;
}

/** `read`, and a rejection handler, whose errors gain the awaiting code's frames under `header`. */
export function waitEnd<A, R>(header: string, read: (result: A) => R): WaitEnd<A, R> {
  const wrapped = (result: A): R => {
    try {
      return read(result);
    } catch (err) {
      addCallerFrames(err, header, wrapped);
      throw err;
    }
  };
  const failed = (err: unknown): never => {
    addCallerFrames(err, header, failed);
    throw err;
  };
  return { read: wrapped, failed };
}
