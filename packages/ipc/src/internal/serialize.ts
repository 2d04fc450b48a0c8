/**
 * Values to items and back. An item is one kind byte then the payload: JSON text for values JSON
 * carries exactly (plain objects, dense arrays, strings, finite numbers, booleans, null: the
 * common case, and 3-5x cheaper than `v8.serialize` both ways), else `v8` structured-clone bytes,
 * or raw bytes from `sendBytes()`. Non-JSON values go through
 * `encodeValue(value, 'process', 'value')` first, so multiproc objects nested in them (a queue
 * sent on a pipe) travel by the codec protocol, and so an unsendable part is named by its path
 * (`value.onDone`). They are encoded for a process because a queue may be read anywhere.
 */

import { decodeValue, encodeValue, SerializationError, ValidationError } from '@multiproc/shared';
import { BYTES_KIND, STRING_KIND } from './link/frames.js';
import { type Item, isDecoded } from './protocol/item.js';
import { unzeroedBytes } from './unzeroed.js';

/** node:v8, loaded on the first value JSON cannot carry (not at import: issue #18). */
let v8Module: typeof import('node:v8') | undefined;
const v8 = (): typeof import('node:v8') => (v8Module ??= process.getBuiltinModule('node:v8'));

const KIND_VALUE = 0;
const KIND_ENCODED = 1;
const KIND_BYTES = BYTES_KIND;
const KIND_JSON = STRING_KIND;
const MAX_JSON_DEPTH = 64;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

// An array JSON carries whole: no subclass, no own fields beside its items (`Object.assign([1],
// { tag })`, which structured clone keeps and JSON drops). Holes are caught item by item.
function plainArray(v: unknown[]): boolean {
  return Object.getPrototypeOf(v) === Array.prototype && Object.keys(v).length === v.length;
}

// Whether JSON.parse(JSON.stringify(v)) is exactly what structured clone would give.
export function jsonExact(v: unknown, depth = 0): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (depth > MAX_JSON_DEPTH) return false; // deep or cyclic: v8 handles both
      if (Array.isArray(v)) {
        if (!plainArray(v)) return false;
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          if (x === undefined || !jsonExact(x, depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in v) {
        const x = (v as Record<string, unknown>)[key];
        if (x === undefined || !jsonExact(x, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// What jsonCopy() counted: about the JSON text's length, so a batch of copies is sized without
// writing it.
let copiedBytes = 0;
const NO_COPY = Symbol('not JSON-exact');

// A private copy of a JSON-exact value (see jsonExact), as JSON.parse(JSON.stringify(v)) would make.
// `exact`: jsonExact() already said yes, so arrays need not be checked for own fields again.
function jsonCopy(v: unknown, depth: number, exact: boolean): unknown {
  switch (typeof v) {
    case 'string':
      copiedBytes += v.length + 2;
      return v;
    case 'boolean':
      copiedBytes += 5;
      return v;
    case 'number':
      copiedBytes += 8;
      return Number.isFinite(v) && !Object.is(v, -0) ? v : NO_COPY;
    case 'object': {
      copiedBytes += 4;
      if (v === null) return v;
      if (depth > MAX_JSON_DEPTH) return NO_COPY; // deep or cyclic: v8 handles both
      if (Array.isArray(v)) {
        if (exact ? Object.getPrototypeOf(v) !== Array.prototype : !plainArray(v)) return NO_COPY;
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          const c = x === undefined ? NO_COPY : jsonCopy(x, depth + 1, exact);
          if (c === NO_COPY) return NO_COPY;
          out[i] = c;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return NO_COPY;
      const out: Record<string, unknown> = {};
      for (const key in v) {
        const x = (v as Record<string, unknown>)[key];
        const c = x === undefined ? NO_COPY : jsonCopy(x, depth + 1, exact);
        if (c === NO_COPY) return NO_COPY;
        copiedBytes += key.length + 3;
        if (key === '__proto__')
          Object.defineProperty(out, key, { value: c, enumerable: true, writable: true, configurable: true });
        else out[key] = c;
      }
      return out;
    }
    default:
      return NO_COPY;
  }
}

/** Where a queue's, pipe's or manager's values go, as the codec's errors say it. */
const THROUGH = 'through a queue, pipe or manager, whose values can reach other processes';

/**
 * Serializes `value`; throws SerializationError naming the bad part (under `path`). `exact`: the
 * caller already found it {@link jsonExact}.
 */
export function toItem(value: unknown, path = 'value', exact = false): Item {
  // A JSON-exact value is kept as a private copy: a port link writes a batch of them as one JSON
  // text (one stringify per batch, far cheaper than one per item), a socket link as JSON, and a
  // get in the home thread takes the copy as it is.
  copiedBytes = 0;
  const copy = jsonCopy(value, 0, exact);
  if (copy !== NO_COPY) return { value: copy, bytes: copiedBytes };
  // Encoded for any process: where the item goes is not known until someone gets it.
  const { value: encoded, encoded: needsDecode } = encodeValue(value, 'process', path, {
    destination: THROUGH,
  });
  const ser = new (v8().DefaultSerializer)();
  ser.writeUint32(needsDecode ? KIND_ENCODED : KIND_VALUE);
  ser.writeHeader();
  try {
    ser.writeValue(encoded);
  } catch (err) {
    throw new SerializationError(
      path,
      `Cannot send ${path}: ${String((err as Error).message).replace(/\.+$/, '')}. Only structured-cloneable values (and multiproc objects) can be sent.`,
      { cause: err },
    );
  }
  return ser.releaseBuffer();
}

/** Copies `size` bytes of `buf` from `offset` into an item. */
export function bytesToItem(bytes: Uint8Array): Item {
  // Every byte is written below, so the buffer need not be zeroed first.
  const item = unzeroedBytes(bytes.length + 1);
  item[0] = KIND_BYTES;
  item.set(bytes, 1);
  return item;
}

/** The payload bytes: what `sendBytes()` sent, or the serialized value. */
export function itemBytes(item: Item): Uint8Array {
  if (isDecoded(item)) return textEncoder.encode(JSON.stringify(item.value));
  return typeof item === 'string' ? textEncoder.encode(item) : item.subarray(1);
}

/** The value an item carries (a bytes item yields its bytes). */
export function fromItem(item: Item): unknown {
  if (typeof item === 'string') return JSON.parse(item);
  if (isDecoded(item)) return item.value;
  const kind = item[0];
  if (kind === KIND_JSON) return JSON.parse(textDecoder.decode(item.subarray(1)));
  if (kind === KIND_BYTES) return item.subarray(1);
  const des = new (v8().DefaultDeserializer)(item);
  des.readUint32();
  des.readHeader();
  const value = des.readValue();
  return kind === KIND_ENCODED ? decodeValue(value, 'process') : value;
}

/** A byte view over `buf` (its own memory, not a copy); ValidationError when it is not bytes. */
export function bytesOf(buf: unknown, method: string, hint: string): Uint8Array {
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf instanceof ArrayBuffer || buf instanceof SharedArrayBuffer) return new Uint8Array(buf);
  throw new ValidationError(
    `${method} takes bytes (a Uint8Array, Buffer, typed array, DataView or ArrayBuffer), got ${Array.isArray(buf) ? 'an array' : typeof buf}. ${hint}`,
  );
}

/** `sendBytes(buf, offset, size)`'s bytes, checked: a view of `buf` (no copy). */
export function sendBytesView(buf: unknown, offset: number, size: number | undefined): Uint8Array {
  const bytes = bytesOf(buf, 'sendBytes()', 'Use send() for other values.');
  const n = size ?? bytes.length - offset;
  if (!Number.isInteger(offset) || !Number.isInteger(n) || offset < 0 || n < 0 || offset + n > bytes.length) {
    throw new ValidationError(
      `sendBytes(): offset ${offset} and size ${size} do not fit a buffer of ${bytes.length} bytes.`,
    );
  }
  return bytes.subarray(offset, offset + n);
}

/** `recvBytesInto(buf, offset)`'s target, checked before anything is received (as Python). */
export function recvIntoTarget(buf: unknown, offset: number): Uint8Array {
  const target = bytesOf(buf, 'recvBytesInto()', 'It writes into that memory.');
  if (!Number.isInteger(offset) || offset < 0 || offset > target.length) {
    throw new ValidationError(
      `recvBytesInto(): offset ${String(offset)} is not a byte position inside a buffer of ${target.length} bytes.`,
    );
  }
  return target;
}
