/**
 * The codec protocol's types: what encoders and decoders are given and return (see codec.ts).
 * Nothing here imports `node:*`.
 */
import type { CodecMemo } from './internal/codec-memo.js';
import { ENCODE_SYMBOL } from './internal/value-kinds.js';

export type { CodecMemo } from './internal/codec-memo.js';

/**
 * The method an object implements to be sent to a worker: `obj[encodeSymbol](ctx)`.
 * @example
 * class Point {
 *   constructor(readonly x: number, readonly y: number) {}
 *   [encodeSymbol]() { return { type: 'Point', data: [this.x, this.y] }; }
 * }
 * registerCodec('Point', ([x, y]: [number, number]) => new Point(x, y));
 */
export const encodeSymbol: unique symbol = ENCODE_SYMBOL as never;

/**
 * The key that marks an encoded record inside a sent value.
 * @example
 * const { value } = encodeValue({ at: new URL('https://example.com') }, 'thread');
 * console.log(CODEC_TAG in (value as any).at); // true: the URL travels as a tagged record
 */
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
   * sender promised to report it (`EncodeOptions.tracksReceiver`); otherwise nobody will.
   */
  readonly onReceiverEnd?: (cb: () => void) => void;
  /**
   * Runs `cb` once when the worker that receives this value is being stopped (`kill()`,
   * `terminate()`), before it has ended: from then on it takes nothing new. Present with
   * {@link onReceiverEnd}, and with `EncodeOptions.tracksEnding`.
   */
  readonly onReceiverEnding?: (cb: () => void) => void;
  /** `EncodeOptions.destination`, for error messages. */
  readonly destination?: string;
}

/** How `encodeValue()` is called. */
export interface EncodeOptions {
  /**
   * The caller will call `EncodeResult.receiverEnded` once the worker it sends the value to
   * has ended (as `Process` does), so encoders may rely on it.
   * @default false
   */
  readonly tracksReceiver?: boolean | undefined;
  /**
   * The caller may call `EncodeResult.receiverEnding` when the worker it sent the value to is
   * stopped (a pool call whose timeout or abort recycles its worker); implied by `tracksReceiver`.
   * @default false
   */
  readonly tracksEnding?: boolean | undefined;
  /**
   * Where the value goes when `target` is `'process'`, as error messages say it ("through a queue,
   * ..."). @default 'to a child process' ('back to the parent process' for a path `result…`)
   */
  readonly destination?: string | undefined;
  /**
   * Objects implementing {@link keepSymbol} are encoded through their keeper in this map, made on
   * first meet; the caller releases the keepers once it will send no more.
   */
  readonly keep?: Map<object, Keeper> | undefined;
  /**
   * Only makes the keepers of `keep` for the objects in the value (a sender that encodes the value
   * later takes its copies now): nothing is encoded, and the result's `value` is the input.
   * Unsendable parts are not reported (the later encode names them).
   * @default false
   */
  readonly keepOnly?: boolean | undefined;
  /**
   * Encodes every `Error` in the value (anywhere in it) through this function rather than by
   * structured clone, which keeps only a built-in class, the message, stack and cause: core sends
   * task results so, by the rules its thrown errors follow (a class of its own comes back as
   * itself, any other keeps its name and own fields). A `DOMException` keeps its own codec.
   */
  readonly errors?: ErrorEncoder | undefined;
  /**
   * The value is one item of a list of this many items that the receiver decodes as one value
   * (a pool's map chunk), sent item by item so that an error names the item: arrays have their
   * named fields looked into for objects to encode as in the whole list, so in this item itself
   * only when the list has at most 64 items, and never deeper. A long list's items (a `map()`
   * over pairs) so pay no `Object.keys()` per pair.
   * @default undefined: the value is sent on its own
   */
  readonly listLength?: number | undefined;
  /**
   * The memo shared by the encodes of one message (several `encodeValue()` calls whose outputs
   * travel together: the fields of an error record): an object met in an earlier one becomes the
   * very record made then, so it arrives as one object when the receiver decodes the message's
   * parts with one memo too (`decodeValue()`'s `memo`). A `new Map()` starts one.
   * @default undefined: this call alone
   */
  readonly memo?: CodecMemo | undefined;
}

/**
 * Encodes an error met at `path`, for the `target` the value is encoded for (see
 * {@link EncodeOptions.errors}).
 */
export type ErrorEncoder = (error: Error, path: string, target: CodecTarget, memo?: CodecMemo) => Encoded;

/** Something a worker message can transfer instead of copying: an `ArrayBuffer`, a `MessagePort`. */
export type TransferItem = object;

/** What an encoder returns: the registered `type` and structured-cloneable `data`. */
export interface Encoded {
  /** The name its decoder was registered under with `registerCodec()`. */
  readonly type: string;
  /** What the decoder receives: structured-cloneable. */
  readonly data: unknown;
}

/** What a decoder is told about the receiving side. */
export interface DecodeContext {
  /** How the value arrived here: from another thread, or from another process. */
  readonly source: CodecTarget;
  /**
   * Reports that the object just decoded is usable only once `key` was loaded by the loader
   * registered for `kind` with `registerDecodeLoader()` (a task reference: its module, imported as
   * Python's unpickling imports it). A receive that can wait runs that load before it resolves;
   * absent when the caller cannot wait (a synchronous receive): the object is handed over as is.
   */
  readonly needs?: (kind: string, key: string) => void;
  /**
   * What this receive decoded so far, each received object to what replaced it: a decoder that
   * decodes parts of its data itself (an error's fields) passes it on, so an object the sender
   * met twice is one object here too.
   */
  readonly memo?: Map<object, unknown>;
}

/** An object that knows how to send itself to a worker. */
export interface Encodable {
  /** Returns the form of this object that travels; `ctx` says where to and under which path. */
  [encodeSymbol](ctx: EncodeContext): Encoded;
}

/** A decoder turns `data` back into a live object on the receiving side. */
export type Decoder = (data: any, ctx: DecodeContext) => unknown;

/** The result of `encodeValue()`. */
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
  /**
   * Call when the worker the value went to is being stopped (killed or terminated), before it has
   * ended: runs what encoders registered with `ctx.onReceiverEnding` (once; later calls do nothing).
   */
  readonly receiverEnding: () => void;
}

/**
 * The method of an object whose copies a sender will make later, perhaps after this object's own
 * handle was closed (a pool's `initargs`, copied for each worker it starts): `obj[keepSymbol](ctx)`
 * returns a {@link Keeper} that encodes as the object would, independently of that handle.
 * @example
 * // Implemented by objects a pool copies for each worker it starts, such as a Queue in initargs:
 * const q = new Queue();
 * console.log(typeof (q as any)[keepSymbol]); // 'function'
 */
export const keepSymbol: unique symbol = Symbol.for('multiproc.codec.keep') as never;

/** Stands in for a kept object in every send made with {@link EncodeOptions.keep}. */
export interface Keeper extends Encodable {
  /** Gives up what the keeper reserved; later sends through it throw. */
  release(): void;
}
