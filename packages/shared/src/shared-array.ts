/**
 * `SharedArray` / `RawArray`: a fixed-length typed array in shared memory, typed by a Python
 * typecode. Memory: one SharedArrayBuffer, items from offset 0, rounded up to 8 bytes; a
 * synchronized array also carries a `Lock` (its own buffer, or the one given as `{ lock }`).
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { ValidationError } from './errors.js';
import { NONE, tooManyArguments } from './internal/arity.js';
import { inspectSymbol, REPR_MAX_ITEMS, reprContents, showContents } from './internal/inspect.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import {
  allocate,
  checkValue,
  notSizeOrValues,
  specOf,
  type Typecode,
  type TypecodeArray,
  type TypecodeValue,
} from './internal/typecodes.js';
import type { Lock } from './lock.js';
import { describeValue } from './options.js';
import { definePythonNames } from './python-names.js';
import type { RLock } from './rlock.js';
import { type LockChoice, type LockedResult, lockFrom, type SynchronizedOptions } from './value.js';

let adopting: SharedArrayBuffer | undefined;

/**
 * A fixed-length typed array in shared memory, without a lock. Mirrors Python's
 * `multiprocessing.RawArray`. Indexes may be negative (from the end), as in Python, and bracket
 * access works like `get()`/`set()`: `a[0] = 5` stores 5 (checked against the typecode), `a[-1]`
 * reads the last item, and an index out of range or a key that reads as a number but is not an
 * integer (`a[1.5]`, `a[NaN]`, `a['0x1']`) throws `ValidationError` (Python: `IndexError`,
 * `TypeError`), read or written: it never makes a local property the other threads do not see.
 * @example
 * const ra = new RawArray('i', [1, 2, 3]);
 * ra.set(-1, 30);
 * ra[0] = 10;
 * console.log(ra.toArray()); // [ 10, 2, 30 ]
 */
export class RawArray<C extends Typecode = Typecode> implements Iterable<TypecodeValue<C>> {
  /** `a[i]` reads `get(i)`, `a[i] = x` calls `set(i, x)` (negative `i` counts from the end). */
  [index: number]: TypecodeValue<C>;
  readonly #typecode: C;
  readonly #spec: ReturnType<typeof specOf>;
  readonly #view: TypecodeArray<C>;

  /**
   * @param typecode one of `b B h H i I l L q Q f d`.
   * @param sizeOrValues the length (items start at 0), or the initial items.
   * @throws {ValidationError} for a bad typecode or size (at most 2**53-1 bytes, and only as much
   *   shared memory as the machine can give), or an item that does not fit the typecode.
   */
  constructor(typecode: C, sizeOrValues: number | Iterable<TypecodeValue<C>>) {
    if (arguments.length > 2)
      throw tooManyArguments(
        'new RawArray()',
        arguments.length,
        'a typecode and a size or the values',
        "a RawArray has no lock (nor has Python's RawArray a lock argument): use new SharedArray(typecode, sizeOrValues, { lock }) for one with a lock",
      );
    const spec = specOf(typecode);
    this.#typecode = typecode;
    this.#spec = spec;
    refuseStructuredClone(this, 'a RawArray');
    if (adopting !== undefined) {
      this.#view = spec.make(adopting, sizeOrValues as number) as TypecodeArray<C>;
      return;
    }
    let items: TypecodeValue<C>[] | undefined;
    let length: number;
    if (typeof sizeOrValues === 'number') {
      if (!Number.isInteger(sizeOrValues) || sizeOrValues < 0) {
        throw new ValidationError(
          `Array size must be a non-negative integer, got ${describeValue(sizeOrValues)}.`,
        );
      }
      length = sizeOrValues;
    } else if (sizeOrValues !== null && typeof sizeOrValues === 'object' && Symbol.iterator in sizeOrValues) {
      items = Array.from(sizeOrValues);
      for (const v of items) checkValue(spec, typecode, v);
      length = items.length;
    } else {
      throw notSizeOrValues(sizeOrValues);
    }
    this.#view = spec.make(allocate(spec, length, typecode), length) as TypecodeArray<C>;
    if (items) (this.#view as unknown as { set(a: ArrayLike<unknown>): void }).set(items);
  }

  /** The typecode. */
  get typecode(): C {
    return this.#typecode;
  }
  /** The number of items. */
  get length(): number {
    return this.#view.length;
  }
  /** The typed array over the shared memory (no copy; writes are visible to every thread). */
  get view(): TypecodeArray<C> {
    return this.#view;
  }

  #index(i: number): number {
    const len = this.#view.length;
    if (Number.isInteger(i) && i >= -len && i < len) return i < 0 ? i + len : i;
    if (!Number.isInteger(i)) {
      throw new ValidationError(
        `An index must be an integer number (as in Python), got ${describeValue(i)}.`,
      );
    }
    throw new ValidationError(
      `Index ${i} is out of range for an array of length ${len} (use -${len} to ${len - 1}).`,
    );
  }

  /**
   * The item at `index`; negative counts from the end.
   * @throws {ValidationError} unless `-length <= index < length`.
   */
  get(index: number): TypecodeValue<C> {
    if (arguments.length > 1) throw tooManyArguments('SharedArray.get()', arguments.length, 'an index');
    return (this.#view as unknown as TypecodeValue<C>[])[this.#index(index)]!;
  }

  /**
   * Stores `value` at `index`; negative counts from the end.
   * @throws {ValidationError} for an index out of range or a value that does not fit the typecode.
   */
  set(index: number, value: TypecodeValue<C>): void {
    if (arguments.length > 2)
      throw tooManyArguments('SharedArray.set()', arguments.length, 'an index and a value');
    const i = this.#index(index);
    checkValue(this.#spec, this.#typecode, value);
    (this.#view as unknown as TypecodeValue<C>[])[i] = value;
  }

  /**
   * A copy of items `start` to `end` (exclusive) as a plain array, with Python's slice rules for
   * negative and out-of-range bounds. Python: `arr[start:end]`.
   * @param start the first index; negative counts from the end; `undefined` or `null` (Python's
   *   `None`): from the first item.
   * @param end the index to stop before; `undefined` or `null`: to the end.
   * @throws {ValidationError} for a bound that is not an integer (`1.5`, `NaN`, `Infinity`, `'1'`,
   *   `1n`), as Python raises `TypeError`.
   */
  slice(start?: number | null, end?: number | null): TypecodeValue<C>[] {
    if (arguments.length > 2)
      throw tooManyArguments('SharedArray.slice()', arguments.length, 'an optional start and end');
    const view = this.#view.subarray(sliceBound(start, 'start'), sliceBound(end, 'end'));
    return Array.from(view as Iterable<TypecodeValue<C>>);
  }

  /**
   * Stores `values` at `start`, `start + 1`, … (a negative `start` counts from the end): all of
   * them, or none when one does not fit. Python: `arr[start:start + len(values)] = values`.
   * @throws {ValidationError} when `start` is not an integer, `values` is not iterable, the values
   *   run past the end, or a value does not fit the typecode (nothing is written then).
   * @example
   * const arr = new SharedArray('i', 5);
   * arr.setSlice(1, [7, 8, 9]);
   * console.log(arr.slice(0, 5)); // [ 0, 7, 8, 9, 0 ]
   */
  setSlice(start: number, values: Iterable<TypecodeValue<C>>): void {
    if (arguments.length > 2)
      throw tooManyArguments('SharedArray.setSlice()', arguments.length, 'a start and the values');
    if (!Number.isInteger(start)) {
      throw new ValidationError(
        `setSlice(start, values) takes an integer start (negative from the end), got ${describeValue(start)}.`,
      );
    }
    if (typeof (values as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
      throw new ValidationError(
        `setSlice(start, values) takes the values as an iterable (an array, a typed array, a Set), got ${describeValue(values)}.`,
      );
    }
    const items = [...values];
    const len = this.#view.length;
    const at = start < 0 ? start + len : start;
    if (at < 0 || at + items.length > len) {
      throw new ValidationError(
        `setSlice(${String(start)}, ${items.length} values) does not fit an array of length ${len}: ` +
          'the start must be an integer and the values must end by the last index.',
      );
    }
    for (const v of items) checkValue(this.#spec, this.#typecode, v);
    const view = this.#view as unknown as TypecodeValue<C>[];
    for (let k = 0; k < items.length; k++) view[at + k] = items[k]!;
  }

  /** A copy of every item as a plain array. Python: `arr[:]`. */
  toArray(): TypecodeValue<C>[] {
    if (arguments.length > 0) throw tooManyArguments('SharedArray.toArray()', arguments.length, NONE);
    return this.slice();
  }

  /** Iterates the items (live: reads the shared memory as it goes). */
  [Symbol.iterator](): Iterator<TypecodeValue<C>> {
    return (this.#view as unknown as Iterable<TypecodeValue<C>>)[Symbol.iterator]();
  }

  /** The items, for `JSON.stringify()` (a bigint is not JSON: `q`/`Q` give decimal strings). */
  toJSON(): (number | string)[] {
    const items = this.toArray() as (number | bigint)[];
    return typeof items[0] === 'bigint' ? items.map(String) : (items as number[]);
  }

  /**
   * The typecode and the items (the first 100 of a longer array), in the style of the primitives'
   * reprs: `<SharedArray('i', [1, 2, 3])>`, `<RawArray('q', [5n])>`. Python: `repr(arr)`.
   * @throws Nothing.
   * @example
   * import { SharedArray } from '@multiproc/shared';
   * console.log(String(new SharedArray('i', [1, 2, 3]))); // <SharedArray('i', [1, 2, 3])>
   */
  toString(): string {
    const name = this instanceof SynchronizedArray ? 'SharedArray' : 'RawArray';
    return reprContents(name, this.#typecode, this.slice(0, REPR_MAX_ITEMS), this.length);
  }

  /** What `console.log()` shows: the typecode and the items, e.g. `SharedArray('d', [ 1, 2 ])`. */
  [inspectSymbol](_depth: number, options: unknown, inspect?: (v: unknown, o?: unknown) => string): string {
    const name = this instanceof SynchronizedArray ? 'SharedArray' : 'RawArray';
    return showContents(name, this.#typecode, this.toArray(), options, inspect);
  }

  /** Sends the array to a worker thread; it keeps working there on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, this instanceof SynchronizedArray ? 'SharedArray' : 'RawArray');
    const v = this.#view;
    return {
      type: 'multiproc.RawArray',
      data: { typecode: this.#typecode, sab: v.buffer, length: v.length },
    };
  }
}

/** A bound of `slice()`: an integer, or `undefined` for none (`null`, Python's `None`). */
function sliceBound(bound: unknown, which: 'start' | 'end'): number | undefined {
  if (bound === undefined || bound === null) return undefined;
  if (Number.isInteger(bound)) return bound as number;
  throw new ValidationError(
    `slice(start, end) takes integer bounds (negative from the end) or undefined or null for none, ` +
      `got ${describeValue(bound)} as its ${which}.`,
  );
}

// Bracket access: a Proxy placed between RawArray.prototype and Object.prototype sees only the
// lookups nothing above it answers (the instance has no own index properties), so `a[0]` and
// `a[0] = x` reach get()/set() while every method and accessor is found, at full speed, first.
// A key that reads as a number but is no integer index (`a[1.5]`: the key '1.5'; 'NaN', '1e+21',
// ' 1', '0x1') goes to get()/set() too, which refuse it: not a local property nobody else sees.
const INDEX_KEY = /^(?:0|-?[1-9]\d*)$/;
/**
 * What get()/set() are given for a key that is not an integer index: its number when the key is
 * that number's spelling ('1.5', 'NaN', '1e+21'), else the key itself (' 1', '0x1'), so the
 * error names what was written; `undefined` for a key that does not read as a number ('foo', '').
 */
function badIndex(key: string): number | string | undefined {
  const n = Number(key);
  if (key === 'NaN' || String(n) === key) return n;
  return Number.isNaN(n) || key.trim() === '' ? undefined : key;
}
Object.setPrototypeOf(
  RawArray.prototype,
  new Proxy(Object.prototype, {
    get(target, key, receiver) {
      if (typeof key === 'string') {
        if (INDEX_KEY.test(key)) return (receiver as RawArray).get(Number(key));
        const bad = badIndex(key);
        if (bad !== undefined) return (receiver as RawArray).get(bad as number);
      }
      return Reflect.get(target, key, receiver);
    },
    set(target, key, value, receiver) {
      if (typeof key === 'string') {
        const index = INDEX_KEY.test(key) ? Number(key) : badIndex(key);
        if (index !== undefined) {
          (receiver as RawArray).set(index as number, value);
          return true;
        }
      }
      return Reflect.set(target, key, value, receiver);
    },
  }),
);
definePythonNames(RawArray.prototype, {
  get_obj: 'view (or toArray())',
  get_lock: {
    message:
      'A raw array has no lock (Python: AttributeError): use new SharedArray(typecode, size) for one with a lock, or a separate Lock.',
  },
});

/**
 * A fixed-length typed array in shared memory with a lock. Mirrors Python's
 * `multiprocessing.Array` (renamed: `Array` is JavaScript's). With `{ lock: false }` the
 * constructor returns a {@link RawArray}.
 * @example
 * const arr = new SharedArray('d', 3);
 * await arr.getLock().withLock(() => arr.set(0, arr.get(0) + 1));
 */
export class SynchronizedArray<C extends Typecode = Typecode> extends RawArray<C> {
  readonly #lock: Lock | RLock;

  /** Use `new SharedArray(typecode, sizeOrValues, { lock })`. @internal */
  constructor(typecode: C, sizeOrValues: number | Iterable<TypecodeValue<C>>, lock: Lock | RLock) {
    super(typecode, sizeOrValues);
    this.#lock = lock;
    refuseStructuredClone(this, 'a SharedArray');
  }

  /** The lock that guards this array. Python: `get_lock()`. */
  getLock(): Lock | RLock {
    if (arguments.length > 0) throw tooManyArguments('SharedArray.getLock()', arguments.length, NONE);
    return this.#lock;
  }

  /**
   * The array without its lock: a {@link RawArray} over the same shared memory, so a write through
   * either is seen by both. Python: `get_obj()`.
   * @returns a new `RawArray` on each call (each one reads and writes the same memory).
   * @throws Nothing.
   * @example
   * const arr = new SharedArray('i', [1, 2, 3]);
   * arr.getObj()[0] = 7;
   * console.log(arr.get(0)); // 7
   */
  getObj(): RawArray<C> {
    if (arguments.length > 0) throw tooManyArguments('SharedArray.getObj()', arguments.length, NONE);
    return adopt(
      (this.view as Int8Array).buffer as SharedArrayBuffer,
      () => new RawArray(this.typecode, this.length),
    );
  }

  /** Sends the array and its lock to a worker thread. */
  override [encodeSymbol](ctx: EncodeContext): Encoded {
    const { data } = super[encodeSymbol](ctx) as { data: object };
    return { type: 'multiproc.SharedArray', data: { ...data, lock: this.#lock } };
  }
}
definePythonNames(SynchronizedArray.prototype, { get_lock: 'getLock()', get_obj: 'getObj()' });

/**
 * The constructor of {@link SharedArray}: `{ lock: false }` gives a {@link RawArray}, typed so
 * (see {@link LockedResult}).
 */
export interface SharedArrayConstructor {
  new <C extends Typecode, const O extends LockChoice | undefined = undefined>(
    typecode: C,
    sizeOrValues: number | Iterable<TypecodeValue<C>>,
    options?: O & SynchronizedOptions,
  ): LockedResult<O, RawArray<C>, SynchronizedArray<C>>;
  /** The prototype of the arrays it makes. */
  readonly prototype: SynchronizedArray;
}

/** An array with a lock (see {@link SynchronizedArray}). Mirrors Python's `multiprocessing.Array`. */
export type SharedArray<C extends Typecode = Typecode> = SynchronizedArray<C>;
/**
 * Creates a typed shared array with a lock. Mirrors Python's `multiprocessing.Array`.
 * @throws {ValidationError} for a bad typecode, size, item or `lock`, or an unknown option.
 * @example
 * const arr = new SharedArray('i', [1, 2, 3]);
 * console.log(arr.get(-1)); // 3
 */
export const SharedArray: SharedArrayConstructor = function SharedArray<C extends Typecode>(
  typecode: C,
  sizeOrValues: number | Iterable<TypecodeValue<C>>,
  options?: SynchronizedOptions,
) {
  if (arguments.length > 3)
    throw tooManyArguments('new SharedArray()', arguments.length, 'a typecode, a size or values, options');
  const lock = lockFrom(options, 'new SharedArray()');
  return lock === undefined
    ? new RawArray(typecode, sizeOrValues)
    : new SynchronizedArray(typecode, sizeOrValues, lock);
} as unknown as SharedArrayConstructor;
// So that `x instanceof SharedArray` holds for every synchronized array.
(SharedArray as unknown as { prototype: unknown }).prototype = SynchronizedArray.prototype;

type ArrayData = { typecode: Typecode; sab: SharedArrayBuffer; length: number; lock?: Lock | RLock };
function adopt<T>(sab: SharedArrayBuffer, make: () => T): T {
  adopting = sab;
  try {
    return make();
  } finally {
    adopting = undefined;
  }
}
registerCodec('multiproc.RawArray', (d: ArrayData) => adopt(d.sab, () => new RawArray(d.typecode, d.length)));
registerCodec('multiproc.SharedArray', (d: ArrayData) =>
  adopt(d.sab, () => new SynchronizedArray(d.typecode, d.length, d.lock!)),
);
