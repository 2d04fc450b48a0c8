/**
 * Errors between a proxy and its manager (wire.ts): what a served object threw travels as a record
 * (written here) and is rebuilt as the same class (error-rebuild.ts), told by the class itself as
 * core's error codec does (`@multiproc/shared` error-classes.ts): one of ours or a built-in comes
 * back as itself, any other error as an `Error` of its name, never as one of ours because its name
 * matches (a served object's own `Error` named `'KeyError'`).
 */
import {
  classOf,
  type ErrorFamily,
  hasCause,
  ownKeysOf,
  readHead,
  readPart,
  unreadablePartError,
  unreadableStack,
} from '@multiproc/shared';
import { plainWithErrors } from './error-plain.js';

/** A value nested in an error record: an Error as its own record, a container holding errors as a
 * copy (error-plain.ts), anything else as itself. */
export type Nested = ErrorRecord | { readonly value: unknown } | { readonly ref: number } | Plain;
type Plain = { readonly plain: unknown };

// The errors whose records are being written (innermost last): an error met again inside itself
// (its own cause, two errors each other's cause) travels as `{ ref: n }`, n levels up, and comes back
// as that very error (error-rebuild.ts), so a cycle comes back a cycle.
const writing: Error[] = [];
// One answer's records by error (and copies of its containers holding errors, error-plain.ts): what
// it holds twice is written once (the wire keeps an object held twice one object), and rebuilt once
// where met first, which is where it was written: its `ref`s resolve there.
let written: { records: Map<Error, ErrorRecord>; copies: Map<object, unknown> } | undefined;

export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  /** Which table the error's class was found in (by prototype, at the thrower), and its key there. */
  readonly family?: ErrorFamily;
  readonly className?: string;
  /** For a pipelined call's late failure: the method that failed. */
  readonly method?: string;
  /** The served object's stack, where the error was thrown. */
  readonly stack?: string;
  /** The error's own enumerable fields that are primitives (`code`, `errno`, ...). */
  readonly fields?: Record<string, unknown>;
  /** Its own enumerable fields that are objects: an Error as a record, any other value as itself. */
  readonly objects?: Record<string, Nested>;
  /** The error's `cause`: an Error as a record, any other value as itself. */
  readonly cause?: Nested;
  /** `AggregateError.errors`, each packed like `cause`. */
  readonly errors?: readonly Nested[];
  /** `SuppressedError.error` and `.suppressed` (or those fields of an error named so), packed like `cause`. */
  readonly suppressed?: readonly [Nested, Nested];
  /** Something thrown that is not an Error (a string, a number, a plain object): sent as it is. */
  readonly thrown?: { readonly value: unknown };
}

const isPrimitive = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');

/** How deep errors nest in a record (a cause's cause, an aggregated error's `errors`, ...). */
const MAX_DEPTH = 8;

/**
 * Where a record keeps itself with its primitive parts only (and its causes' to MAX_DEPTH), sent when
 * the codec refuses a nested value (a function, a chain too deep). A symbol: no JSON or clone has it.
 */
const leanRecord: unique symbol = Symbol('multiproc.leanRecord');

/** The record to send when `record` itself cannot be encoded, if it has nested values to drop. */
export function leanerRecord(record: unknown): ErrorRecord | undefined {
  return (record as { [leanRecord]?: ErrorRecord } | null)?.[leanRecord];
}

function nest(value: unknown, depth: number): Nested {
  const at = writing.lastIndexOf(value as Error);
  if (at >= 0) return { ref: writing.length - 1 - at };
  if (!(value instanceof Error))
    return plainWithErrors(value, (e) => nest(e, depth), written?.copies) ?? { value };
  return depth < MAX_DEPTH ? toRecord(value, depth + 1) : { value };
}

/**
 * What a served object threw, as a record: an Error's name, message, stack, own fields and cause,
 * an `AggregateError`'s `errors`, a `SuppressedError`'s `error` and `suppressed` (as core's pool
 * codec keeps them); anything else as itself (the proxy rejects with that value, as a pool task's
 * throw does). A nested value the codec cannot send is dropped from the answer (see
 * {@link leanerRecord}); a thrown value it cannot send fails the answer, which then says so.
 */
export function toRecord(err: unknown, depth = 0): ErrorRecord {
  try {
    if (!(err instanceof Error)) return { name: 'Error', message: String(err), thrown: { value: err } };
  } catch (readErr) {
    // Its prototype (a Proxy's trap) or its text cannot be read: a SerializationError says so.
    return toRecord(unreadablePartError('error', readErr), depth);
  }
  const outer = written === undefined;
  const { records } = (written ??= { records: new Map(), copies: new Map() });
  const met = records.get(err);
  if (met) return met;
  writing.push(err);
  try {
    const record = errorRecord(err, depth);
    records.set(err, record);
    return record;
  } finally {
    writing.pop();
    if (outer) written = undefined;
  }
}

/**
 * `err[key]`; a getter (or Proxy trap) that throws: a `SerializationError` naming `error.<key>`
 * stands for that part alone, the rest of the error kept (as core's error records do).
 */
const part = (err: Error, key: string): unknown =>
  readPart(err, key, false, (readErr) => unreadablePartError(`error.${key}`, readErr));

/** Whether `err` has `key` (a `has` trap that throws: no). */
function has(err: Error, key: string): boolean {
  try {
    return key in err;
  } catch {
    return false;
  }
}

function errorRecord(err: Error, depth: number): ErrorRecord {
  // A name, message, key list or stack that cannot be read (a getter, a Proxy's trap that throws)
  // stands in for itself alone: the class's name, a text saying why, the standard parts only.
  const { name, message, readErr } = readHead(err, false);
  const record: { -readonly [K in keyof ErrorRecord]: ErrorRecord[K] } = {
    name: name as string,
    message: message as string,
    ...classOf(err, false),
  };
  const { keys, note } = ownKeysOf(err, false);
  const stack = readPart(err, 'stack', false, (e) => unreadableStack(String(name), String(message), e));
  // A Proxy's stack reads undefined on Node 22+ (the getter wants the real error): the note alone.
  if (note)
    record.stack = `${typeof stack === 'string' ? stack : `${String(name)}: ${String(message)}`}\n${note}`;
  else if (typeof stack === 'string') record.stack = stack;
  const lean = { ...record };
  const errors = record.className === 'AggregateError' ? part(err, 'errors') : undefined;
  const aggregate = Array.isArray(errors);
  // Node 20 and 22 have no SuppressedError: an error of that name with its two fields stands for one.
  const suppressed =
    record.className === 'SuppressedError' ||
    (name === 'SuppressedError' && has(err, 'error') && has(err, 'suppressed'));
  const objects: Record<string, Nested> = {};
  let nested = false;
  for (const key of keys) {
    if (key === 'cause' || (aggregate && key === 'errors')) continue;
    if (suppressed && (key === 'error' || key === 'suppressed')) continue;
    const value = part(err, key);
    if (isPrimitive(value)) (record.fields ??= {})[key] = value;
    else {
      objects[key] = nest(value, depth);
      nested = true;
    }
  }
  if (note) {
    const code = readPart(err, 'code', false, () => undefined);
    if (isPrimitive(code) && code !== undefined) (record.fields ??= {}).code = code;
  }
  if (record.fields) lean.fields = record.fields;
  if (nested) record.objects = objects;
  const cause = hasCause(err) ? part(err, 'cause') : readErr?.value;
  if (cause !== undefined) {
    record.cause = nest(cause, depth);
    if (isPrimitive(cause)) lean.cause = record.cause;
    else if (cause instanceof Error && !('value' in record.cause))
      lean.cause = leanerRecord(record.cause) ?? record.cause;
    nested ||= lean.cause !== record.cause;
  }
  if (aggregate) {
    record.errors = errors.map((e) => nest(e, depth));
    nested = true;
  } else if (suppressed) {
    record.suppressed = [nest(part(err, 'error'), depth), nest(part(err, 'suppressed'), depth)];
    nested = true;
  }
  if (nested) Object.defineProperty(record, leanRecord, { value: lean });
  return record;
}
