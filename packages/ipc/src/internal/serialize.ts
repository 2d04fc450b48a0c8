/**
 * Values to items and back. An item is one kind byte then the payload: JSON text for values JSON
 * carries exactly (plain objects, dense arrays, strings, finite numbers, booleans, null, each
 * object met once: the common case, and 3-5x cheaper than `v8.serialize` both ways), else `v8`
 * structured-clone bytes (which keep a shared object one object, and a cycle a cycle), or raw
 * bytes from `sendBytes()`; json-walk.ts decides. Non-JSON values go through
 * `encodeValue(value, 'process', 'value')` first, so multiproc objects nested in them (a queue
 * sent on a pipe) travel by the codec protocol, and so an unsendable part is named by its path
 * (`value.onDone`). They are encoded for a process because a queue may be read anywhere. An error
 * in a value travels as a pool task's result does (shared's error records): as its class, with its
 * own fields, `cause` and an `AggregateError`'s `errors`, which structured clone would drop.
 */

import {
  decodeValue,
  describeValue,
  ERRORS_AS_VALUES,
  encodeValue,
  loadPending,
  type PendingLoad,
  refusedPart,
  SerializationError,
  ValidationError,
} from '@multiproc/shared';
import { copiedBytes, copyMetAgain, jsonCopy, NO_COPY, plainGraph, withoutSymbols } from './json-walk.js';
import { BYTES_KIND, STRING_KIND } from './link/frames.js';
import { decodeOwn } from './own-errors.js';
import { dropEncoded } from './runtime/carried.js';

export { jsonExact } from './json-walk.js';

import { type Item, isDecoded } from './protocol/item.js';
import { unzeroedBytes } from './unzeroed.js';

/** node:v8, loaded on the first value JSON cannot carry (not at import: issue #18). */
let v8Module: typeof import('node:v8') | undefined;
const v8 = (): typeof import('node:v8') => (v8Module ??= process.getBuiltinModule('node:v8'));

const KIND_VALUE = 0;
const KIND_ENCODED = 1;
const KIND_BYTES = BYTES_KIND;
const KIND_JSON = STRING_KIND;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * What the bytes of a value begin with when `recvBytes()` takes a message `send()` sent (Python's
 * pickles begin with `\x80` and their protocol number): then the bytes say what they are, so a
 * worker that forwards messages as bytes (`recvBytes()` then `sendBytes()`) delivers a value that
 * `recv()` at the far end rebuilds, as Python's `recv()` unpickles what `recv_bytes()` gave.
 * Then comes the item's kind byte and its payload.
 */
const VALUE_BYTES_MAGIC = Uint8Array.of(0x80, 0x6d, 0x70, 0x01); // \x80 'm' 'p', version 1

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
  const copy = jsonCopy(value, exact);
  if (copy !== NO_COPY) return { value: copy, bytes: copiedBytes(), here: true };
  // Plain data with a shared object: nothing to encode, and the codec's scan would walk every path.
  const plain = copyMetAgain() && plainGraph(value);
  // Encoded for any process: where the item goes is not known until someone gets it.
  const { value: encoded, encoded: needsDecode } = plain
    ? { value, encoded: false }
    : encodeValue(value, 'process', path, { ...ERRORS_AS_VALUES, destination: THROUGH });
  const ser = new (v8().DefaultSerializer)();
  ser.writeUint32(needsDecode ? KIND_ENCODED : KIND_VALUE);
  ser.writeHeader();
  try {
    ser.writeValue(encoded);
  } catch (err) {
    // Structured clone refused what the codec let through (a Proxy, a generator): the copies it
    // made go back, and the error names the part.
    if (needsDecode) dropEncoded(encoded);
    const found = refusedPart(value, path);
    const at = found?.path ?? path;
    const what = found === undefined ? '' : `it is ${found.what}, which structured clone cannot copy: `;
    throw new SerializationError(
      at,
      `Cannot send ${at}: ${what}${String((err as Error).message).replace(/\.+$/, '')}. Only structured-cloneable values (and multiproc objects) can be sent.`,
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

/**
 * What `recvBytes()` gives: the bytes `sendBytes()` sent, or a value's bytes, which
 * {@link VALUE_BYTES_MAGIC} marks so that `recv()` of them gives the value again.
 */
export function itemBytes(item: Item): Uint8Array {
  if (isDecoded(item)) return valueBytes(textEncoder.encode(JSON.stringify(item.value)), KIND_JSON);
  if (typeof item === 'string') return valueBytes(textEncoder.encode(item), KIND_JSON);
  return item[0] === KIND_BYTES ? item.subarray(1) : valueBytes(item);
}

/** The magic, then `kind` (unless `body` starts with it), then `body`. */
function valueBytes(body: Uint8Array, kind?: number): Uint8Array {
  const head = VALUE_BYTES_MAGIC.length + (kind === undefined ? 0 : 1);
  const out = unzeroedBytes(head + body.length); // every byte is written below
  out.set(VALUE_BYTES_MAGIC);
  if (kind !== undefined) out[head - 1] = kind;
  out.set(body, head);
  return out;
}

/**
 * A bytes message as `recv()` gives it: the value, when the bytes are a value's bytes that
 * `recvBytes()` gave (a relay forwarded them), else the bytes themselves, also when bytes that
 * merely start like a value's do not decode as one.
 */
function bytesOrValue(bytes: Uint8Array, wait: boolean, loads: PendingLoad[] | undefined): unknown {
  const m = VALUE_BYTES_MAGIC.length;
  if (bytes.length <= m || VALUE_BYTES_MAGIC.some((b, i) => bytes[i] !== b)) return bytes;
  const inner = bytes.subarray(m);
  if (inner[0] !== KIND_JSON && inner[0] !== KIND_VALUE && inner[0] !== KIND_ENCODED) return bytes;
  try {
    return fromItem(inner, wait, loads);
  } catch {
    return bytes;
  }
}

/**
 * The value an item carries (a bytes item yields its bytes). With `wait` (a receive that can wait:
 * `get()`, `recv()`), a value whose decoders reported a load pending (a task reference whose module
 * this realm never imported, shared's decode-loads.ts) comes as a Promise that resolves to it once
 * loaded, or rejects with the loader's error; any other value comes as it is. With `loads` instead
 * (a manager's answer, settled by its caller), the value comes as it is and the loads go there.
 */
export function fromItem(item: Item, wait = false, loads?: PendingLoad[]): unknown {
  if (typeof item === 'string') return JSON.parse(item);
  if (isDecoded(item)) return item.here === true ? withoutSymbols(item.value) : item.value;
  const kind = item[0];
  if (kind === KIND_JSON) return JSON.parse(textDecoder.decode(item.subarray(1)));
  if (kind === KIND_BYTES) return bytesOrValue(item.subarray(1), wait, loads);
  let value: unknown;
  try {
    const des = new (v8().DefaultDeserializer)(item);
    des.readUint32();
    des.readHeader();
    value = des.readValue();
  } catch (err) {
    throw undecodable(err);
  }
  if (kind !== KIND_ENCODED) return value;
  if (!wait) return decodeOwn(() => decodeValue(value, 'process', loads));
  const mine: PendingLoad[] = [];
  const decoded = decodeOwn(() => decodeValue(value, 'process', mine));
  const loading = loadPending(mine);
  return loading ? loading.then(() => decoded) : decoded;
}

/**
 * A received item this process cannot rebuild (V8 refused its bytes): the senders refuse every
 * value known to fail so (host-objects.ts in shared), so this is a value of a kind nobody listed.
 */
function undecodable(err: unknown): SerializationError {
  const why = String((err as Error)?.message ?? err).replace(/\.+$/, '');
  return new SerializationError(
    'value',
    `Cannot decode a received value: ${why}. It was sent by another process with something this process ` +
      'cannot rebuild (an engine object such as a compiled WebAssembly.Module), and is consumed: the next ' +
      'get() or recv() gets the next value. Send plain data (the bytes or fields it is made from) instead.',
    { cause: err },
  );
}

/**
 * What an item that went through the codec carries, still encoded (its queues and pipe ends are
 * codec records, not handles: nothing is claimed); undefined for any other item.
 */
export function encodedValue(item: Item): unknown {
  if (!(item instanceof Uint8Array) || item.length === 0 || item[0] !== KIND_ENCODED) return undefined;
  const des = new (v8().DefaultDeserializer)(item);
  des.readUint32();
  des.readHeader();
  return des.readValue();
}

/**
 * A byte view over `buf` (its own memory, not a copy); ValidationError when it is not bytes.
 * A buffer detached by an earlier transfer or `move()` throws what `detached(err)` returns (V8's
 * own error was a bare TypeError, "Cannot perform Construct on a detached ArrayBuffer").
 */
export function bytesOf(
  buf: unknown,
  method: string,
  hint: string,
  detached: (err: unknown) => Error,
): Uint8Array {
  const view = ArrayBuffer.isView(buf);
  if (view || buf instanceof ArrayBuffer || buf instanceof SharedArrayBuffer) {
    try {
      return view ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : new Uint8Array(buf);
    } catch (err) {
      throw detached(err);
    }
  }
  throw new ValidationError(
    `${method} takes bytes (a Uint8Array, Buffer, typed array, DataView or ArrayBuffer), got ${describeValue(buf)}. ${hint}`,
  );
}

/** `sendBytes(buf, offset, size)`'s bytes, checked: a view of `buf` (no copy). */
export function sendBytesView(buf: unknown, offset: number, size: number | undefined): Uint8Array {
  const bytes = bytesOf(buf, 'sendBytes()', 'Use send() for other values.', (cause) => {
    const why = 'its memory was already moved (detached) by an earlier send with move() or a transfer';
    return new SerializationError('buf', `Cannot send buf: ${why}. Send a copy (buffer.slice()).`, { cause });
  });
  // Python: TypeError for a number that is not an integer, ValueError for one outside the buffer.
  for (const [name, v] of [
    ['offset', offset],
    ['size', size],
  ] as const) {
    if (v !== undefined && !Number.isInteger(v)) {
      throw new ValidationError(
        `sendBytes(): ${name} must be an integer number of bytes, got ${describeValue(v)}.`,
      );
    }
  }
  const n = size ?? bytes.length - offset;
  if (offset < 0 || n < 0 || offset + n > bytes.length) {
    const sized = size === undefined ? `offset ${offset} does` : `offset ${offset} and size ${size} do`;
    throw new ValidationError(`sendBytes(): ${sized} not fit a buffer of ${bytes.length} bytes.`);
  }
  return bytes.subarray(offset, offset + n);
}

/** `recvBytesInto(buf, offset)`'s target, checked before anything is received (as Python). */
export function recvIntoTarget(buf: unknown, offset: number): Uint8Array {
  const target = bytesOf(buf, 'recvBytesInto()', 'It writes into that memory.', (cause) => {
    const why = 'buf was detached (its memory moved away by a transfer or move())';
    return new ValidationError(`recvBytesInto(): ${why}, so nothing can be written into it.`, { cause });
  });
  if (!Number.isInteger(offset)) {
    throw new ValidationError(
      `recvBytesInto(): offset must be an integer number of bytes, got ${describeValue(offset)}.`,
    );
  }
  if (offset < 0 || offset > target.length) {
    throw new ValidationError(
      `recvBytesInto(): offset ${offset} is not a byte position inside a buffer of ${target.length} bytes.`,
    );
  }
  return target;
}
