/**
 * The proxy of the manager's `list`. Reads are copies, as a dict's (data-proxies.ts).
 */
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { iterableItems, sliceAssignment } from '../internal/manager/items.js';
import { refuseSyncIteration } from '../internal/manager/no-sync.js';
import { refOf } from '../internal/manager/referent.js';
import type { DictProxy } from './data-proxies.js';
import { type ListSortOptions, sortReverse } from './list-sort.js';
import { BaseProxy, namedArgs, pipelined, proxyClass } from './proxy.js';
import type { ArrayProxy } from './value-proxies.js';

// A SerializationError names the argument as the caller wrote it (`value.onDone`, not `args[1].onDone`).
const IV = ['index', 'value'];
const SLICE = ['start', 'end', 'step', 'values'];
/** A slice bound or step; `null` (Python's `None`) or left out: the default. */
type Bound = number | null | undefined;

/**
 * A proxy whose object's items `extend()` and `manager.list()` copy: a list's or an Array's items,
 * a dict's keys (Python's `list(proxy)`).
 */
export type ItemsProxy<T> = ListProxy<T> | ArrayProxy<number> | ArrayProxy<bigint> | DictProxy<T, unknown>;

/**
 * A manager's `list`. Mirrors Python's `ListProxy`. Indexes may be negative; reads are copies.
 * @example
 * const manager = Manager();
 * const l = manager.list([1, 2, 3]);
 * await l.reverse();
 * console.log(await l.copy()); // [ 3, 2, 1 ]
 * await manager.shutdown();
 */
export class ListProxy<T = unknown> extends BaseProxy implements AsyncIterable<T> {
  /** The item at `index`. Python: `l[i]`. @throws {ValidationError} when out of range. */
  get(index: number): Promise<T> {
    return this.callMethod('get', index) as Promise<T>;
  }
  /** Replaces the item at `index`. Python: `l[i] = v`. @throws {ValidationError} when out of range. */
  set(index: number, value: T): Promise<void> {
    return namedArgs(IV, () => this.callMethod('set', index, value)) as Promise<void>;
  }
  /** Adds `value` at the end. Python: `append()`. Sent without waiting, as a dict's `set()`. */
  append(value: T): Promise<void> {
    return namedArgs(['value'], () => this[pipelined]('append', value));
  }
  /**
   * Adds every value at the end. Python: `extend()` (`l += values`). Sent without waiting, as a
   * dict's `set()`, except from a proxy: the manager adds the items of the list or Array it stands
   * for (a dict's keys), as Python's manager reads a proxy argument's referent, and this call
   * waits for that (`l.extend(l)` doubles the list).
   * @throws {ValidationError} (as a rejection) when `values` is not iterable (pass an array) or
   *   is a proxy that holds no items (a Lock's, another manager's: pass `await p.copy()`).
   * @example
   * const manager = Manager();
   * const l = manager.list([1]);
   * await l.extend(manager.list([2, 3]));
   * console.log(await l.copy()); // [ 1, 2, 3 ]
   * await manager.shutdown();
   */
  extend(values: Iterable<T> | ItemsProxy<T>): Promise<void> {
    if (refOf(values) !== undefined) return this.callMethod('extend', values) as Promise<void>;
    let items: T[];
    try {
      items = iterableItems(values, 'list.extend()');
    } catch (err) {
      return Promise.reject(err);
    }
    return namedArgs(['values'], () => this[pipelined]('extend', items));
  }
  /**
   * Inserts `value` before `index` (negative counts from the end; out of range: at an end, as
   * Python). Python: `insert()`.
   * @throws {ValidationError} (as a rejection) when `index` is not an integer, as `get()`.
   */
  insert(index: number, value: T): Promise<void> {
    return namedArgs(IV, () => this.callMethod('insert', index, value)) as Promise<void>;
  }
  /** Removes and resolves to the item at `index`. Python: `pop(i=-1)`. */
  pop(index = -1): Promise<T> {
    return this.callMethod('pop', index) as Promise<T>;
  }
  /**
   * Removes the first item equal to `value`, compared by value as Python's `==` (the value arrives
   * as a copy): arrays and plain objects deeply, dates by time, maps, sets and typed arrays by
   * content, a manager proxy by the object it stands for (two proxies of one object are equal).
   * Python: `remove()`. @throws {ValidationError} if absent.
   */
  remove(value: T): Promise<void> {
    return this.callMethod('remove', value) as Promise<void>;
  }
  /**
   * The index of the first item equal to `value` (by value, as `remove()`) among
   * `l[start:end]`. Python: `index(value, start, end)`: negative bounds count from the end, an
   * out-of-range one is clamped.
   * @param start first index searched. @default 0
   * @param end index where the search stops, not searched. @default the length
   * @throws {ValidationError} (as a rejection) when absent there (Python's `ValueError`), or a
   *   bound is not an integer.
   * @example
   * const manager = Manager();
   * const l = manager.list([1, 2, 1]);
   * console.log(await l.index(1), await l.index(1, 1), await l.index(1, -1)); // 0 2 2
   * await manager.shutdown();
   */
  index(value: T, start?: number, end?: number): Promise<number> {
    // Bounds left out are not sent: `index(v)` stays as it was on the wire.
    const args: unknown[] = [value, start, end];
    while (args.length > 1 && args[args.length - 1] === undefined) args.pop();
    return this.callMethod('index', ...args) as Promise<number>;
  }
  /** How many items equal `value` (by value, as `remove()`). Python: `count()`. */
  count(value: T): Promise<number> {
    return this.callMethod('count', value) as Promise<number>;
  }
  /**
   * Whether an item equals `value` (by value, as `remove()`), checked in the manager without
   * copying the list here. Python: `value in l`.
   * @example
   * const manager = Manager();
   * const l = manager.list([1, [2, 3]]);
   * console.log(await l.includes([2, 3]), await l.includes(4)); // true false
   * await manager.shutdown();
   */
  includes(value: T): Promise<boolean> {
    return this.callMethod('includes', value) as Promise<boolean>;
  }
  /**
   * Removes the items `slice(start, end, step)` selects, in place (bounds and step as
   * {@link slice}). Python: `del l[i:j:k]`; for `del l[i]`, use `pop(i)`.
   * @throws {ValidationError} (as a rejection) when a bound or the step is not an integer, or the
   *   step is 0; the list is left as it was.
   * @example
   * const manager = Manager();
   * const l = manager.list([0, 1, 2, 3, 4, 5]);
   * await l.deleteSlice(1, 3);
   * console.log(await l.copy()); // [ 0, 3, 4, 5 ]
   * await l.deleteSlice(null, null, 2);
   * console.log(await l.copy()); // [ 3, 5 ]
   * await manager.shutdown();
   */
  deleteSlice(start?: number | null, end?: number | null, step?: number | null): Promise<void> {
    const args = [start, end, step];
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return this.callMethod('deleteSlice', ...args) as Promise<void>;
  }
  /**
   * Replaces the items `slice(start, end, step)` selects with `values`, in place, in one round
   * trip. Python: `l[i:j:k] = values`. With a step of 1 (or none) any number of values replaces
   * the slice, so the list grows or shrinks (`setSlice(i, i, values)` inserts at `i`); an extended
   * slice (any other step, -1 too) takes exactly as many values as it selects. `values` is read as
   * `extend()`'s (a list, Array or dict proxy: its items; `l.setSlice(0, 0, l)` doubles `l`).
   * @throws {ValidationError} (as a rejection; the list is left as it was) when `values` is missing
   *   (for `l[i:] = values` pass `null` as `end`) or not iterable, a bound or the step is not an
   *   integer, the step is 0, or an extended slice gets another number of values (Python's `ValueError`).
   * @example
   * const manager = Manager();
   * const l = manager.list([0, 1, 2, 3]);
   * await l.setSlice(1, 3, [9]);
   * console.log(await l.copy()); // [ 0, 9, 3 ]
   * await l.setSlice(null, null, 2, [7, 8]);
   * console.log(await l.copy()); // [ 7, 9, 8 ]
   * await manager.shutdown();
   */
  setSlice(start: Bound, end: Bound, values: Iterable<T> | ItemsProxy<T>): Promise<void>;
  setSlice(start: Bound, end: Bound, step: Bound, values: Iterable<T> | ItemsProxy<T>): Promise<void>;
  setSlice(...args: unknown[]): Promise<void> {
    let call: unknown[];
    try {
      call = sliceAssignment(args, 'list.setSlice()');
    } catch (err) {
      return Promise.reject(err);
    }
    return namedArgs(SLICE, () => this.callMethod('setSlice', ...call)) as Promise<void>;
  }
  /** The number of items. Python: `len(l)`. */
  len(): Promise<number> {
    return this.callMethod('len') as Promise<number>;
  }
  /** Reverses the list in place. Python: `reverse()`. */
  reverse(): Promise<void> {
    return this.callMethod('reverse') as Promise<void>;
  }
  /**
   * A new array of the items, last first; the list is unchanged. Python: `reversed(l)`.
   * @example
   * const manager = Manager();
   * console.log(await manager.list([1, 2, 3]).toReversed()); // [ 3, 2, 1 ]
   * await manager.shutdown();
   */
  toReversed(): Promise<T[]> {
    return this.callMethod('toReversed') as Promise<T[]>;
  }
  /**
   * Sorts in place, stable, in Python's order: numbers with bigints and booleans by value, strings
   * by code point, arrays item by item, Dates by time. Python: `sort(reverse=False)`.
   * @param options `{ reverse }` (or `reverse` itself, as a boolean). @default { reverse: false }
   * @throws {TypeError} (as a rejection) when two items cannot be ordered (a string and a number,
   *   `null`, plain objects), as Python's `'<' not supported`; the list is left as it was.
   * @throws {ValidationError} (as a rejection) for a `key` function (it cannot reach the manager:
   *   sort a copy instead) or any other option.
   * @example
   * import { Manager } from '@multiproc/ipc';
   * const manager = Manager();
   * const l = manager.list([3, 1n, 2]);
   * await l.sort({ reverse: true });
   * console.log(await l.copy()); // [ 3, 2, 1n ]
   * await manager.shutdown();
   */
  sort(options?: ListSortOptions | boolean): Promise<void> {
    let reverse: boolean;
    try {
      reverse = sortReverse(options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.callMethod('sort', reverse) as Promise<void>;
  }
  /** Removes every item. Python: `clear()`. */
  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }
  /** A copy as an array. Python: `list(l)` / `l[:]`. */
  copy(): Promise<T[]> {
    return this.callMethod('copy') as Promise<T[]>;
  }
  /**
   * The items from `start` up to `end` (exclusive), every `step`-th, as a new array, in one round
   * trip; the list is unchanged. Python: `l[start:end:step]`. Without `step` this is
   * `Array.prototype.slice` (and a manager `Array`'s `slice()`): a negative bound counts from the
   * end, an out-of-range one is clamped. A negative `step` walks backwards from `start` (default:
   * the last item) down to `end` (default: past the first), as in Python. `undefined` or `null`
   * (Python's `None`) leaves a bound or the step to its default.
   * @param start First index taken. @default 0 (the last item when `step` is negative)
   * @param end Index where it stops, not taken. @default the length (past the first item when `step` is negative)
   * @param step Distance between the items taken, not 0. @default 1
   * @throws {ValidationError} (as a rejection) when a bound or the step is not an integer
   *   (`Infinity` is a bound too), or the step is 0 (Python's `ValueError`).
   * @example
   * const manager = Manager();
   * const l = manager.list([0, 1, 2, 3, 4]);
   * console.log(await l.slice(2, 10), await l.slice(-2)); // [ 2, 3, 4 ] [ 3, 4 ]
   * console.log(await l.slice(null, null, -2)); // [ 4, 2, 0 ]
   * await manager.shutdown();
   */
  slice(start?: number | null, end?: number | null, step?: number | null): Promise<T[]> {
    // Trailing bounds left out are not sent: `slice()` and `slice(i, j)` stay JSON on the wire.
    const args = [start, end, step];
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return this.callMethod('slice', ...args) as Promise<T[]>;
  }
  /**
   * Repeats the items `n` times in place: `n <= 0` empties the list, `1` leaves it as it is.
   * Python: `l *= n` (`operator.imul`). For `l += values` use {@link extend}.
   * @throws {ValidationError} (as a rejection) when `n` is not an integer, or the list would hold
   *   more items than an array can (Python's `MemoryError`); the list is left as it was.
   * @example
   * const manager = Manager();
   * const l = manager.list([1, 2]);
   * await l.imul(2);
   * console.log(await l.copy()); // [ 1, 2, 1, 2 ]
   * await manager.shutdown();
   */
  imul(n: number): Promise<void> {
    return this.callMethod('imul', n) as Promise<void>;
  }
  /**
   * A new array of the items repeated `n` times (`n <= 0`: empty); the list is unchanged. Python:
   * `l * n` and `n * l`. For `l *= n` use {@link imul}.
   * @throws {ValidationError} (as a rejection) as {@link imul}.
   * @example
   * const manager = Manager();
   * console.log(await manager.list([1, 2]).repeat(2)); // [ 1, 2, 1, 2 ]
   * await manager.shutdown();
   */
  repeat(n: number): Promise<T[]> {
    return this.callMethod('repeat', n) as Promise<T[]>;
  }
  /**
   * A copy of the items followed by `items`, as `Array.prototype.concat` (an array among `items`
   * adds its items); the list is unchanged. Python: `l + values`.
   * @example
   * const manager = Manager();
   * const l = manager.list([1, 2]);
   * console.log(await l.concat([3, 4], 5)); // [ 1, 2, 3, 4, 5 ]
   * await manager.shutdown();
   */
  async concat(...items: (T | ConcatArray<T>)[]): Promise<T[]> {
    return (await this.copy()).concat(...items);
  }
  /** `for await (const v of l)`: the items as the loop starts. Python: `for v in l`. A sync loop
   * (`for...of`, `[...l]`, `Array.from(l)`) throws `ContextError` saying so. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.copy();
  }
}
proxyClass('list', ListProxy);
refuseExtraArguments(ListProxy.prototype, 'list');
refuseSyncIteration(ListProxy.prototype, 'list', 'l', 'await l.copy()');
