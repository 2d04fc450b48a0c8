/**
 * Shared memory that crossed a thread boundary: sent by the codec (a `Process`'s or pool task's
 * arguments, a result, anything `encodeValue()` encoded) or received by it (a decoder adopted it).
 * Marked on both sides, on `globalThis` so that two copies of the package agree.
 *
 * The deadlock rule of wait.ts reads it: a worker thread's unbounded wait on memory that did not
 * escape (made in this thread, sent at most as arguments to workers it started) can only be ended
 * by this thread or by those workers (which end before it, or are ended with it), so once its
 * event loop runs dry and none of them runs, nothing can end it any more, as in a program's main
 * thread. Those workers cannot hand the memory on beyond this thread's own workers: queues, pipes
 * and managers refuse shared memory (it could reach another process), so it leaves a worker only
 * as a nested worker's arguments (ended with that worker) or as a result, which comes back here and
 * is marked 'escaped' when decoded. Marking errs towards "escaped": a value encoded and then not
 * sent still counts, which keeps the old rule (the wait holds the thread's loop open, for whoever
 * else may hold the memory).
 */

const KEY = Symbol.for('multiproc.crossedBuffers');
/** `'down'`: sent only as arguments to workers this thread starts; `'escaped'`: anywhere else. */
type Crossing = 'down' | 'escaped';
const crossed: WeakMap<object, Crossing> = ((
  globalThis as Record<symbol, WeakMap<object, Crossing> | undefined>
)[KEY] ??= new WeakMap<object, Crossing>());

/**
 * Crossings that have not happened yet: memory encoded for a pool call still queued in this thread
 * (its worker is starting, or every worker is busy), which leaves only when this thread's event loop
 * turns. A buffer whose every crossing is such is held by no other thread: a blocking wait on it
 * can never end (wait.ts says so). `only` counts them per buffer until one is sent (then it crossed)
 * or dropped; `collecting` gathers the buffers of the encoding in progress ({@link encodeUnsent}).
 */
interface Unsent {
  collecting: SharedArrayBuffer[] | undefined;
  readonly only: WeakMap<object, number>;
}
const unsent: Unsent = ((globalThis as Record<symbol, Unsent | undefined>)[
  Symbol.for('multiproc.unsentCrossings')
] ??= { collecting: undefined, only: new WeakMap<object, number>() });

/**
 * Runs `encode` (a pool call's arguments, kept in this thread until a worker takes them), its
 * crossings counted as not happened yet; `sent()`, to call once the encoding was posted to a worker or
 * dropped unsent, ends that (a dropped one then counts as crossed, as before: err towards waiting).
 */
export function encodeUnsent<T>(encode: () => T): { value: T; sent: () => void } {
  const outer = unsent.collecting;
  const buffers: SharedArrayBuffer[] = (unsent.collecting = []);
  try {
    const value = encode();
    return { value, sent: buffers.length === 0 ? noop : () => sentAll(buffers) };
  } catch (error) {
    sentAll(buffers);
    throw error;
  } finally {
    unsent.collecting = outer;
  }
}

function noop(): void {}

function sentAll(buffers: SharedArrayBuffer[]): void {
  for (const sab of buffers.splice(0)) unsent.only.delete(sab);
}

/** The codec paths of what goes down to a worker this thread starts: a `Process`'s or task's arguments. */
const DOWN_PATH = /^(?:args|items|initargs)(?:[[.<]|$)/;

function isShared(v: unknown): v is SharedArrayBuffer {
  return Object.prototype.toString.call(v) === '[object SharedArrayBuffer]';
}

/**
 * Marks the shared memory of one encoded or decoded multiproc object: its codec `data` is the
 * buffer itself or an object whose `sab` is (a nested lock is an object of its own, marked when it
 * is encoded). `path`: where an encoded one goes (the codec's path); none for a received one.
 * Returns `data`.
 */
export function markCrossed<T>(data: T, path?: string): T {
  const sab = isShared(data)
    ? data
    : typeof data === 'object' && data !== null
      ? (data as { sab?: unknown }).sab
      : undefined;
  if (!isShared(sab)) return data;
  if (path !== undefined && unsent.collecting !== undefined) {
    if (!crossed.has(sab) || unsent.only.has(sab)) {
      unsent.only.set(sab, (unsent.only.get(sab) ?? 0) + 1);
      unsent.collecting.push(sab);
    }
  } else unsent.only.delete(sab); // sent or received now: it crossed
  if (path !== undefined && DOWN_PATH.test(path) && crossed.get(sab) !== 'escaped') crossed.set(sab, 'down');
  else crossed.set(sab, 'escaped');
  return data;
}

/**
 * Whether `buffer` ever crossed a thread boundary, either way: if not, no other thread holds it
 * (every multiproc object refuses a plain structured clone, and keeps its memory private).
 */
export function hasCrossed(buffer: ArrayBufferLike): boolean {
  return crossed.has(buffer) && !unsent.only.has(buffer);
}

/** Whether `buffer`'s only crossings are pool calls still queued in this thread ({@link encodeUnsent}). */
export function isUnsentOnly(buffer: ArrayBufferLike): boolean {
  return unsent.only.has(buffer);
}

/**
 * Whether `buffer` may be held by a thread other than this one and those it started: received
 * from another thread, or sent some other way than as a worker's arguments (a result, a message).
 */
export function hasEscaped(buffer: ArrayBufferLike): boolean {
  return crossed.get(buffer) === 'escaped';
}
