/**
 * The other half of error-wire.ts: an error record from a manager rebuilt as what it stands for
 * (the same class when it is one of ours or a built-in, told by the record's `family`), and the
 * caller's stack put in front of the manager's ({@link withCallerStack}).
 */
import { builtinErrorClass } from '@multiproc/shared';
import { ownErrorClass } from '../own-errors.js';
import { mapStandIns } from './error-plain.js';
import type { ErrorRecord, Nested } from './error-wire.js';

// The errors being rebuilt (innermost last): a record's `{ ref: n }` is the error n levels up.
const rebuilding: Error[] = [];
// One answer's errors by record: a record held twice is rebuilt once, where met first (error-wire.ts).
let rebuilt: Map<ErrorRecord, Error> | undefined;

/** A value nested in a record, rebuilt. */
function unnest(n: Nested): unknown {
  if ('value' in n) return n.value;
  if ('plain' in n) return mapStandIns(n.plain, '', (nested) => unnest(nested as Nested));
  if ('ref' in n)
    return rebuilding[rebuilding.length - 1 - n.ref] ?? new Error('a reference to an unsent error');
  return fromRecord(n);
}

/**
 * A new error of the record's class: ours or a built-in by identity, else a plain `Error`. What
 * nests in it comes after ({@link fromRecord}): it may refer to the error itself.
 */
function construct(r: ErrorRecord): Error {
  const name = r.className ?? '';
  if (r.family === 'ours') {
    const C = ownErrorClass(name);
    // A real Error (the classes' constructors take different arguments) with the class's prototype.
    if (C) return Reflect.construct(Error, [r.message], C);
  } else if (r.family === 'builtin') {
    if (name === 'AggregateError') return new AggregateError([], r.message);
    const C = builtinErrorClass(name) as unknown as new (...args: unknown[]) => Error;
    // SuppressedError (Node 24): as itself where this Node has it, else an Error with its fields.
    if (name !== 'SuppressedError') return new C(r.message);
    if (typeof C === 'function' && r.suppressed) return new C(undefined, undefined, r.message);
  } else if (r.family === 'dom' && typeof DOMException === 'function') {
    return new DOMException(r.message, r.name);
  }
  return new Error(r.message);
}

/** Sets `key` on `e` as an own enumerable field, unless `e` has it already (its class's own). */
function setField(e: Error, key: string, value: unknown): void {
  if (!(key in e))
    Object.defineProperty(e, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * What a record stands for: the thrown value itself, or an error of the same class when it is
 * one of ours or a built-in (else an `Error` of that name), with the served object's stack, the
 * error's own fields, its cause, and an `AggregateError`'s `errors` or a `SuppressedError`'s
 * `error` and `suppressed`.
 */
export function fromRecord(r: ErrorRecord): unknown {
  if (r.thrown) return r.thrown.value;
  const outer = rebuilt === undefined;
  const errors = (rebuilt ??= new Map());
  const met = errors.get(r);
  if (met) return met;
  const e = construct(r);
  errors.set(r, e);
  rebuilding.push(e);
  try {
    nestIn(e, r);
  } finally {
    rebuilding.pop();
    if (outer) rebuilt = undefined;
  }
  return e;
}

/** Rebuilds what nests in `e`, in the order errorRecord() wrote it (fields, cause, errors). */
function nestIn(e: Error, r: ErrorRecord): void {
  const own = e as { errors?: unknown[]; error?: unknown; suppressed?: unknown };
  if (e.name !== r.name)
    Object.defineProperty(e, 'name', { value: r.name, writable: true, configurable: true });
  if (r.stack !== undefined) {
    e.stack = r.stack;
    Object.defineProperty(e, managerStack, { value: r.stack, configurable: true });
  }
  if (r.fields) for (const [key, value] of Object.entries(r.fields)) setField(e, key, value);
  if (r.objects) for (const [key, value] of Object.entries(r.objects)) setField(e, key, unnest(value));
  if (r.cause !== undefined) {
    Object.defineProperty(e, 'cause', { value: unnest(r.cause), writable: true, configurable: true });
  }
  if (r.errors && Array.isArray(own.errors)) own.errors.push(...r.errors.map(unnest));
  // An error named SuppressedError where this Node has no such class: `error` and `suppressed` as fields.
  if (r.suppressed && 'suppressed' in e) [own.error, own.suppressed] = r.suppressed.map(unnest);
  else if (r.suppressed) {
    setField(e, 'error', unnest(r.suppressed[0]));
    setField(e, 'suppressed', unnest(r.suppressed[1]));
  }
}

/** Where an error rebuilt from a record keeps the served object's stack (see {@link withCallerStack}). */
const managerStack: unique symbol = Symbol('multiproc.managerStack');

/**
 * Rethrows `err`; one a served object threw gets the stack of the call that awaited it here (its
 * caller's lines, as a local error has: V8 follows the awaiting async functions from this promise
 * reaction), then the manager's stack, as Python shows the local and the remote traceback. Use it
 * as the rejection handler of the promise the proxy's caller awaits.
 */
export function withCallerStack(err: unknown): never {
  const remote = (err as { [managerStack]?: string } | null)?.[managerStack];
  if (remote === undefined) throw err;
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, withCallerStack);
  const frames = (here.stack ?? '').split('\n').slice(1);
  if (frames.length === 0) throw err; // nothing awaited it: the manager's stack says the most
  const e = err as Error;
  // Its frames, and the notes error records add (`    (its stack could not be read: …)`).
  const remoteFrames = remote.split('\n').filter((l) => /^\s+(at |\()/.test(l));
  e.stack = [
    `${e.name}: ${e.message}`,
    ...frames,
    "  The manager's stack, where the served object threw it:",
    ...remoteFrames,
  ].join('\n');
  throw e;
}
