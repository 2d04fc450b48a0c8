/**
 * Cycles through errors: an error whose `cause` is itself, two errors each other's cause, an
 * error in its own field or in its own `AggregateError.errors`. A record met again while it is
 * being written travels as a reference to it, `{ __errorRef: n }` (`n`: how many errors up the
 * chain being written, 0 for the error itself), and is rebuilt as that very error, so the cycle
 * comes back a cycle (as structured clone keeps an object graph's cycles) instead of failing the
 * send or coming back as copies until the depth limit. A record holding references is still one
 * record wherever its error is met again in the message: the receiver rebuilds it once, where it
 * meets it first, which is where it was written, so its references resolve there.
 *
 * The two stacks live on `globalThis`: writing and rebuilding run synchronously, and may pass
 * through another copy of this module (the codec's error decoder is registered once per realm).
 */

/** A reference to an error being written, `n` levels up (0: the error itself). @internal */
export interface ErrorBackRef {
  readonly __errorRef: number;
}

const KEY = Symbol.for('multiproc.errorCycles');
const state = ((globalThis as any)[KEY] ??= { written: [], rebuilt: [] }) as {
  written: unknown[];
  rebuilt: unknown[];
};
const { written, rebuilt } = state;

/** `value` as a reference when it is an error being written now, else `undefined`. */
export function backRef(value: unknown): ErrorBackRef | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const at = written.lastIndexOf(value);
  if (at < 0) return undefined;
  return { __errorRef: written.length - 1 - at };
}

/** Runs `write` (synchronous) with `err` marked as being written. */
export function writing<T>(err: Error, write: () => T): T {
  written.push(err);
  try {
    return write();
  } finally {
    written.pop();
  }
}

/** Whether `value` is a reference {@link backRef} made. */
export function isBackRef(value: unknown): value is ErrorBackRef {
  return typeof value === 'object' && value !== null && typeof (value as any).__errorRef === 'number';
}

/** The error a reference stands for, among those being rebuilt (a plain Error if none is). */
export function refTarget(ref: ErrorBackRef): Error {
  const target = rebuilt[rebuilt.length - 1 - ref.__errorRef];
  return (target ?? new Error('an error that referred to an error not sent with it')) as Error;
}

/**
 * Rebuilds an error: `build` makes it with nothing nested in it yet, then `finish` rebuilds what
 * nests in it (its fields, `cause`, `errors`), where references to it resolve to it.
 */
export function rebuilding(build: () => Error, finish: (err: Error) => Error): Error {
  const slot = rebuilt.length;
  try {
    const err = build();
    rebuilt.push(err);
    return finish(err);
  } finally {
    rebuilt.length = slot;
  }
}
