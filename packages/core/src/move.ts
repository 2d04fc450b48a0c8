/**
 * `move()`: send a big buffer to a worker (and back) by transfer instead of by copy. piscina's
 * `move()` is the model; Python has no equivalent (it always pickles a copy).
 */
import {
  detachedError,
  isDetached,
  keyName,
  type SerializationError,
  ValidationError,
} from '@multiproc/shared';

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
 * bytes are copied to the child, and the sender keeps its copy. Memory can be moved once: a call
 * whose buffer another call moved first (the same buffer given to two calls made in one turn)
 * rejects with `SerializationError` naming it, and sends nothing.
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

/**
 * The refusal of a call whose memory another send moved away while the call waited for a worker
 * (the same buffer given with {@link move} to two calls): `undefined` while every buffer in
 * `transfer` can still be sent. Internal: posted as it is, the call never settled on Node 20 (the
 * worker could not read the batch) and was refused with the batch it went in on later lines.
 * @param transfer what the call's post transfers
 * @param value what was encoded (`args`, a chunk's items), to name the buffer's path in
 * @param root the path of `value` (`args`), or of each of its items (`items[7]` for `index` 0)
 */
export function movedAwayMeanwhile(
  transfer: readonly object[],
  value: unknown,
  root: string | ((index: number) => string),
): SerializationError | undefined {
  if (!transfer.some((item) => item instanceof ArrayBuffer && isDetached(item))) return undefined;
  if (typeof root === 'string') return detachedError(detachedPath(value, root, 0) ?? root);
  const items = value as ArrayLike<unknown>;
  for (let i = 0; i < items.length; i++) {
    const path = detachedPath(items[i], root(i), 0);
    if (path !== undefined) return detachedError(path);
  }
  return detachedError(root(0));
}

/** The path of the first detached buffer in `value` (arrays and plain objects, as the codec names them). */
function detachedPath(value: unknown, path: string, depth: number): string | undefined {
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return isDetached(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = detachedPath(value[i], `${path}[${i}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Map.prototype) {
    for (const [key, item] of value as Map<unknown, unknown>) {
      const found = detachedPath(item, `${path}.get(${keyName(key)})`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = detachedPath(item, `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
