/**
 * Errors cross a worker boundary as plain records and are rebuilt on the other side by the real
 * identity of their class, never by `name` alone:
 *
 * - `builtin`: `TypeError`, `RangeError`, `AggregateError` (with its `errors`), `SuppressedError`,
 *   the WebAssembly errors, ... come back as the same built-in class (as an `Error` of that name
 *   with the same fields where this Node lacks the class: a `SuppressedError` on Node 20 and 22);
 * - `dom`: a `DOMException` comes back as a `DOMException` with its `name` (a task's own
 *   `AbortSignal.timeout()` stays a DOMException `TimeoutError`, not ours);
 * - `ours`: a class of `@multiproc/shared`, `ipc` or `core` comes back as that very class;
 * - `other`: anything else comes back as a plain `Error` carrying the task's `name`, message and
 *   own fields, even when its name matches one of ours (a task's own `ValidationError`).
 *
 * The class is found by walking the thrown error's prototype chain to the nearest class in these
 * tables, so a user subclass of `TypeError` comes back as a `TypeError` with the user's `name`.
 * `stack` is the worker's. `cause` and own fields travel through the value codec, as results do:
 * a `URL` cause comes back as a `URL` on every Node version. One the codec cannot send (a function,
 * a `Headers`, a `Blob` to a process) comes back as a `SerializationError` naming it (`error.cause`).
 */
import { encodeValue, registerCodec } from '../codec.js';
import { CODEC_TAG, type CodecMemo, type CodecTarget, type ErrorEncoder } from '../codec-types.js';
import type { PendingLoad } from '../decode-loads.js';
import type { ErrorFamily as Family } from '../error-classes.js';
import { ProcessError, SerializationError } from '../errors.js';
import { madeRecords } from './codec-memo.js';
import { describeThrown, textOf } from './describe-thrown.js';
import { cutCauseChain } from './error-chain-cut.js';
import { packSendableParts } from './error-field-parts.js';
import {
  classOf,
  hasCause,
  isUnreadable,
  markUnreadable,
  ownKeysOf,
  readErrText,
  readHead,
  readPart,
  unreadablePartError,
  unreadableStack,
  unreadableValuePart,
} from './error-parts.js';
import { fromErrorRecord } from './error-rebuild.js';
import { backRef, isBackRef, writing } from './error-refs.js';
import { deeperThan } from './nesting.js';
import { isError } from './realms.js';
import { cloneable, moveOrRefuse, packThrown, unsentThrownText } from './thrown-value.js';

export { fromErrorRecord, thrownOrError } from './error-rebuild.js';

/**
 * An error as it travels between threads or processes.
 * @internal
 */
export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Which table the class was found in, and its key there. */
  readonly family: Family;
  readonly className?: string | undefined;
  /** Own enumerable fields (such as `code`, `path`, `exitCode`), when they can be cloned. */
  readonly props: Record<string, unknown>;
  readonly cause?: unknown;
  /** `AggregateError.errors`, each packed like `cause`. */
  readonly errors?: unknown[] | undefined;
  /** `SuppressedError.error` and `.suppressed`, packed like `cause`. */
  readonly suppressed?: readonly [unknown, unknown] | undefined;
  /**
   * Set when something other than an Error was thrown: the thrown value itself (encoded by the
   * codec when `thrownEncoded`), or its text when it could not be sent (`thrownSent` false).
   */
  readonly thrown?: unknown;
  /** The thrown value travels as itself: the caller receives it, not an Error. */
  readonly thrownSent?: boolean | undefined;
  /** `thrown` went through the value codec (`encodeValue`) and must be decoded. */
  readonly thrownEncoded?: boolean | undefined;
  readonly isError: boolean;
}

const MAX_DEPTH = 8;

/** The codec type of an error sent as a value (a task's result or argument), not thrown. */
const ERROR_CODEC = 'multiproc.Error';

/**
 * What else a thrown error's record is told by the one who sends it (`toErrorRecord`).
 * @internal
 */
export interface RecordOptions {
  /**
   * Where what its nested values move goes (a thread's reply transfers it: the port of a queue or
   * pipe end in a field). Without it, a nested value that must be transferred (a port) stands in
   * as a `SerializationError` naming it: the record is sent more than once, or where nothing moves.
   */
  readonly transfer?: object[] | undefined;
  /**
   * Throws (a `ProcessError`) for a nested value that cannot go where the record goes, as the codec
   * throws for one no process can read: a queue or pipe end through Redis, which only connects
   * processes of one machine. That part stands in as the error, the rest of the error kept.
   */
  readonly check?: ((value: unknown, path: string) => void) | undefined;
  /**
   * The memo of the message the record is part of (an error sent as a value: the value's), so an
   * object in two of its parts (two fields, a field and the cause) arrives as one object, as
   * structured clone keeps it. Without it the record has a memo of its own.
   */
  readonly memo?: CodecMemo | undefined;
}

/**
 * How the nested values of a record (`cause`, own fields, aggregated errors) travel: through the
 * value codec for `target`, as results do. `refuse`: a part the codec cannot send fails the send
 * (an error sent as a value); otherwise (a thrown error, which must reach the caller) that part is
 * replaced by the codec's `SerializationError` naming it.
 */
interface Packing extends RecordOptions {
  readonly target: CodecTarget;
  readonly refuse: boolean;
  readonly memo: CodecMemo;
  /** Each nested error packed so far, and its packed form: the same error twice is one record. */
  readonly packed: Map<object, unknown>;
}

/**
 * A nested value (cause, aggregated error, error-valued field) as it can travel. Through the codec,
 * never by a bare structured clone: that turns a `URL` into `{}` on Node 20 and refuses it on 22+
 * (so it went as `String(value)` there), and gives `{}` for a `Headers` or `Blob` to a process.
 * With the codec a `URL` (`URLSearchParams`, `DOMException`, an error in a plain object, ...) comes
 * back as itself on every Node version, and what it cannot send is named, never turned into `{}`.
 */
function packNested(value: unknown, depth: number, path: string, how: Packing): unknown {
  if (isError(value) && depth < MAX_DEPTH) return packError(value, depth, path, how);
  const t = typeof value;
  if ((t !== 'object' && t !== 'function' && t !== 'symbol') || value === null) return value;
  // Errors inside it (`cause: { errors: [e] }`) become records too, down to MAX_DEPTH.
  const errors: ErrorEncoder | undefined =
    depth + 1 < MAX_DEPTH
      ? (e, at) => ({ type: ERROR_CODEC, data: toErrorRecord(e, depth + 1, at, how.target, how.refuse, how) })
      : undefined;
  const options = { errors, memo: how.memo };
  const encode = (v: unknown): unknown => {
    how.check?.(v, path);
    // Structured clone takes it here (a worker's deep stack), the caller's thread could not read it:
    // the codec's SerializationError names the path and the limit, and stands in for this part
    // alone (the error, its other fields and its cause still go), as any part it cannot send.
    if (tooDeep(v)) encodeValue(v, 'thread', path);
    const out = encodeValue(v, how.target, path, options);
    // An error sent as a value is walked again by the codec sending it, which lists what moves.
    if (!how.refuse) moveOrRefuse(out, path, how.transfer);
    // The codec passes a Proxy through (it reads like its target); the record's clone would refuse it.
    if (out.encoded || cloneable(out.value)) return out.value;
    throw new SerializationError(path, `Cannot send ${path}: structured clone cannot copy it.`);
  };
  let refusal: ProcessError;
  try {
    return encode(value);
  } catch (error) {
    if (!(error instanceof ProcessError)) throw error;
    refusal = error;
  }
  if (how.refuse) throw refusal;
  const cut = cutCauseChain(value, path, refusal, encode, (e, at) => toErrorRecord(e, MAX_DEPTH, at));
  if (cut) return cut.value;
  // A thrown error's field with one bad part (`request.transform`): that part alone stands in.
  const kept = errors ? packSendableParts(value, path, refusal, encode) : null;
  return kept ? kept.value : { __errorRecord: toErrorRecord(refusal, MAX_DEPTH, path) };
}

/**
 * A nested error's record, one per error in the message, whichever form holds it: a part of the
 * record (`{ __errorRecord }`) or, inside a part, a value the codec encoded (`ERROR_CODEC`). Both
 * forms hold the same record, which the receiver rebuilds once (error-rebuild.ts).
 */
function packError(err: Error, depth: number, path: string, how: Packing): unknown {
  if (how.packed.has(err)) return how.packed.get(err);
  const met = how.memo.get(err) as { data?: ErrorRecord } | undefined; // the codec's, as a value
  const written = met?.data && !isBackRef(met.data);
  const record = written ? met.data : toErrorRecord(err, depth + 1, path, how.target, how.refuse, how);
  const packed = { __errorRecord: record };
  // A reference to an error being written (a cycle) holds only here, where it points up the chain.
  if (isBackRef(record)) return packed;
  // A whole record holds wherever the message holds its error again, even one whose parts refer
  // to errors above it: the receiver rebuilds each record once, where it meets it first, which is
  // where it was written (the same order of parts), so those references resolve there.
  how.packed.set(err, packed);
  if (!written) {
    const asValue = { [CODEC_TAG]: ERROR_CODEC, data: record };
    madeRecords.add(asValue);
    how.memo.set(err, asValue);
  }
  return packed;
}

/**
 * Turns anything thrown into a record that can be posted. A thrown non-Error value travels as
 * itself: through the value codec of `target` when given (as a pool worker's results do), else when
 * structured clone takes it. The error's `cause` and own fields go through the value codec of
 * `target` (`'process'` when not given: what one process can read, any can): see {@link packNested}.
 * `refuse`: the error is a value being sent (a result, an argument): a part the codec cannot send,
 * or that throws when read, throws a `SerializationError` naming it instead of being described.
 * `options`: where its nested values' transferables go, and what else they must pass (see
 * {@link RecordOptions}).
 * @internal
 */
export function toErrorRecord(
  err: unknown,
  depth = 0,
  path = 'error',
  target?: CodecTarget,
  refuse = false,
  options: RecordOptions = {},
): ErrorRecord {
  // A thrown error one of whose parts throws while it is read (a getter, a Proxy's trap) keeps the
  // rest, that part alone standing in (see readPart, readHead, ownKeysOf). One that cannot be read
  // at all (its prototype cannot be) is a SerializationError naming it, with what was thrown as cause.
  const reading = { path };
  const known = options as Partial<Packing>;
  const how: Packing = {
    target: target ?? 'process',
    refuse,
    transfer: options.transfer,
    check: options.check,
    memo: options.memo ?? new Map(),
    packed: known.packed ?? new Map(),
  };
  const ref = backRef(err);
  if (ref) return ref as unknown as ErrorRecord;
  try {
    return isError(err)
      ? writing(err, () => errorRecord(err, depth, reading, how))
      : thrownRecord(err, depth, reading, target, how);
  } catch (readErr) {
    if (refuse) throw readErr instanceof ProcessError ? readErr : unreadableValuePart(reading.path, readErr);
    // A part too deep to send: the codec's own error says where and why.
    if (readErr instanceof SerializationError) return errorRecord(readErr, depth, { path }, how);
    const whole = unreadablePartError(path, readErr, `. The error being sent was ${readErrText(err)}`);
    return errorRecord(whole, depth, { path }, how);
  }
}

/** {@link deeperThan}, false when reading `value` throws (a getter): the codec's walk then names that part. */
function tooDeep(value: unknown): boolean {
  try {
    return deeperThan(value);
  } catch {
    return false;
  }
}

/** What `String(value)` gives, else (it throws: a symbol inside an array) what inspect() shows. */
function safeText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return describeThrown(value);
  }
}

/** The record of a `SerializationError` saying that reading `path` threw `readErr`. */
function unreadablePart(path: string, readErr: unknown): unknown {
  return markUnreadable({
    __errorRecord: toErrorRecord(unreadablePartError(path, readErr), MAX_DEPTH, path),
  });
}

function errorRecord(err: Error, depth: number, reading: { path: string }, how: Packing): ErrorRecord {
  const base = reading.path;
  const refuseAt = how.refuse ? base : false; // see RefuseAt
  const { family, className } = classOf(err, refuseAt);
  const props: Record<string, unknown> = {};
  const { keys, note } = ownKeysOf(err, refuseAt);
  for (const key of keys) {
    if (key === 'cause' || key === 'stack' || key === 'message') continue;
    reading.path = `${base}.${key}`;
    const at = reading.path;
    const value = readPart(err, key, refuseAt, (readErr) => unreadablePart(at, readErr));
    props[key] = isUnreadable(value) ? value : packNested(value, depth, at, how);
  }
  reading.path = base;
  // A `code` getter (a DOMException's, ours) is answered by the rebuilt class (read when no key list).
  const code = readPart(err, 'code', refuseAt, () => undefined);
  const readCode = family === 'other' || note !== undefined;
  if (readCode && code !== undefined && !('code' in props) && cloneable(code)) props.code = code;
  const { name, message, readErr } = readHead(err, refuseAt);
  let stack = readPart(err, 'stack', refuseAt, (e) => unreadableStack(textOf(name), textOf(message), e));
  if (note)
    stack = typeof stack === 'string' ? `${stack}\n${note}` : `${textOf(name)}: ${textOf(message)}\n${note}`;
  const record: Record<string, unknown> = { name, message, stack, family, props, isError: true };
  if (className) record.className = className;
  const text = unsentThrownText(err);
  if (text !== undefined) Object.assign(record, { isError: false, thrown: text, thrownSent: false });
  reading.path = `${base}.cause`;
  if (hasCause(err)) {
    const at = reading.path;
    const cause = readPart(err, 'cause', refuseAt, (e) => unreadablePart(at, e));
    record.cause = isUnreadable(cause) ? cause : packNested(cause, depth, at, how);
  } else if (readErr) record.cause = packNested(readErr.value, depth, reading.path, how); // see readHead
  const part = (key: string, at: string) => readPart(err, key, refuseAt, (e) => unreadablePart(at, e));
  const errors = className === 'AggregateError' ? part('errors', `${base}.errors`) : undefined;
  if (Array.isArray(errors)) {
    record.errors = errors.map((e, i) => packNested(e, depth, `${base}.errors[${i}]`, how));
  }
  if (className === 'SuppressedError') {
    const [error, suppressed] = [part('error', `${base}.error`), part('suppressed', `${base}.suppressed`)];
    record.suppressed = [
      isUnreadable(error) ? error : packNested(error, depth, `${base}.error`, how),
      isUnreadable(suppressed) ? suppressed : packNested(suppressed, depth, `${base}.suppressed`, how),
    ];
  }
  reading.path = base;
  return record as unknown as ErrorRecord;
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
  how: Packing,
): ErrorRecord {
  const packed = packThrown(value, target, how);
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
      else if (key === 'cause') cause = { cause: packNested(field, depth, reading.path, how) };
      else if (key !== 'stack') props[key] = packNested(field, depth, reading.path, how);
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
    // Its text as String() gives it, else as inspect() shows it (`[ Symbol(x) ]`): never a throw.
    thrown: safeText(value),
    thrownSent: false,
    isError: false,
    ...cause,
  };
}

/**
 * Sends an error that is a value (a task returns it, or passes it as an argument) by the rules a
 * thrown one follows (`EncodeOptions.errors`), instead of structured clone, which would turn one
 * of this library's classes or a user's class into a plain `Error` without its name and fields.
 * @internal
 */
export const encodeError: ErrorEncoder = (error, path, target, memo) => ({
  type: ERROR_CODEC,
  data: toErrorRecord(error, 0, path, target, true, { memo }),
});
/**
 * `encodeValue()` options for task arguments and results: errors in them go by {@link encodeError}.
 * @internal
 */
export const ERRORS_AS_VALUES = { errors: encodeError } as const;
// Every realm that loads this module can read such a value (the registry is one per realm).
// An error inside a value passes on the loads of the references in its fields to the value's receive.
registerCodec(ERROR_CODEC, (record, ctx) => {
  // Its record was rebuilt already, as a part of the error holding it (see packError).
  if (record instanceof Error) return record;
  if (!ctx.needs) return fromErrorRecord(record as ErrorRecord, ctx.source, undefined, ctx.memo);
  const loads: PendingLoad[] = [];
  const err = fromErrorRecord(record as ErrorRecord, ctx.source, loads, ctx.memo);
  for (const [kind, key] of loads) ctx.needs(kind, key);
  return err;
});
