/**
 * What travels through a queue or pipe: an item, and the two markers a receive can end with.
 * Items are never changed once made, so any side may keep or forward one without copying it.
 */

/**
 * A message: JSON text, or one kind byte then its payload (see serialize.ts), or a value already
 * decoded (see {@link Decoded}).
 */
export type Item = Uint8Array | string | Decoded;
/** Returned by a receive when nobody is left to send. */
export const EOF: unique symbol = Symbol('multiproc.eof');
/** Returned by a send on a pipe end whose other end is closed everywhere (Python's BrokenPipeError). */
export const BROKEN: unique symbol = Symbol('multiproc.broken');
/** Returned by a receive or put that ran out of time. */
export const TIMEOUT: unique symbol = Symbol('multiproc.timeout');
export type Taken = Item | typeof EOF;

/**
 * A JSON-exact value nobody else holds: a private copy made at put or send, a run of JSON items
 * parsed at once, or a value sent at once by `Connection.send()` (cloned by a port; the home keeps
 * a copy, home.ts sendNow). `moved` would mark one the home kept no copy of, which the copy sends
 * back if it does not use it: no link marks one so any more. A plain object, so it keeps its shape
 * across a port.
 */
export interface Decoded {
  readonly value: unknown;
  readonly moved?: boolean;
  /** About the length of its JSON text, when known (a batch's size without writing it). */
  readonly bytes?: number;
  /** A private copy made in this thread (serialize.ts), which may hold symbol-keyed fields JSON drops. */
  readonly here?: true;
}

/** Whether `item` is a {@link Decoded} value rather than text or bytes. */
export function isDecoded(item: Item): item is Decoded {
  return typeof item === 'object' && !(item instanceof Uint8Array);
}

/**
 * About how many bytes `item` takes on the wire: a decoded value's counted size (64 when not
 * counted), text's length, bytes' length.
 */
export function approxBytes(item: Item): number {
  if (typeof item === 'string') return item.length;
  return item instanceof Uint8Array ? item.byteLength : (item.bytes ?? 64);
}

/** Byte items at least this big are moved between threads rather than copied. */
export const MOVE_MIN_BYTES = 16 * 1024;

/**
 * Whether a port may move `item` (transfer its buffer) instead of copying it: big bytes that are
 * the whole of their own buffer, which only the item uses.
 */
export function movable(item: unknown): item is Uint8Array {
  return (
    item instanceof Uint8Array &&
    item.byteLength >= MOVE_MIN_BYTES &&
    item.byteOffset === 0 &&
    item.buffer instanceof ArrayBuffer &&
    item.byteLength === item.buffer.byteLength
  );
}

/** What the home keeps in place of an item it moved to a copy: the copy returns it if unused. */
export const MOVED: Item = new Uint8Array(0);

/**
 * `H_DATA`'s tag bit for an item the home kept no copy of because a socket link wrote it straight
 * from the sender's memory (`sendBytes()`): the copy returns it (R_RETURN) if it does not use it.
 */
export const MOVED_TAG = 4;

/** Whether a copy received `item` by move (a port's), so it must return it rather than drop it. */
export function wasMoved(item: Item, moves: boolean): boolean {
  // Nothing is moved to a port copy now: bytes are copied (port-link.ts), and of a value sent at
  // once the home keeps a copy (home.ts sendNow), since a thread stopped without its exit hooks
  // returns nothing.
  return moves && isDecoded(item) && item.moved === true;
}
