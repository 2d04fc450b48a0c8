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

/** `Name: message` of an error, else what inspect() shows of the value. */
export function readErrText(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : describeThrown(e);
  } catch {
    return 'a value that cannot be read';
  }
}

/**
 * The stack of an error whose `stack` getter threw: `Name: message` and a line saying so (as Node
 * itself does for a worker's uncaught error since nodejs/node#26145: keep what can be read).
 */
export function unreadableStack(name: string, message: string, readErr: unknown): string {
  return `${name}: ${message}\n    (its stack could not be read: reading it threw ${readErrText(readErr)})`;
}

/** The text that stands for the message of an error whose `message` getter threw `readErr`. */
export function unreadableMessage(readErr: unknown): string {
  return `(its message could not be read: reading it threw ${readErrText(readErr)})`;
}

/**
 * The name of the class of `err` as its prototype chain tells it (the nearest `constructor` that is
 * a named function, read without running a getter), else `'Error'`: an error whose `name` getter
 * throws is still named by its class (`class QuotaError extends Error { get name() { throw … } }`).
 */
export function classNameOf(err: object): string {
  try {
    for (let p = Object.getPrototypeOf(err); p !== null; p = Object.getPrototypeOf(p)) {
      const C = Object.getOwnPropertyDescriptor(p, 'constructor')?.value;
      const name = typeof C === 'function' ? Object.getOwnPropertyDescriptor(C, 'name')?.value : undefined;
      if (typeof name === 'string' && name) return name;
    }
  } catch {
    // A Proxy whose getPrototypeOf trap throws: nothing more can be told.
  }
  return 'Error';
}

/** `error[key]`, else `fallback(what reading it threw)`. */
function readOr(error: object, key: string, fallback: (readErr: unknown) => string): string {
  try {
    return textOf((error as Record<string, unknown>)[key]);
  } catch (readErr) {
    return fallback(readErr);
  }
}

/**
 * How an error reads on stderr, as Node prints an uncaught one (and Python a chained traceback):
 * its stack, then its own fields, its `[cause]` and an `AggregateError`'s `[errors]`. Anything else
 * as {@link describeThrown}. Never throws: an error whose `name`, `message` or `stack` getter throws
 * reads as its class's name, a text saying what could not be read and why, and its stack or a note.
 * @internal
 */
export function describeError(error: unknown): string {
  try {
    if (!(error instanceof Error)) return describeThrown(error);
    // Reading them first: inspect() throws on Node 20 where one of them does, prints `[object Error]` on 22+.
    void [error.name, error.message, error.stack];
    return process.getBuiltinModule('node:util').inspect(error, { depth: 4 });
  } catch {
    // A getter that throws (name, message, stack; a Proxy's trap): what can be read, and why not the rest.
    const err = error as object;
    const name = readOr(err, 'name', () => classNameOf(err));
    const message = readOr(err, 'message', unreadableMessage);
    try {
      const stack = (err as { stack?: unknown }).stack;
      if (typeof stack === 'string') return stack;
    } catch (readErr) {
      return unreadableStack(name, message, readErr);
    }
    return `${name}: ${message}`;
  }
}
