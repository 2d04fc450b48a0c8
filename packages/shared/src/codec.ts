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
 * loaded by the task module that uses it).
 *
 * Nothing here imports `node:*`: it runs in browser workers too.
 */
import { ProcessError } from './errors.js';
import { codecRegistry, type Decoder } from './internal/codec-registry.js';
import { portToProcess, sharedToProcess } from './internal/shared-codec.js';
import { instanceError, isUncloneable, methodsOf, unreadable, unsendable } from './internal/unsendable.js';
import {
  ENCODE_SYMBOL,
  isMoved,
  isPassThrough,
  isPlainData,
  isPort,
  isShared,
  NodeBuffer,
} from './internal/value-kinds.js';

/** The method an object implements to be sent to a worker: `obj[encodeSymbol](ctx)`. */
export const encodeSymbol: unique symbol = ENCODE_SYMBOL as never;

/**
 * The method of an object whose copies a sender will make later, perhaps after this object's own
 * handle was closed (a pool's `initargs`, copied for each worker it starts): `obj[keepSymbol](ctx)`
 * returns a {@link Keeper} that encodes as the object would, independently of that handle.
 */
export const keepSymbol: unique symbol = Symbol.for('multiproc.codec.keep') as never;

/** Stands in for a kept object in every send made with {@link EncodeOptions.keep}. */
export interface Keeper extends Encodable {
  /** Gives up what the keeper reserved; later sends through it throw. */
  release(): void;
}

/** The key that marks an encoded record inside a sent value. */
export const CODEC_TAG = '__multiproc_codec__';

/** Where an encoded value is going: another thread of this process, or another process. */
export type CodecTarget = 'thread' | 'process';

/** What an encoder is told about the send it is part of. */
export interface EncodeContext {
  /** Where the value is going. Shared memory can go to a `'thread'` only. */
  readonly target: CodecTarget;
  /** The path of the object inside the sent value, such as `args[0].lock`, for error messages. */
  readonly path: string;
  /** Adds a transferable (an `ArrayBuffer`, a `MessagePort`) to the send; `'thread'` targets only. */
  transfer(item: TransferItem): void;
  /**
   * Runs `cb` once the worker that receives this value has ended (or the value was never
   * delivered), so an object can account for a copy that was never used. Present only when the
   * sender promised to report it ({@link EncodeOptions.tracksReceiver}); otherwise nobody will.
   */
  readonly onReceiverEnd?: (cb: () => void) => void;
  /** {@link EncodeOptions.destination}, for error messages. */
  readonly destination?: string;
}

/** How {@link encodeValue} is called. */
export interface EncodeOptions {
  /**
   * The caller will call {@link EncodeResult.receiverEnded} once the worker it sends the value to
   * has ended (as `Process` does), so encoders may rely on it.
   * @default false
   */
  readonly tracksReceiver?: boolean;
  /**
   * Where the value goes when `target` is `'process'`, as error messages say it ("through a queue,
   * ..."). @default 'to a child process' ('back to the parent process' for a path `result…`)
   */
  readonly destination?: string;
  /**
   * Objects implementing {@link keepSymbol} are encoded through their keeper in this map, made on
   * first meet; the caller releases the keepers once it will send no more.
   */
  readonly keep?: Map<object, Keeper>;
}

/** Something a worker message can transfer instead of copying: an `ArrayBuffer`, a `MessagePort`. */
export type TransferItem = object;

/** What an encoder returns: the registered `type` and structured-cloneable `data`. */
export interface Encoded {
  /** The name its decoder was registered under with {@link registerCodec}. */
  readonly type: string;
  /** What the decoder receives: structured-cloneable. */
  readonly data: unknown;
}

/** What a decoder is told about the receiving side. */
export interface DecodeContext {
  /** How the value arrived here: from another thread, or from another process. */
  readonly source: CodecTarget;
}

/** An object that knows how to send itself to a worker. */
export interface Encodable {
  /** Returns the form of this object that travels; `ctx` says where to and under which path. */
  [encodeSymbol](ctx: EncodeContext): Encoded;
}

export type { Decoder } from './internal/codec-registry.js';

const registry = codecRegistry();

/**
 * Registers the decoder for an encoded `type`. Call it at the top level of the module that defines
 * the class, so every thread that imports the class can also receive it.
 * @example
 * class Point { constructor(public x: number, public y: number) {}
 *   [encodeSymbol]() { return { type: 'app.Point', data: [this.x, this.y] }; } }
 * registerCodec('app.Point', ([x, y]) => new Point(x, y));
 */
export function registerCodec(type: string, decode: Decoder): void {
  registry.set(type, decode);
}

/** Whether `value` implements the codec protocol. */
export function isEncodable(value: unknown): value is Encodable {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as any)[encodeSymbol] === 'function'
  );
}

/** The result of {@link encodeValue}. */
export interface EncodeResult<T = unknown> {
  /** The value to post; the input itself when nothing needed encoding. */
  readonly value: T;
  /** Transferables the encoders asked for. */
  readonly transfer: TransferItem[];
  /** Whether any object was encoded, so the receiver knows whether to call {@link decodeValue}. */
  readonly encoded: boolean;
  /**
   * Call once the worker the value went to has ended, or when it was not sent after all: runs what
   * encoders registered with `ctx.onReceiverEnd` (once; later calls do nothing).
   */
  readonly receiverEnded: () => void;
}

const BUFFER_TYPE = 'node.Buffer';

/** Whether the view spans its whole buffer, so moving the buffer moves nothing else with it. */
function spansBuffer(view: ArrayBufferView): boolean {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
}

// A Buffer travels as its own bytes only (a small one is a window on a shared 8 KiB slab, which
// structured clone would copy whole) and is rebuilt as a Buffer (structured clone makes it a
// plain Uint8Array, whose toString() joins numbers).
registerCodec(BUFFER_TYPE, (bytes: Uint8Array) => {
  // From a child process the bytes are a window on the whole received message: copy them out.
  const own = spansBuffer(bytes) ? bytes : bytes.slice();
  return NodeBuffer ? NodeBuffer.from(own.buffer, own.byteOffset, own.byteLength) : own;
});

/** What encodes `obj`: itself, or its keeper when the send keeps objects. */
function keeperOf(obj: Encodable, ctx: EncodeContext, keep: Map<object, Keeper> | undefined): Encodable {
  const make = (obj as Partial<Record<typeof keepSymbol, (ctx: EncodeContext) => Keeper>>)[keepSymbol];
  if (!keep || typeof make !== 'function') return obj;
  let keeper = keep.get(obj);
  if (!keeper) keep.set(obj, (keeper = make.call(obj, ctx)));
  return keeper;
}

/** {@link isPlainData}, false when the value throws while it is scanned. */
function isPlainDataSafe(value: unknown): boolean {
  try {
    return isPlainData(value);
  } catch {
    return false;
  }
}

/** The `receiverEnded` of a value that encoded nothing. */
const NOTHING = (): void => {};

/**
 * Walks `value`, encodes every {@link Encodable} in it for `target`, and checks that the rest can
 * be structured-cloned, naming the path (`rootPath` first) of the first part that cannot.
 * Copies only the containers on the way to an encoded object; the rest is shared with the input.
 * @throws {SerializationError} for a function or symbol anywhere in `value`, a `WeakMap`, `WeakSet`,
 *   `WeakRef` or `Promise`, or an instance of a class with methods (it would arrive without them).
 */
export function encodeValue<T>(
  value: T,
  target: CodecTarget,
  rootPath = 'value',
  options: EncodeOptions = {},
): EncodeResult<T> {
  // Most values need nothing: send them as they are, without building paths or copies. (A Proxy
  // whose trap throws makes the scan throw: the walk below then names where.)
  if (isPlainDataSafe(value)) return { value, transfer: [], encoded: false, receiverEnded: NOTHING };
  const transfer: TransferItem[] = [];
  const onEnd: (() => void)[] = [];
  const onReceiverEnd = options.tracksReceiver ? (cb: () => void) => void onEnd.push(cb) : undefined;
  // An encoder lists the port it puts in its data, which the walk then meets again.
  const addTransfer = (item: TransferItem): void => {
    if (!transfer.includes(item)) transfer.push(item);
  };
  let encoded = false;
  const seen = new Map<object, unknown>();
  // The path being read, for an error thrown by the value itself (a getter, a Proxy's trap).
  let at = rootPath;

  const walk = (v: unknown, path: string): unknown => {
    at = path;
    const t = typeof v;
    if (t === 'function') {
      if (isEncodable(v)) return encodeOne(v, path);
      throw unsendable(path, v);
    }
    if (t === 'symbol') throw unsendable(path, v);
    if (t !== 'object' || v === null) return v;
    const obj = v as object;
    if (seen.has(obj)) return seen.get(obj);
    if (isEncodable(obj)) return encodeOne(obj, path);
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
      if (NodeBuffer?.isBuffer(obj)) return encodeBuffer(obj as Uint8Array);
      if (isUncloneable(obj)) throw unsendable(path, obj);
      // A moved buffer or typed array goes to a thread by transfer (no copy); it is detached here.
      if (target === 'thread' && (obj instanceof ArrayBuffer || ArrayBuffer.isView(obj)) && isMoved(obj)) {
        addTransfer(obj instanceof ArrayBuffer ? obj : obj.buffer);
      }
      return obj;
    }
    if (Array.isArray(obj)) {
      seen.set(obj, obj);
      let out: unknown[] | undefined;
      for (let i = 0; i < obj.length; i++) {
        const item = obj[i];
        // Numbers and strings dominate big arrays: skip the call for them.
        if (typeof item !== 'object' && typeof item !== 'function' && typeof item !== 'symbol') continue;
        const next = walk(item, `${path}[${i}]`);
        at = path;
        if (next !== item) {
          out ??= seen.set(obj, obj.slice()).get(obj) as unknown[];
          out[i] = next;
        }
      }
      return out ?? obj;
    }
    if (obj instanceof Map) {
      seen.set(obj, obj);
      let changed = false;
      const entries: [unknown, unknown][] = [];
      for (const [k, item] of obj) {
        const key = walk(k, `${path}.<key>`);
        const next = walk(item, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})`);
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
        const next = walk(item, `${path}.<item>`);
        at = path;
        changed ||= next !== item;
        items.push(next);
      }
      if (!changed) return obj;
      const out = new Set(items);
      seen.set(obj, out);
      return out;
    }
    // Plain objects, errors and class instances: structured clone copies own fields only, so an
    // instance would arrive as a plain object without its methods.
    const methods = methodsOf(obj);
    if (methods.length > 0) throw instanceError(path, obj, methods);
    seen.set(obj, obj);
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(obj)) {
      const keyPath = `${path}.${key}`;
      at = keyPath;
      const item = (obj as Record<string, unknown>)[key];
      const next = walk(item, keyPath);
      at = path;
      if (next !== item) {
        out ??= seen.set(obj, { ...obj }).get(obj) as Record<string, unknown>;
        out[key] = next;
      }
    }
    return out ?? obj;
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
    seen.set(buffer, record);
    return record;
  };

  const encodeOne = (obj: Encodable, path: string): unknown => {
    const ctx: EncodeContext = {
      target,
      path,
      transfer: addTransfer,
      onReceiverEnd,
      destination: options.destination,
    };
    const { type, data } = keeperOf(obj, ctx, options.keep)[encodeSymbol](ctx);
    encoded = true;
    const record = { [CODEC_TAG]: type, data: walk(data, `${path}<data>`) };
    seen.set(obj, record);
    return record;
  };

  let out: T;
  try {
    out = walk(value, rootPath) as T;
  } catch (err) {
    for (const cb of onEnd.splice(0)) cb(); // nothing is sent: what was encoded will not arrive
    throw err instanceof ProcessError ? err : unreadable(at, err);
  }
  const receiverEnded = (): void => {
    for (const cb of onEnd.splice(0)) cb();
  };
  return { value: out, transfer, encoded, receiverEnded };
}
