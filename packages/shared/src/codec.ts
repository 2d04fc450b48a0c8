/**
 * The codec protocol: how an object that owns a resource (shared memory, a lock, a connection, a
 * queue) travels to another worker and is rebuilt there on the same resource.
 *
 * Sender side: an object implements `[encodeSymbol](ctx)` and returns `{ type, data }`, where
 * `data` is structured-cloneable. {@link encodeValue} walks a value (arrays, plain objects, Maps,
 * Sets, class instances' own fields), replaces each such object by a tagged record
 * `{ [CODEC_TAG]: type, data }`, collects transferables, and reports the path of anything that
 * cannot be sent (a function, a symbol) as a {@link SerializationError}.
 *
 * Receiver side: {@link decodeValue} walks the received value and turns each tagged record back
 * into an object with the decoder registered for its `type` by {@link registerCodec}. A decoder is
 * registered when the module defining the class is imported, so the receiving worker must import
 * that module too (multiproc's own classes are always loaded in its workers; a user class is
 * loaded by the task module that uses it). An owner-bound primitive sent to a thread carries the rosters
 * of internal/thread-roster.ts. Nothing here imports `node:*`: it runs in browser workers too.
 */

import {
  CODEC_TAG,
  type CodecTarget,
  type Decoder,
  type Encodable,
  type EncodeContext,
  type Encoded,
  type EncodeOptions,
  type EncodeResult,
  encodeSymbol,
  type TransferItem,
} from './codec-types.js';
import { ProcessError } from './errors.js';
import { ByteObjects } from './internal/byte-sharing.js';
import { isEncodable, LayeredMemo, madeRecords } from './internal/codec-memo.js';
import { codecRegistry, ESCAPED_TYPE, markCrossed } from './internal/codec-registry.js';
import { copyError } from './internal/error-copy.js';
import { hostObjectRefusal } from './internal/host-objects.js';
import { dropUndelivered, keeperOf } from './internal/keepers.js';
import {
  BUILTIN_DECODERS,
  builtinEncoder,
  detachedError,
  isDetached,
  platformError,
  platformSendable,
} from './internal/platform.js';
import { isError } from './internal/realms.js';
import { portToProcess, sharedToProcess } from './internal/shared-codec.js';
import { withRosters } from './internal/thread-roster.js';
import {
  checkCodecArgs,
  dataStep,
  isUncloneable,
  keyName,
  readOrRefuse,
  tooDeep,
  unreadable,
  unsendable,
} from './internal/unsendable.js';
import {
  copyArray,
  isHole,
  isMoved,
  isPassThrough,
  isPlainData,
  isPlatform,
  isPort,
  isShared,
  MAX_NESTING,
  NO_NAMED_FIELDS,
  NodeBuffer,
  namedFields,
  namedFieldsDepth,
  ownIndexesFrom,
  spansBuffer,
} from './internal/value-kinds.js';
import { BUFFER_TYPE } from './internal/views.js';

export {
  CODEC_TAG,
  type CodecTarget,
  type DecodeContext,
  type Decoder,
  type Encodable,
  type EncodeContext,
  type Encoded,
  type EncodeOptions,
  type EncodeResult,
  type ErrorEncoder,
  encodeSymbol,
  type Keeper,
  keepSymbol,
  type TransferItem,
} from './codec-types.js';

export { isEncodable } from './internal/codec-memo.js';

const registry = codecRegistry();

/**
 * Registers the decoder for an encoded `type`. Call it at the top level of the module that defines
 * the class, so every thread that imports the class can also receive it.
 * @example
 * class Point { constructor(public x: number, public y: number) {}
 *   [encodeSymbol]() { return { type: 'app.Point', data: [this.x, this.y] }; } }
 * registerCodec('app.Point', ([x, y]) => new Point(x, y));
 * @param type The name the class's encoder returns as `type`: a non-empty string.
 * @param decode Turns the received `data` back into a live object.
 * @throws {ValidationError} when `type` is not a non-empty string or `decode` not a function.
 */
export function registerCodec(type: string, decode: Decoder): void {
  checkCodecArgs(type, decode);
  registry.set(type, decode);
}

// URL, URLSearchParams, DOMException and File travel as their text or parts (internal/platform.ts).
for (const [type, decode] of Object.entries(BUILTIN_DECODERS)) registerCodec(type, decode);

/** The `receiverEnded` of a value that encoded nothing. */
const NOTHING = (): void => {};

/**
 * Walks `value`, encodes every {@link Encodable} in it for `target`, and checks that the rest can
 * be structured-cloned, naming the path (`rootPath` first) of the first part that cannot.
 * Copies only the containers on the way to an encoded object; the rest is shared with the input.
 * `URL`, `URLSearchParams`, `DOMException` (and `File`, to a thread) are encoded and rebuilt.
 * @throws {SerializationError} for a function or symbol anywhere in `value`, a `WeakMap`, `WeakSet`,
 *   `WeakRef` or `Promise`, a platform object whose clone would lose its state (`Headers`,
 *   `AbortSignal`; any to a process, `Blob` too), a WebAssembly object but a `Module` or shared
 *   `Memory` to a thread (to a process: none), Node's `BlockList`, `SocketAddress`, `KeyObject` or
 *   `X509Certificate` to a process, a Node `EventEmitter` (a stream, socket, HTTP request) to any
 *   target, a buffer an earlier send moved away (detached), or a value nested
 *   more than 1000 containers deep (Python's pickle raises RecursionError).
 * @throws {ContextError} for shared memory (a SharedArrayBuffer, a shared `WebAssembly.Memory`)
 *   to a process (`SerializationError` for a result: a path `result…`).
 * @example
 * const { value, encoded } = encodeValue({ at: new URL('https://example.com'), n: 1 }, 'thread');
 * console.log(encoded); // true: a decodeValue() call is needed on the other side
 */
export function encodeValue<T>(
  value: T,
  target: CodecTarget,
  rootPath = 'value',
  options: EncodeOptions = {},
): EncodeResult<T> {
  // Most values need nothing: sent as they are, no paths or copies (a throwing Proxy: the walk names where).
  // How deep arrays have their named fields looked into (value-kinds.ts), decided once.
  const namedDepth = readOrRefuse(() => namedFieldsDepth(value, options.listLength), rootPath);
  const asItIs = { value, transfer: [], encoded: false, receiverEnded: NOTHING, receiverEnding: NOTHING };
  try {
    if (isPlainData(value, options.errors !== undefined, namedDepth, target === 'process')) return asItIs;
  } catch {}
  const transfer: TransferItem[] = [];
  const onEnd: (() => void)[] = [];
  const onEnding: (() => void)[] = [];
  const onReceiverEnd = options.tracksReceiver ? (cb: () => void) => void onEnd.push(cb) : undefined;
  const tracksEnding = options.tracksReceiver || options.tracksEnding;
  const onReceiverEnding = tracksEnding ? (cb: () => void) => void onEnding.push(cb) : undefined;
  // An encoder lists the port it puts in its data, which the walk then meets again.
  const addTransfer = (item: TransferItem): void => {
    if (!transfer.includes(item)) transfer.push(item);
  };
  let encoded = false;
  const memo = options.memo ?? (options.errors ? new Map<object, unknown>() : undefined); // for its errors' parts
  const seen = memo ? new LayeredMemo(memo) : new Map<object, unknown>();
  const made: unknown[] = []; // the records of objects' own encoders: given back if the walk throws
  // The path being read, for an error thrown by the value itself (a getter, a Proxy's trap).
  let at = rootPath;

  const walk = (v: unknown, path: string, depth = 0): unknown => {
    at = path;
    const t = typeof v;
    if (t === 'function') {
      if (isEncodable(v)) return encodeOne(v, path, depth);
      throw unsendable(path, v);
    }
    if (t === 'symbol') throw unsendable(path, v);
    if (t !== 'object' || v === null) return v;
    const obj = v as object;
    if (seen.has(obj)) {
      const out = seen.get(obj);
      encoded ||= out !== obj; // met in an earlier encode of the message (options.memo): a record
      return out;
    }
    // `depth`: how many containers hold `v` (see MAX_NESTING).
    if (depth >= MAX_NESTING && !isPassThrough(obj)) throw tooDeep(path);
    if (isEncodable(obj)) return encodeOne(obj, path, depth);
    const builtin = builtinEncoder(Object.getPrototypeOf(obj));
    if (builtin) return encodeOne(obj, path, depth, () => builtin(obj, target, path));
    const ofError = options.errors;
    if (ofError && isError(obj)) return encodeOne(obj, path, depth, () => ofError(obj, path, target, seen));
    const host = hostObjectRefusal(obj, target, path, options.destination);
    if (host) throw host;
    if (isPort(obj)) {
      if (target === 'process') throw portToProcess(path, options.destination);
      // A port can only be transferred, never copied: list it, as postMessage requires.
      seen.set(obj, obj);
      addTransfer(obj);
      return obj;
    }
    if (isPassThrough(obj)) {
      if (isShared(obj)) {
        if (target === 'process') throw sharedToProcess(path, options.destination);
        return obj;
      }
      if (NodeBuffer?.isBuffer(obj)) return options.keepOnly ? obj : encodeBuffer(obj as Uint8Array);
      if (isUncloneable(obj)) throw unsendable(path, obj);
      if (obj instanceof ArrayBuffer || ArrayBuffer.isView(obj)) {
        if (isDetached(obj)) throw detachedError(path);
        // A moved buffer or typed array goes to a thread by transfer (no copy); it is detached here.
        if (target === 'thread' && isMoved(obj)) addTransfer(obj instanceof ArrayBuffer ? obj : obj.buffer);
        else return encodeView(obj);
      } else if (isPlatform(obj) && !platformSendable(obj, target)) {
        throw platformError(path, obj, target);
      }
      return obj;
    }
    if (Array.isArray(obj)) {
      seen.set(obj, obj);
      const named = depth <= namedDepth ? namedFields(obj) : NO_NAMED_FIELDS;
      let out: Record<string, unknown> | undefined;
      const copy = () => (out ??= seen.set(obj, copyArray(obj, named)).get(obj) as Record<string, unknown>);
      const visit = (i: number, item: unknown): void => {
        const next = walk(item, `${path}[${i}]`, depth + 1);
        at = path;
        if (next !== item) copy()[i] = next;
      };
      const n = obj.length;
      for (let i = 0; i < n; i++) {
        const item = obj[i];
        // Numbers and strings dominate big arrays: skip the call for them.
        if (typeof item === 'object' || typeof item === 'function' || typeof item === 'symbol')
          visit(i, item);
        else if (item === undefined && isHole(obj, i)) {
          // A sparse array: the rest by its own keys, not by `length` (see ownIndexesFrom).
          for (const j of ownIndexesFrom(obj, i)) visit(j, obj[j]);
          break;
        }
      }
      for (const key of named) {
        const item = (obj as unknown as Record<string, unknown>)[key];
        const next = walk(item, `${path}.${key}`, depth + 1);
        at = path;
        if (next !== item) copy()[key] = next;
      }
      return out ?? obj;
    }
    if (obj instanceof Map) {
      seen.set(obj, obj);
      let changed = false;
      const entries: [unknown, unknown][] = [];
      for (const [k, item] of obj) {
        const key = walk(k, `${path}.<key>`, depth + 1);
        const next = walk(item, `${path}.get(${keyName(k)})`, depth + 1);
        at = path;
        changed ||= key !== k || next !== item;
        entries.push([key, next]);
      }
      if (!changed) return obj;
      const out = new Map(entries);
      seen.set(obj, out);
      return out;
    }
    if (obj instanceof Set) {
      seen.set(obj, obj);
      let changed = false;
      const items: unknown[] = [];
      for (const item of obj) {
        const next = walk(item, `${path}.<item>`, depth + 1);
        at = path;
        changed ||= next !== item;
        items.push(next);
      }
      if (!changed) return obj;
      const out = new Set(items);
      seen.set(obj, out);
      return out;
    }
    // Plain objects, errors and class instances: structured clone copies own fields only, so an instance
    // arrives as a plain object (a class that keeps its methods travels by [encodeSymbol] and registerCodec()).
    seen.set(obj, obj);
    if (isError(obj)) return walkError(obj, path, depth);
    // An error encoder's data holds what it encoded: such a record stays one, its data walked for what moves.
    if (madeRecords.has(obj)) {
      const record = obj as { data: unknown };
      record.data = walk(record.data, path + dataStep(obj), depth + 1);
      return record;
    }
    let out: Record<string, unknown> | undefined;
    // The user's own object with the tag key travels wrapped (decoded back as itself, not read).
    const tagged = Object.hasOwn(obj, CODEC_TAG);
    if (tagged) out = seen.set(obj, { ...obj }).get(obj) as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const keyPath = `${path}.${key}`;
      at = keyPath;
      const item = (obj as Record<string, unknown>)[key];
      const next = walk(item, keyPath, depth + 1);
      at = path;
      if (next !== item) {
        out ??= seen.set(obj, { ...obj }).get(obj) as Record<string, unknown>;
        out[key] = next;
      }
    }
    if (!tagged) return out ?? obj;
    encoded = true;
    const record = { [CODEC_TAG]: ESCAPED_TYPE, data: out };
    seen.set(obj, record);
    return record;
  };

  // An error's `cause` (not enumerable) is walked too: structured clone sends it.
  const walkError = (err: Error, path: string, depth: number): unknown => {
    const fields: Record<string, unknown> = {};
    let changed = false;
    for (const key of Object.keys(err)) {
      const item = (err as unknown as Record<string, unknown>)[key];
      fields[key] = walk(item, `${path}.${key}`, depth + 1);
      changed ||= fields[key] !== item;
    }
    let cause: { value: unknown } | null = null;
    if (Object.hasOwn(err, 'cause')) {
      cause = { value: walk(err.cause, `${path}.cause`, depth + 1) };
      changed ||= cause.value !== err.cause;
    }
    at = path;
    if (!changed) return err;
    const out = copyError(err, cause, fields);
    seen.set(err, out);
    return out;
  };

  // Byte objects as views.ts and byte-sharing.ts say (their form is settled at the end).
  let byteObjects: ByteObjects | undefined;
  const encodeView = (obj: ArrayBuffer | ArrayBufferView): unknown => {
    const out = (byteObjects ??= new ByteObjects(target)).encode(obj);
    if (out !== obj) encoded = !!seen.set(obj, out);
    return out;
  };
  const encodeBuffer = (buffer: Uint8Array): unknown => {
    const moved = target === 'thread' && isMoved(buffer) && spansBuffer(buffer);
    // Its own bytes: the buffer itself when moved whole, else a copy, which a thread gets by transfer.
    const bytes = moved
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    if (target === 'thread') addTransfer(bytes.buffer);
    encoded = true;
    const record = { [CODEC_TAG]: BUFFER_TYPE, data: bytes };
    if (!moved) (byteObjects ??= new ByteObjects(target)).view(buffer, record, true);
    seen.set(buffer, record);
    return record;
  };

  const encodeOne = (obj: object, path: string, depth: number, builtin?: () => Encoded): unknown => {
    const ctx: EncodeContext = {
      target,
      path,
      transfer: addTransfer,
      onReceiverEnd,
      onReceiverEnding,
      destination: options.destination,
    };
    if (options.keepOnly) {
      if (!builtin) keeperOf(obj as Encodable, ctx, options.keep);
      return obj;
    }
    const { type, data } = builtin
      ? builtin()
      : keeperOf(obj as Encodable, ctx, options.keep)[encodeSymbol](ctx);
    encoded = true;
    // A container too (its data one level deeper), listed before that is walked: undone if the walk throws.
    const record = withRosters(obj, target, { [CODEC_TAG]: type, data: markCrossed(data, path) });
    made.push(record);
    record.data = walk(data, path + dataStep(record), depth + 1);
    seen.set(obj, record);
    // An error's record (`builtin`) may refer to errors being rebuilt: decoded within them only.
    if (!builtin) madeRecords.add(record);
    return record;
  };

  let out: T;
  try {
    out = walk(value, rootPath, 0) as T;
    if (options.keepOnly) return asItIs;
    byteObjects?.settle();
    if (seen instanceof LayeredMemo) for (const item of seen.commit(transfer)) addTransfer(item);
  } catch (err) {
    if (options.keepOnly) return asItIs;
    for (const cb of onEnd.splice(0)) cb(); // nothing is sent: what was encoded will not arrive
    dropUndelivered(made);
    throw err instanceof ProcessError ? err : unreadable(at, err);
  }
  const receiverEnded = (): void => {
    onEnding.length = 0;
    for (const cb of onEnd.splice(0)) cb();
  };
  const receiverEnding = (): void => {
    for (const cb of onEnding.splice(0)) cb();
  };
  return { value: out, transfer, encoded, receiverEnded, receiverEnding };
}
