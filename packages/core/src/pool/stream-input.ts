/**
 * The input side of a stream of map chunks: stepping the iterable, asking it to finish, and the
 * registry through which a pool's terminate() stops the streams that wait on their input.
 */

import { describeValue } from '@multiproc/shared';
import type { Float64Buffers } from './buffers.js';
import { asksAt, turnSpent } from './turns.js';

/** Ends a stream with `error`: its consumer's pending or next `next()` rejects with it. */
export type StopStream = (error: unknown) => void;

/**
 * The streams waiting on their input right now (`StreamOptions.inputWaits`).
 * `stopAll()` stops them, and any stream that starts waiting later, at once: the pool is gone.
 */
export class InputWaits {
  readonly #stops = new Set<StopStream>();
  #stopped: (() => unknown) | undefined;

  add(stop: StopStream): void {
    if (this.#stopped) stop(this.#stopped());
    else this.#stops.add(stop);
  }

  delete(stop: StopStream): void {
    this.#stops.delete(stop);
  }

  /** Stops every waiting stream, each with an error of its own from `errorOf`. */
  stopAll(errorOf: () => unknown): void {
    this.#stopped ??= errorOf;
    const stops = [...this.#stops];
    this.#stops.clear();
    for (const stop of stops) stop(errorOf());
  }
}

export type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

const ARRAY_VALUES = Array.prototype[Symbol.iterator];
const TYPED_VALUES = Object.getPrototypeOf(Uint8Array.prototype)[Symbol.iterator];
const SET_VALUES = Set.prototype[Symbol.iterator];
const MAP_ENTRIES = Map.prototype[Symbol.iterator];

/**
 * Whether `source` is an array that iterates as arrays do, so a stream reads it by index. An
 * array subclass that redefines `[Symbol.iterator]` is read through it, as any iterable.
 */
export function readsAsArray(source: unknown): source is unknown[] {
  return Array.isArray(source) && source[Symbol.iterator] === ARRAY_VALUES;
}

/**
 * `source` as the array a stream slices when it reads as one ({@link readsAsArray}): an array
 * subclass as a plain copy (its `slice` makes instances of its class); else `undefined`.
 */
export function arrayRead(source: unknown): unknown[] | undefined {
  if (!readsAsArray(source)) return undefined;
  return source.constructor === Array ? source : Array.from({ length: source.length }, (_, i) => source[i]);
}

/**
 * The number of items of `source` when it is known without consuming it: an array, typed array,
 * Set or Map with its built-in iterator (one of its own may yield any number of items).
 */
export function knownLength(source: unknown): number | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const values = (source as Iterable<unknown>)[Symbol.iterator];
  if (readsAsArray(source) || (values === TYPED_VALUES && ArrayBuffer.isView(source)))
    return (source as { length: number }).length;
  if ((values === SET_VALUES && source instanceof Set) || (values === MAP_ENTRIES && source instanceof Map))
    return source.size;
  return undefined;
}

/**
 * A `map`/`starmap` input as the call takes it, as Python's `map` takes `list(iterable)`: an array,
 * typed array, Set or Map (with its built-in iterator) is copied now, shallowly, so the caller may
 * change or reuse it right after the call (`batch.length = 0`) without changing the call's items;
 * their iterators are live, and a map reads its input over several turns. Any other input (a
 * generator, a cursor) is read as the call goes.
 */
export function inputAtCall(input: unknown): unknown {
  if (knownLength(input) === undefined) return input;
  if (readsAsArray(input)) return input.constructor === Array ? input.slice() : arrayRead(input);
  if (ArrayBuffer.isView(input)) return typedCopy(input);
  return Array.from(input as Iterable<unknown>);
}

/** The built-in `%TypedArray%.prototype[Symbol.toStringTag]` getter: a typed array's own kind. */
const TYPED_KIND = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag,
)!.get as (this: unknown) => string;

/**
 * A typed array's items in a new plain typed array of its kind. Not its `slice()`: a `Buffer`'s
 * is a view of the same memory (as `subarray()`), and a subclass's may be anything of its own.
 */
function typedCopy(input: ArrayBufferView): ArrayBufferView {
  const Kind = (globalThis as unknown as Record<string, new (from: ArrayBufferView) => ArrayBufferView>)[
    TYPED_KIND.call(input)
  ]!;
  return new Kind(input);
}

export function iteratorOf(source: Iterable<unknown> | AsyncIterable<unknown>): AnyIterator {
  const asyncIt = (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return checkedIterator(asyncIt.call(source), 'Symbol.asyncIterator');
  const syncIt = (source as Iterable<unknown>)?.[Symbol.iterator];
  if (typeof syncIt === 'function') return checkedIterator(syncIt.call(source), 'Symbol.iterator');
  throw new TypeError('The input must be an iterable or an async iterable.');
}

/** `it`, when it is an iterator; else the TypeError `for...of` would throw, saying what it is. */
function checkedIterator(it: unknown, method: string): AnyIterator {
  if (
    (typeof it === 'object' || typeof it === 'function') &&
    typeof (it as AnyIterator | null)?.next === 'function'
  )
    return it as AnyIterator;
  throw new TypeError(
    `The input's [${method}]() returned ${describeValue(it)}, not an iterator (an object with a next() method); ` +
      'Python: "iter() returned non-iterator". Make it a generator method, or return an iterator from it.',
  );
}

/** The error `for...of` throws for an iterator whose `next()` returned `step`, not an object. */
export function notAnIteratorResult(step: unknown): TypeError {
  return new TypeError(`Iterator result ${String(step)} is not an object`);
}

/**
 * Asks an input to finish without waiting for it: a stalled async generator's `return()` settles
 * only after its pending `next()` does, maybe never.
 */
export function closeUnawaited(it: AnyIterator | undefined): void {
  try {
    const done = it?.return?.() as unknown;
    if (done && typeof (done as PromiseLike<unknown>).then === 'function')
      (done as PromiseLike<unknown>).then(undefined, () => {});
  } catch {
    // The input's own failure to close is no news for a call that already failed.
  }
}

/**
 * Asks the input of a call that ended before its stream started (its timeout or signal while it
 * waited for the pool or for room in its queue) to finish, as a stopped stream closes the input it
 * read from: an input that is its own iterator (a generator, an iterator object) was handed over
 * to the call. An iterable that is not an iterator (an array, a Set) was not: it is left alone, as
 * no iterator was taken from it.
 */
export function closeUnstarted(source: unknown): void {
  if ((typeof source === 'object' || typeof source === 'function') && source !== null) {
    if (typeof (source as { next?: unknown }).next === 'function') closeUnawaited(source as AnyIterator);
  }
}

/**
 * Asks the input to finish as its stream ends, unless it was read to its end (`open` false).
 * Stopped from outside (`stop.stopped`: a terminated pool, an interrupt, a timeout before the
 * input's end) or while a read is in progress (`cancelRead`: given up with `stop.error`, if any),
 * the input is closed
 * unawaited: an async input whose `next()` is still pending (stalled, maybe for good) would
 * answer an awaited `return()` only after it. Otherwise its `return()` is awaited. What that
 * throws reaches the consumer only when the stream ends without an error of its own (a consumer
 * that left the loop early); a stream that ends by throwing (`failed`: a task's error,
 * `PoolClosedError` after `terminate()`) keeps its error, as `for...of` keeps the loop's error
 * over the one its iterator's `return()` throws.
 */
export async function closeInputAtEnd(
  it: AnyIterator | undefined,
  cancelRead: ((error: unknown) => void) | undefined,
  stop: { readonly stopped: boolean; readonly error: unknown },
  open: boolean,
  failed: boolean,
): Promise<void> {
  if (stop.stopped || cancelRead) {
    cancelRead?.(stop.error ?? new Error('The call ended while it waited on its input.'));
    closeUnawaited(it);
    return;
  }
  if (!open || !it) return;
  if (!failed) {
    await it.return?.();
    return;
  }
  try {
    await it.return?.();
  } catch {
    // The stream's own error is the news (see above).
  }
}

/**
 * Asks the input of a consumer that left at a failed item to finish (a generator's `finally` runs,
 * the file or cursor behind it is released), resolving once it has. A read in progress
 * (`cancelRead`) is given up with `error` and the input closed unawaited, as a stopped call's is.
 * What its `return()` throws is dropped: nobody is there to get it.
 */
export function closeLeftInput(
  it: AnyIterator,
  cancelRead: ((error: unknown) => void) | undefined,
  error: unknown,
): Promise<void> {
  if (cancelRead) {
    cancelRead(error);
    closeUnawaited(it);
    return Promise.resolve();
  }
  return Promise.resolve()
    .then(() => it.return?.())
    .then(
      () => {},
      () => {},
    );
}

/**
 * One chunk being read from an input that is not an array: numbers go into a buffer taken from
 * `buffers` while every item is one, else into a plain array.
 */
export class ChunkFill<I> {
  readonly #size: number;
  readonly #buffers: Float64Buffers | undefined;
  readonly #base: number;
  readonly #onItem: ((value: unknown, index: number) => void) | undefined;
  #packed: Float64Array | undefined;
  #items: unknown[] = [];
  #count = 0;

  /**
   * @param base - the input position of the chunk's first item.
   * @param onItem - told of each item that is not a number as it is read (StreamOptions.onItem).
   */
  constructor(
    size: number,
    buffers: Float64Buffers | undefined,
    base = 0,
    onItem?: (value: unknown, index: number) => void,
  ) {
    this.#size = size;
    this.#buffers = buffers;
    this.#packed = buffers?.take(size);
    this.#base = base;
    this.#onItem = onItem;
  }

  full(): boolean {
    return this.#count >= this.#size;
  }

  /**
   * Reads `it` until the chunk is full, or the input is done (then false). With `cut` (a chunk of
   * automatic size) the chunk also ends once reading has kept this turn of the event loop long
   * (turns.ts): its items' results flow, and the program's timers run, while a slow input is read.
   */
  readSync(it: Iterator<unknown>, stopCheck: () => void, cut: boolean): boolean {
    while (!this.full()) {
      stopCheck();
      if (!this.add(it.next())) return false;
      if (cut && asksAt(this.#count) && turnSpent()) break;
    }
    return true;
  }

  /** Adds one step's value; false once the input is done. Throws for a step that is not an object. */
  add(step: IteratorResult<unknown>): boolean {
    // As `for...of` does: a result that is not an object would read as an endless input.
    if (Object(step) !== step) throw notAnIteratorResult(step);
    if (step.done) return false;
    const value = step.value;
    if (this.#packed) {
      if (typeof value === 'number') {
        this.#packed[this.#count++] = value;
        return true;
      }
      this.#items = Array.from(this.#packed.subarray(0, this.#count));
      this.#buffers!.give(this.#packed);
      this.#packed = undefined;
    }
    this.#onItem?.(value, this.#base + this.#count);
    this.#items.push(value);
    this.#count++;
    return true;
  }

  /** The chunk read: the buffer (cut to the items read) or the array. */
  items(): I {
    const packed = this.#packed;
    if (!packed) return this.#items as I;
    return (this.#count === this.#size ? packed : packed.subarray(0, this.#count)) as I;
  }
}
