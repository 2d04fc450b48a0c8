/**
 * Reusable `Float64Array` buffers for the number chunks of one map-style call. Reading an input of
 * unknown length, sending each chunk and getting its results back would otherwise allocate two or
 * three buffers a chunk off the V8 heap, freed only when a garbage collection happens to find
 * them: over millions of items that held tens of MB of dead buffers (issue 18). With a thread, a
 * chunk's buffer goes to the worker by transfer, holds the results on the way back, and returns
 * here once the consumer has read them, so a call keeps reusing a handful of buffers.
 */

/** Buffers hold at least this many items, so that growing chunks find one that fits. */
const MIN_ITEMS = 1024;

export class Float64Buffers {
  readonly #free: ArrayBuffer[] = [];
  readonly #max: number;

  /** @param max - how many free buffers to keep; more are left to the garbage collector. */
  constructor(max: number) {
    this.#max = max;
  }

  /** A view of `length` items on a free buffer (or a new one); its contents are stale. */
  take(length: number): Float64Array {
    const bytes = length * Float64Array.BYTES_PER_ELEMENT;
    for (let buffer = this.#free.pop(); buffer !== undefined; buffer = this.#free.pop()) {
      if (buffer.byteLength >= bytes) return new Float64Array(buffer, 0, length);
    }
    let items = MIN_ITEMS;
    while (items < length) items *= 2;
    return new Float64Array(new ArrayBuffer(items * Float64Array.BYTES_PER_ELEMENT), 0, length);
  }

  /** Hands back a view's buffer (one no longer read or written) for a later `take`. */
  give(view: Float64Array): void {
    const buffer = view.buffer as ArrayBuffer;
    // A transferred buffer is detached (length 0): nothing to keep.
    if (buffer.byteLength > 0 && this.#free.length < this.#max && !this.#free.includes(buffer))
      this.#free.push(buffer);
  }
}
