/**
 * How a thrown non-Error reads in a message or on stderr. A module of its own, so that the
 * process worker entry prints a target's throw without loading the error records (issue #18).
 */

/**
 * How a thrown non-Error reads in a message or on stderr: a string as is, anything else inspected.
 * @internal
 */
export function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    // Loaded here, not imported: node:util as an ES module reads every export on Node 22+, and
    // one of them touches process.stderr, which loads node:net when stderr is a pipe.
    return process
      .getBuiltinModule('node:util')
      .inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY });
  } catch {
    return textOf(value);
  }
}

/**
 * `String(value)`, or what kind of value it is where `String()` itself throws (an array holding a
 * symbol, an object without a prototype, a `toString` that throws): a thrown value is described,
 * never made to throw again while its failure is being reported.
 * @internal
 */
export function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * How an error reads on stderr, as Node prints an uncaught one (and Python a chained traceback):
 * its stack, then its own fields, its `[cause]` and an `AggregateError`'s `[errors]`. Anything else
 * as {@link describeThrown}.
 * @internal
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return describeThrown(error);
  try {
    return process.getBuiltinModule('node:util').inspect(error, { depth: 4 });
  } catch {
    return error.stack ?? `${error.name}: ${error.message}`;
  }
}
