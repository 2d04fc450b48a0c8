/**
 * Errors cross a worker boundary as plain records and are rebuilt on the other side by the real
 * identity of their class, never by `name` alone:
 *
 * - `builtin`: `TypeError`, `RangeError`, `AggregateError` (with its `errors`), `SuppressedError`,
 *   the WebAssembly errors, ... come back as the same built-in class;
 * - `dom`: a `DOMException` comes back as a `DOMException` with its `name` (a task's own
 *   `AbortSignal.timeout()` stays a DOMException `TimeoutError`, not ours);
 * - `ours`: a class of `@multiproc/shared`, `ipc` or `core` comes back as that very class;
 * - `other`: anything else comes back as a plain `Error` carrying the task's `name`, message and
 *   own fields, even when its name matches one of ours (a task's own `ValidationError`).
 *
 * The class is found by walking the thrown error's prototype chain to the nearest class in these
 * tables, so a user subclass of `TypeError` comes back as a `TypeError` with the user's `name`.
 * `stack` is the worker's; `cause` and own fields are kept where they can be cloned.
 */
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { type CodecTarget, decodeValue, encodeValue } from '@multiproc/shared';
import * as errors from '../errors.js';
import { describeThrown } from './describe-thrown.js';

type Family = shared.ErrorFamily;

/** An error as it travels between threads or processes. */
export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Which table the class was found in, and its key there. */
  readonly family: Family;
  readonly className?: string;
  /** Own enumerable fields (such as `code`, `path`, `exitCode`), when they can be cloned. */
  readonly props: Record<string, unknown>;
  readonly cause?: unknown;
  /** `AggregateError.errors`, each packed like `cause`. */
  readonly errors?: unknown[];
  /** `SuppressedError.error` and `.suppressed`, packed like `cause`. */
  readonly suppressed?: readonly [unknown, unknown];
  /**
   * Set when something other than an Error was thrown: the thrown value itself (encoded by the
   * codec when `thrownEncoded`), or its text when it could not be sent (`thrownSent` false).
   */
  readonly thrown?: unknown;
  /** The thrown value travels as itself: the caller receives it, not an Error. */
  readonly thrownSent?: boolean;
  /** `thrown` went through the value codec (`encodeValue`) and must be decoded. */
  readonly thrownEncoded?: boolean;
  readonly isError: boolean;
}

/**
 * Makes the `ProcessError` classes among `values` travel as themselves, like the classes of
 * shared, ipc and core do (another multiproc package registers its own; other values are skipped).
 * The registry is `@multiproc/shared`'s (error-classes.ts), which ipc's manager replies use too.
 */
export const registerErrorClasses: (values: Iterable<unknown>) => void = shared.registerErrorClasses;
// Only the exports named `…Error` are read: reading any other (ipc's Manager, Listener, …) would
// load the code ipc keeps for first use (issue #18).
registerErrorClasses(
  Object.entries({ ...shared, ...ipc, ...errors })
    .filter(([name]) => name.endsWith('Error'))
    .map(([, value]) => value),
);

const MAX_DEPTH = 8;

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Past this many levels the codec refuses a value (its `SerializationError` names the path). */
const CODEC_NESTING = 1000;

/** Whether `value` nests containers deeper than `limit` (a receiver could not rebuild it). */
function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const seen = new Set<object>();
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [obj, level] = stack.pop()!;
    if (level > limit) return true;
    if (seen.has(obj)) continue;
    seen.add(obj);
    const items =
      obj instanceof Map
        ? [...obj.keys(), ...obj.values()]
        : obj instanceof Set
          ? [...obj]
          : Object.values(obj);
    for (const item of items) if (typeof item === 'object' && item !== null) stack.push([item, level + 1]);
  }
  return false;
}

/** A nested value (cause, aggregated error, error-valued field) as it can travel. */
function packNested(value: unknown, depth: number, path: string): unknown {
  if (value instanceof Error && depth < MAX_DEPTH) {
    return { __errorRecord: toErrorRecord(value, depth + 1, path) };
  }
  // Structured clone takes it here (a worker's deep stack), the caller's thread could not read it:
  // the codec's SerializationError names the path and the limit (toErrorRecord sends that instead).
  if (deeperThan(value, CODEC_NESTING)) encodeValue(value, 'thread', path);
  return cloneable(value) ? value : String(value);
}

function unpackNested(value: unknown): unknown {
  const v = value as { __errorRecord?: ErrorRecord } | null;
  return v && typeof v === 'object' && v.__errorRecord ? fromErrorRecord(v.__errorRecord) : value;
}

const classify = shared.classifyError;

/**
 * Turns anything thrown into a record that can be posted. A thrown non-Error value travels as
 * itself: through the value codec of `target` when given (as a pool worker's results do), else when
 * structured clone takes it.
 */
export function toErrorRecord(err: unknown, depth = 0, path = 'error', target?: CodecTarget): ErrorRecord {
  // An error that throws while it is read (a getter, a Proxy's trap) cannot be sent: the caller
  // gets a SerializationError naming the part, with what was thrown as its cause.
  const reading = { path };
  try {
    return err instanceof Error
      ? errorRecord(err, depth, reading)
      : thrownRecord(err, depth, reading, target);
  } catch (readErr) {
    // A part too deep to send: the codec's own error says where and why.
    if (readErr instanceof shared.SerializationError) return errorRecord(readErr, depth, { path });
    return errorRecord(unreadableError(err, reading.path, readErr), depth, { path });
  }
}

function unreadableError(err: unknown, path: string, readErr: unknown): shared.SerializationError {
  const text = (e: unknown): string => {
    try {
      return e instanceof Error ? `${e.name}: ${e.message}` : describeThrown(e);
    } catch {
      return 'a value that cannot be read';
    }
  };
  return new shared.SerializationError(
    path,
    `Cannot send ${path} back to the caller: reading it threw ${text(readErr)}. The error being ` +
      `sent was ${text(err)}; give errors plain fields (no getter or Proxy that throws).`,
    { cause: readErr instanceof Error ? readErr : text(readErr) },
  );
}

function errorRecord(err: Error, depth: number, reading: { path: string }): ErrorRecord {
  const { family, className } = classify(err);
  const props: Record<string, unknown> = {};
  const base = reading.path;
  for (const key of Object.keys(err)) {
    if (key === 'cause' || key === 'stack' || key === 'message') continue;
    reading.path = `${base}.${key}`;
    props[key] = packNested((err as any)[key], depth, reading.path);
  }
  reading.path = base;
  // A `code` getter (a DOMException's, ours) is answered by the rebuilt class itself.
  const code = (err as any).code;
  if (family === 'other' && code !== undefined && !('code' in props) && cloneable(code)) props.code = code;
  const record: Record<string, unknown> = {
    name: err.name,
    message: err.message,
    stack: err.stack,
    family,
    props,
    isError: true,
  };
  if (className) record.className = className;
  reading.path = `${base}.cause`;
  if ('cause' in err) record.cause = packNested(err.cause, depth, reading.path);
  if (className === 'AggregateError' && Array.isArray((err as AggregateError).errors)) {
    record.errors = (err as AggregateError).errors.map((e, i) =>
      packNested(e, depth, `${base}.errors[${i}]`),
    );
  }
  if (className === 'SuppressedError') {
    record.suppressed = [
      packNested((err as any).error, depth, `${base}.error`),
      packNested((err as any).suppressed, depth, `${base}.suppressed`),
    ];
  }
  reading.path = base;
  return record as unknown as ErrorRecord;
}

/** The thrown value as it travels, or why it cannot. */
function packThrown(
  value: unknown,
  target: CodecTarget | undefined,
): { thrown: unknown; thrownEncoded: boolean } | { reason: string } {
  if (target === undefined) {
    return cloneable(value)
      ? { thrown: value, thrownEncoded: false }
      : { reason: 'structured clone cannot copy it' };
  }
  try {
    const out = encodeValue(value, target, 'error');
    // The codec passes a Proxy through (it reads like its target): the reply's clone would refuse
    // it, failing the call as an unsendable result instead of describing what was thrown.
    if (!out.encoded && !cloneable(out.value)) return { reason: 'structured clone cannot copy it' };
    return { thrown: out.value, thrownEncoded: out.encoded };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : describeThrown(err) };
  }
}

/**
 * Something other than an Error was thrown (`throw 'retry'`, `throw { status: 409 }`): the caller
 * receives that very value, as a result would travel (see {@link thrownOrError}). A value that
 * cannot be sent (a function, a symbol) comes back as an `Error` whose message shows the value and
 * says why, with an object's own fields as the error's own fields (its string `name` and `message`
 * as the error's), and the value's text as `thrown`.
 */
function thrownRecord(
  value: unknown,
  depth: number,
  reading: { path: string },
  target: CodecTarget | undefined,
): ErrorRecord {
  const packed = packThrown(value, target);
  if ('thrown' in packed) {
    return {
      name: 'Error',
      message: `A non-Error value was thrown: ${describeThrown(value)}`,
      stack: undefined,
      family: 'other',
      props: {},
      isError: false,
      thrownSent: true,
      ...packed,
    };
  }
  const props: Record<string, unknown> = {};
  let name = 'Error';
  let message: string | undefined;
  let cause: { cause?: unknown } = {};
  const base = reading.path;
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      reading.path = `${base}.${key}`;
      const field = (value as Record<string, unknown>)[key];
      if (key === 'name' && typeof field === 'string' && field) name = field;
      else if (key === 'message' && typeof field === 'string') message = field;
      else if (key === 'cause') cause = { cause: packNested(field, depth, reading.path) };
      else if (key !== 'stack') props[key] = packNested(field, depth, reading.path);
    }
  }
  reading.path = base;
  return {
    name,
    message:
      message ??
      `A non-Error value was thrown: ${describeThrown(value)} (it cannot be sent back: ${packed.reason})`,
    stack: undefined,
    family: 'other',
    props,
    thrown: String(value),
    thrownSent: false,
    isError: false,
    ...cause,
  };
}

/**
 * What a failed call rejects with: the thrown value itself when a non-Error was thrown and could be
 * sent (decoded for `source`, the context it came from), else the rebuilt Error.
 */
export function thrownOrError(record: ErrorRecord, source: CodecTarget = 'process'): unknown {
  if (record.isError || !record.thrownSent) return fromErrorRecord(record);
  return record.thrownEncoded ? decodeValue(record.thrown, source) : record.thrown;
}

const builtinClass = shared.builtinErrorClass;

function construct(record: ErrorRecord): Error {
  switch (record.family) {
    case 'dom':
      return new DOMException(record.message, record.name);
    case 'ours': {
      const C = shared.ourErrorClass(record.className ?? '') ?? Error;
      // A real Error object (its constructor's arguments differ by class) with the class's prototype.
      return Reflect.construct(Error, [record.message], C);
    }
    case 'builtin': {
      if (record.className === 'AggregateError') {
        return new AggregateError((record.errors ?? []).map(unpackNested), record.message);
      }
      if (record.className === 'SuppressedError') {
        const [error, suppressed] = (record.suppressed ?? []).map(unpackNested);
        return new (globalThis as any).SuppressedError(error, suppressed, record.message);
      }
      const C = builtinClass(record.className ?? 'Error') as unknown as new (m: string) => Error;
      return new C(record.message);
    }
    default:
      return new Error(record.message);
  }
}

function define(target: object, key: string, value: unknown, enumerable = false): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}

/** Rebuilds an error from its record: same class by identity, same name, message, stack and fields. */
export function fromErrorRecord(record: ErrorRecord): Error {
  const err = construct(record);
  define(err, 'stack', record.stack);
  if (err.name !== record.name) define(err, 'name', record.name);
  for (const [key, value] of Object.entries(record.props)) {
    try {
      define(err, key, unpackNested(value), true);
    } catch {
      // A getter on the prototype (such as `code`) already answers for it.
    }
  }
  if ('cause' in record) define(err, 'cause', unpackNested(record.cause));
  if (!record.isError && 'thrown' in record) define(err, 'thrown', record.thrown);
  return err;
}

/** The codec type of an error sent as a value (a task's result or argument), not thrown. */
const ERROR_CODEC = 'multiproc.Error';

/**
 * Sends an error that is a value (a task returns it, or passes it as an argument) by the rules a
 * thrown one follows (`EncodeOptions.errors`), instead of structured clone, which would turn one
 * of this library's classes or a user's class into a plain `Error` without its name and fields.
 */
export const encodeError: shared.ErrorEncoder = (error, path) => ({
  type: ERROR_CODEC,
  data: toErrorRecord(error, 0, path),
});
/** `encodeValue()` options for task arguments and results: errors in them go by {@link encodeError}. */
export const ERRORS_AS_VALUES = { errors: encodeError } as const;
// Every realm that loads this module can read such a value (the registry is one per realm).
shared.registerCodec(ERROR_CODEC, (record) => fromErrorRecord(record as ErrorRecord));
