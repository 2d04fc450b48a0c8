/**
 * Values through Redis, as between local processes: core's value codec (`encodeValue` for a
 * `'process'` target, with errors as core's error records, as the local pool sends task
 * arguments and results), then v8's serializer. So an error passed or returned as a value keeps
 * its class, own fields (`code`, `errno`), `cause` and an `AggregateError`'s `errors`, a `URL`
 * arrives as a `URL`, and no `Error` object is left for v8 to serialize: its format for an error
 * with a `cause` differs between Node majors (a Node 24 worker could not read one from Node 20).
 *
 * Packed bytes start with one byte saying whether the value needs `decodeValue`: {@link PLAIN}
 * or {@link ENCODED}. Wire format 1 (before the codec) packed bare v8 bytes, which start with
 * 0xFF: such bytes are still read. Anything else comes from a newer format.
 *
 * Before a value is packed, the codec names the first part that cannot be sent (a function, a
 * `WeakMap`, a `Blob`) with the local pool's error classes; {@link assertPortable} then refuses
 * what the codec would send to a process of this machine only (a queue, a pipe end, shared memory).
 */
import { deserialize, serialize } from 'node:v8';
import { ContextError, isTaskRef, SerializationError } from '@multiproc/core';
import { checkArgLists, ERRORS_AS_VALUES } from '@multiproc/core/internal';
import { decodeValue, encodeValue, isEncodable } from '@multiproc/shared';
import { VersionMismatchError } from '../errors.js';
import { type ErrorRecord, toErrorRecord } from './error-record.js';
import type { JobKind, ResultPayload } from './protocol.js';
import { MAX_NESTING, sharedClassOf, sharedMemory, tooDeep, unclonable, unsendable } from './unsendable.js';

/**
 * The wire format of jobs and results: 2 since values go through the codec (3: the same, with a
 * large payload held in its own key, `HELD_ARGS_FORMAT`). A job of another
 * format is refused with `VersionMismatchError` (see `worker/processor.ts`).
 */
export const WIRE_FORMAT = 2;

/** The first byte of packed bytes: what follows is v8's serialization of the value as it is... */
const PLAIN = 0;
/** ...or of the codec's form of it, to pass to `decodeValue`. */
const ENCODED = 1;
/** The first byte of a v8 serialization: bytes of wire format 1, bare. */
const BARE_V8 = 0xff;

/** How errors name where a value was going. */
const DESTINATION = 'through Redis to another machine';

/** A value in the form that travels, and whether the receiver must decode it. */
export interface Encoded {
  readonly value: unknown;
  readonly encoded: boolean;
}

/**
 * `value` as it travels: errors as records, a `URL` as its text, small views copied out.
 * @throws {SerializationError} naming the path (under `path`) of a part that cannot be sent.
 * @throws {ContextError} for shared memory (`SerializationError` naming it in a result).
 */
export function encodeForRedis(value: unknown, path: string, listLength?: number): Encoded {
  const t = typeof value;
  if ((t !== 'object' || value === null) && t !== 'function' && t !== 'symbol') {
    return { value, encoded: false };
  }
  let out: { value: unknown; encoded: boolean };
  try {
    out = encodeValue(value, 'process', path, {
      ...ERRORS_AS_VALUES,
      destination: DESTINATION,
      ...(listLength === undefined ? {} : { listLength }),
    });
  } catch (error) {
    // Said as for Redis where the codec's advice is for processes of one machine (shared memory,
    // a MessagePort); what only the codec refuses (a WeakMap, a Blob) is said by the codec.
    assertPortable(value, path, undefined, listLength === undefined ? 0 : 1);
    throw pathAsWritten(error);
  }
  // Something was encoded: a queue or pipe end among it was encoded for a process of this machine.
  if (out.encoded) assertPortable(value, path, undefined, listLength === undefined ? 0 : 1);
  return { value: out.value, encoded: out.encoded };
}

/**
 * The codec names a part of an error sent as a value by its place in the error's record
 * (`args[0]<data>.props.file`): named as the value was written (`args[0].file`).
 */
function pathAsWritten(error: unknown): unknown {
  if (!(error instanceof SerializationError) || !error.path.includes('<data>')) return error;
  const path = error.path.replace(/<data>(\.props)?/g, '');
  return new SerializationError(
    path,
    error.message.replaceAll(error.path, path),
    error.cause === undefined ? undefined : { cause: error.cause },
  );
}

/** Each of `items` encoded, named `${name}[${base + i}]` (a map's items, its results). */
export function encodeList(items: readonly unknown[], name: string, base = 0): Encoded {
  if (allPlain(items)) return { value: items, encoded: false };
  let out: { value: unknown; encoded: boolean };
  try {
    // One walk of the list (the codec's quick scan finds plain data at once), not one per item.
    out = encodeValue(items, 'process', name, { ...ERRORS_AS_VALUES, destination: DESTINATION });
  } catch {
    // Item by item, each named by its index in the input (and not counting the list as a level).
    return encodeItems(items, name, base);
  }
  if (out.encoded) {
    for (let i = 0; i < items.length; i++) assertPortable(items[i], `${name}[${base + i}]`, undefined, 1);
  }
  return { value: out.value, encoded: out.encoded };
}

function encodeItems(items: readonly unknown[], name: string, base: number): Encoded {
  let out: unknown[] | undefined;
  let encoded = false;
  for (let i = 0; i < items.length; i++) {
    const item = encodeForRedis(items[i], `${name}[${base + i}]`, items.length);
    encoded ||= item.encoded;
    if (item.value !== items[i]) (out ??= items.slice())[i] = item.value;
  }
  return { value: out ?? items, encoded };
}

/** The bytes of an encoded value: its flag, then v8's serialization. */
export function packBytes(value: Encoded): Buffer {
  const body = serialize(value.value);
  const bytes = Buffer.allocUnsafe(body.length + 1);
  bytes[0] = value.encoded ? ENCODED : PLAIN;
  body.copy(bytes, 1);
  return bytes;
}

/** The value of bytes {@link packBytes} packed (or wire format 1's bare v8 bytes). */
export function unpackBytes(bytes: Uint8Array): unknown {
  const flag = bytes[0];
  if (flag === BARE_V8) return deserialize(bytes);
  if (flag !== PLAIN && flag !== ENCODED) {
    throw new VersionMismatchError(
      'Received a value packed by a newer @multiproc/bullmq than this one (its first byte is ' +
        `${flag}): upgrade @multiproc/bullmq here to the version of the other side.`,
    );
  }
  const value = deserialize(bytes.subarray(1));
  return flag === ENCODED ? decodeValue(value, 'process') : value;
}

/**
 * Why a value received through Redis cannot be rebuilt here (`what`: `The result of job a3 (sq)`),
 * such as a `Float16Array` from Node 24 on Node 22, which has no such class: a `SerializationError`
 * naming this Node, with the decoder's error as its cause (a `VersionMismatchError` as it is).
 */
export function undecodable(what: string, path: string, side: string, cause: unknown): Error {
  if (cause instanceof VersionMismatchError) return cause;
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new SerializationError(
    path,
    `${what} could not be decoded on this ${side} (Node ${process.version}): ${reason}`,
    { cause },
  );
}

/** `value` encoded (named `path`) and packed, as base64 text. */
export function pack(value: unknown, path = 'value'): string {
  return packBytes(encodeForRedis(value, path)).toString('base64');
}

/** The value {@link pack} packed. */
export function unpack(text: string): unknown {
  return unpackBytes(Buffer.from(text, 'base64'));
}

/** The parts of a {@link ResultPayload} that may hold values, each encoded as a value of its own. */
const RESULT_PARTS = ['value', 'values', 'error'] as const;

/**
 * `result` as it travels: its value or values encoded (named `result`, `result[i]`, as the local
 * pool names them), its error record too (the fields of an error may hold errors); `enc` lists the
 * parts to decode, each on its own, as it was encoded ({@link decodeResult}).
 * @throws {SerializationError} (or `ContextError`) for a part that cannot travel through Redis.
 */
export function encodeResult(result: ResultPayload): Encoded {
  const out: Record<string, unknown> = { ...result };
  const enc: string[] = [];
  const put = (key: (typeof RESULT_PARTS)[number], part: Encoded) => {
    out[key] = part.value;
    if (part.encoded) enc.push(key);
  };
  if ('value' in result) put('value', encodeForRedis(result.value, 'result'));
  if ('values' in result && result.values !== undefined) put('values', encodeList(result.values, 'result'));
  if (!result.ok) put('error', encodeRecord(result.error, 'error'));
  if (enc.length > 0) out.enc = enc;
  return { value: out, encoded: false };
}

/**
 * An error record with each value it carries (a thrown value, the error's own fields, its cause, an
 * `AggregateError`'s errors, of nested records too) encoded on its own, named as the program wrote
 * it (`error`, `error.code`, `error.cause.detail`): as the local pool does, a value's nesting counts
 * from the value, not from the record around it (a thrown value 1000 levels deep arrives as itself).
 * A field or cause that cannot travel through Redis comes back in its place as the
 * `SerializationError` naming it, the rest of the error kept, as one the local pool cannot send does.
 */
function encodeRecord(record: ErrorRecord, path: string): Encoded {
  let encoded = false;
  const part = (value: unknown, at: string, inPlace = true): unknown => {
    const nested = (value as { __errorRecord?: ErrorRecord } | null)?.__errorRecord;
    if (typeof value === 'object' && value !== null && nested !== undefined) {
      const inner = encodeRecord(nested, at);
      encoded ||= inner.encoded;
      return { __errorRecord: inner.value };
    }
    try {
      const out = encodeForRedis(value, at);
      encoded ||= out.encoded;
      return out.value;
    } catch (error) {
      if (!inPlace || !(error instanceof SerializationError || error instanceof ContextError)) throw error;
      return { __errorRecord: toErrorRecord(error) };
    }
  };
  const out: Record<string, unknown> = { ...record, props: {} };
  for (const [key, value] of Object.entries(record.props)) {
    (out.props as Record<string, unknown>)[key] = part(value, `${path}.${key}`);
  }
  if ('cause' in record) out.cause = part(record.cause, `${path}.cause`);
  if (record.errors) out.errors = record.errors.map((e, i) => part(e, `${path}.errors[${i}]`));
  if (record.suppressed) {
    out.suppressed = [
      part(record.suppressed[0], `${path}.error`),
      part(record.suppressed[1], `${path}.suppressed`),
    ];
  }
  // A thrown value is the call's answer itself: one that cannot travel fails the result (sign()).
  if (record.thrownSent) out.thrown = part(record.thrown, path, false);
  return { value: out, encoded };
}

/** The result {@link encodeResult} encoded, once unpacked: its encoded parts decoded. */
export function decodeResult(unpacked: unknown): ResultPayload {
  const result = unpacked as Record<string, unknown> & { enc?: unknown };
  if (Array.isArray(result.enc)) {
    for (const key of RESULT_PARTS) {
      if (result.enc.includes(key)) result[key] = decodeValue(result[key], 'process');
    }
    delete result.enc;
  }
  return result as unknown as ResultPayload;
}

/** A value as wire format 1 packed it (bare v8 bytes): what a worker answers a pool of that format. */
export function packBare(value: unknown): Buffer {
  return serialize(value);
}

/**
 * The body of a job: an `apply`'s argument list (`args`) or a map job's items (`items[base + i]`)
 * encoded and packed (bytes: base64 text in the job, or held in its own key when large).
 * @throws {SerializationError} (or `ContextError`) naming the part that cannot be sent;
 *   {@link ValidationError} for a `starmap` item that is not an argument list (`base + i`).
 */
export function packPayload(payload: readonly unknown[], kind: JobKind, base: number): Buffer {
  // Checked here, as the local pool checks at submission: the worker would name the item by its
  // index in the job, and only once a worker took it.
  if (kind === 'star') checkArgLists(payload, base);
  const value =
    kind !== 'apply'
      ? encodeList(payload, 'items', base)
      : allPlain(payload)
        ? { value: payload, encoded: false }
        : encodeForRedis(payload, 'args');
  const path = kind === 'apply' ? 'args' : 'items';
  let bytes: Buffer;
  try {
    bytes = packBytes(value);
  } catch (error) {
    // v8 could not allocate the bytes (gigabytes): cloneable, but too big.
    if (error instanceof RangeError) throw tooBig(path, undefined, error);
    throw unclonablePayload(payload, kind, base, error);
  }
  if (bytes.length > MAX_JOB_BYTES) throw tooBig(path, bytes.length);
  return bytes;
}

/**
 * The most bytes one job's payload may take packed: Redis refuses a longer value (its
 * `proto-max-bulk-len`, 512 MB by default) by closing the connection.
 */
export const MAX_JOB_BYTES = 512 * 1024 * 1024;

/** A payload too big for one job: said as such, with what to do, not as a value that cannot be cloned. */
function tooBig(path: string, size: number | undefined, cause?: unknown): SerializationError {
  const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
  const how = size === undefined ? 'too big to pack' : `${mb(size)} packed`;
  return new SerializationError(
    path,
    `Cannot send ${path}: it is ${how}, more than one job can carry through Redis ` +
      `(${mb(MAX_JOB_BYTES)}, Redis's proto-max-bulk-len). Split the data across several calls ` +
      '(map over chunks of it), or store it where the workers can read it (a file on shared storage, ' +
      'an object store) and send its location.',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * v8's serializer refused what the codec let through (a Proxy, which the codec reads like its
 * target): named as the local pool names it, by the Proxy's own path (`args[0].inner`,
 * `items[3]`), else `args` for an `apply`'s arguments or the first item v8 refuses (`items[i]`).
 */
function unclonablePayload(payload: readonly unknown[], kind: JobKind, base: number, error: unknown) {
  if (kind === 'apply') return unclonable('args', payload, error);
  for (let i = 0; i < payload.length; i++) {
    try {
      serialize(payload[i]);
    } catch (itemError) {
      return unclonable(`items[${base + i}]`, payload[i], itemError);
    }
  }
  return unclonable('items', payload, error);
}

/** Whether every item is a primitive other than a symbol (the common case: nothing to walk). */
export function allPlain(items: readonly unknown[]): boolean {
  for (let i = 0; i < items.length; i++) {
    const t = typeof items[i];
    if ((t === 'object' && items[i] !== null) || t === 'function' || t === 'symbol') return false;
  }
  return true;
}

/**
 * The record of an error a task threw, as it crosses Redis: a part of it that cannot travel to
 * another machine (a queue or pipe end in a field, shared memory in its cause) stands in as the
 * error naming it, the task's error kept, as a part the codec refuses does (see {@link assertPortable}).
 */
export function thrownRecord(error: unknown): ErrorRecord {
  return toErrorRecord(error, 0, 'error', undefined, false, {
    check: (value, path) => assertPortable(value, path),
  });
}

/**
 * Throws for the first part of `value` that cannot travel to another machine, naming its path:
 * `SerializationError` for a function, symbol, task reference, `MessagePort` or multiproc queue or
 * pipe (what the codec sends to a process of this machine only), or a value nested more than
 * {@link MAX_NESTING} levels deep (`depth`: how many containers hold `value`); `ContextError` for
 * shared memory, saying that it exists on one machine only. Called after the codec, which has
 * refused what cannot be sent to any process (a `WeakMap`, a `Blob`) and lets a `URL` through.
 */
function assertPortable(value: unknown, path: string, seen = new Set<object>(), depth = 0): void {
  const t = typeof value;
  if (t === 'symbol' || t === 'function') throw unsendable(path, value, isTaskRef(value));
  if (t !== 'object' || value === null || seen.has(value as object)) return;
  const object = value as object;
  seen.add(object);
  if (object instanceof SharedArrayBuffer || isSharedView(object)) throw sharedMemory(path, value);
  if (isEncodable(value)) {
    // Shared memory gets a ContextError, as for a 'process' context; anything else that owns a
    // local resource (a Queue, a Pipe end) cannot travel through Redis at all.
    try {
      encodeValue(value, 'process', path);
    } catch (error) {
      if (error instanceof ContextError || sharedClassOf(value)) throw sharedMemory(path, value);
      throw error;
    }
    throw unsendable(path, value);
  }
  if (typeof MessagePort === 'function' && value instanceof MessagePort) throw unsendable(path, value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return;
  if (depth >= MAX_NESTING) throw tooDeep(path);
  const inner = depth + 1;
  if (value instanceof Error) {
    // Not enumerable, so the walk of own keys below would not see them.
    if (Object.hasOwn(value, 'cause')) assertPortable(value.cause, `${path}.cause`, seen, inner);
    if (value instanceof AggregateError && Array.isArray(value.errors)) {
      for (let i = 0; i < value.errors.length; i++)
        assertPortable(value.errors[i], `${path}.errors[${i}]`, seen, inner);
    }
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      assertPortable(k, `${path}.keys()`, seen, inner);
      assertPortable(v, `${path}.get(${String(k)})`, seen, inner);
    }
    return;
  }
  if (value instanceof Set) {
    for (const v of value) assertPortable(v, `${path}.values()`, seen, inner);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) assertPortable(value[i], `${path}[${i}]`, seen, inner);
    return;
  }
  for (const key of Object.keys(value as object)) {
    assertPortable((value as any)[key], `${path}.${key}`, seen, inner);
  }
}

function isSharedView(value: object): boolean {
  return ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer;
}
