/**
 * What the encodes of one message made of each object they met, so an object met twice in it
 * arrives as one object, as structured clone keeps a shared object shared (and a cycle a cycle):
 * a queue in two fields of a thrown error, whose fields are encoded one by one, or a queue both in
 * a task's result and in an error inside it. An encode that throws part-way (a part it refused, an
 * error field encoded again without its bad part) leaves nothing behind: it writes to a layer of
 * its own, added to the message's memo only once it succeeded.
 */
import { type Encodable, encodeSymbol } from '../codec-types.js';

/** The memo of one message: each object met, and what it became. */
export interface CodecMemo {
  has(key: object): boolean;
  get(key: object): unknown;
  set(key: object, value: unknown): CodecMemo;
}

/** One encode's own entries over the message's memo (see the module's comment). */
export class LayeredMemo implements CodecMemo {
  readonly #own = new Map<object, unknown>();
  readonly #moved: object[] = [];
  readonly #base: CodecMemo;
  constructor(base: CodecMemo) {
    this.#base = base;
  }
  has(key: object): boolean {
    return this.#own.has(key) || this.#base.has(key);
  }
  get(key: object): unknown {
    return this.#own.has(key) ? this.#own.get(key) : this.#base.get(key);
  }
  set(key: object, value: unknown): this {
    this.#own.set(key, value);
    return this;
  }
  /**
   * Adds this encode's entries to the message's memo (it succeeded), and what it listed to move
   * (`transfer`: a queue copy's port) to the moves of the encode it is part of, whose walk may meet
   * its records and not their ports. Returns the moves listed here by the encodes made within it.
   */
  commit(transfer: readonly object[]): readonly object[] {
    for (const [key, value] of this.#own) this.#base.set(key, value);
    if (this.#base instanceof LayeredMemo) this.#base.#moved.push(...transfer, ...this.#moved);
    return this.#moved;
  }
}

/**
 * The records `encodeValue()` made for objects with their own encoder. One met again in a value
 * being encoded (an error encoder's data, which holds the records its parts' encodes made, met by
 * the encode of the value holding the error) stays that record instead of being sent as the
 * sender's own object that happens to have the tag key: so the receiver decodes it once, as the
 * same object wherever else the message holds it.
 */
export const madeRecords = new WeakSet<object>();

/**
 * Whether `value` implements the codec protocol.
 * @example
 * console.log(isEncodable(new Queue()), isEncodable({ a: 1 })); // true false
 */
export function isEncodable(value: unknown): value is Encodable {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as Record<symbol, unknown>)[encodeSymbol] === 'function'
  );
}
