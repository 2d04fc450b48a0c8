/**
 * `move()`: send a big buffer to a worker (and back) by transfer instead of by copy. piscina's
 * `move()` is the model; Python has no equivalent (it always pickles a copy).
 */
import { ValidationError } from '@multiproc/shared';

// Read by the codec of `@multiproc/shared` when it sends a value (see its codec.ts).
const MOVE_MARK = Symbol.for('multiproc.move');

/** What {@link move} accepts: an `ArrayBuffer`, a typed array, a `DataView` or a `Buffer`. */
export type Movable = ArrayBuffer | ArrayBufferView;

/**
 * Marks an `ArrayBuffer` or typed array (a `Buffer` too) to be moved, not copied, when it is sent
 * to a worker thread as a task or `Process` argument, or returned from a task. The value itself is
 * returned, so it can be written inline: `pool.apply(tasks.sum, [move(big)])`.
 *
 * After the send, the sender's copy is detached (its `byteLength` is 0): the memory now belongs to
 * the worker. A view moves its whole underlying `ArrayBuffer`, so other views of that buffer are
 * detached too; a small `Buffer` that shares Node's 8 KiB pool slab is copied instead, since moving
 * the slab would take other Buffers with it. In the `'process'` context nothing can be moved: the
 * bytes are copied to the child, and the sender keeps its copy.
 * @param value The buffer or typed array to move.
 * @returns `value` itself.
 * @throws {ValidationError} for anything else, and for shared memory (already shared, never moved).
 * @example
 * const big = new Float64Array(32 * 1024 * 1024); // 256 MB
 * const sum = await pool.apply(tasks.sum, [move(big)]); // no copy
 * console.log(big.length); // 0: it was moved
 * // Inside a task, return move(result) to move the result back.
 */
export function move<T extends Movable>(value: T): T {
  const isBufferLike = value instanceof ArrayBuffer || ArrayBuffer.isView(value);
  if (!isBufferLike) {
    throw new ValidationError(
      `move() takes an ArrayBuffer, a typed array, a DataView or a Buffer, got ${describe(value)}. Send other values as they are.`,
    );
  }
  const buffer = value instanceof ArrayBuffer ? value : value.buffer;
  if (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer) {
    throw new ValidationError(
      'move() was given shared memory (a SharedArrayBuffer), which every thread already sees: send it as it is.',
    );
  }
  Object.defineProperty(value, MOVE_MARK, { value: true, configurable: true });
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}

/**
 * Whether `value` holds (at any depth of arrays and plain objects) a buffer marked by
 * {@link move}. Internal: a call that moves memory can be sent once only, so the pool never
 * batches it with other calls.
 */
export function holdsMoved(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  if (Object.hasOwn(value, MOVE_MARK)) return true;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  if (Array.isArray(value)) return value.some((item) => holdsMoved(item, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).some((item) => holdsMoved(item, depth + 1));
}
