/**
 * Python's `list` as a manager serves it. Items live here; a proxy's read returns a copy. Items
 * compare as Python's `==` (py-equals.ts), order as its `<` (py-order.ts), slice as its `l[a:b:c]`.
 */
import { describeValue, ValidationError } from '@multiproc/shared';
import { pyEquals } from './py-equals.js';
import { pySort } from './py-order.js';
import { pySlice, sliceIndices } from './py-slice.js';
import { itemsOf } from './referent.js';

function index(i: unknown, length: number, where: string): number {
  if (!Number.isInteger(i))
    throw new ValidationError(`${where}: index must be an integer, got ${describeValue(i)}.`);
  const j = (i as number) < 0 ? (i as number) + length : (i as number);
  if (j < 0 || j >= length)
    throw new ValidationError(`${where}: index ${i} is out of range (length ${length}).`);
  return j;
}

/** A slice bound of `list.index()`: negative counts from the end, clamped to `[0, n]`. */
function bound(i: unknown, fallback: number, n: number, what: string): number {
  if (i === undefined) return fallback;
  if (!Number.isInteger(i))
    throw new ValidationError(`list.index(): ${what} must be an integer, got ${describeValue(i)}.`);
  const j = (i as number) < 0 ? (i as number) + n : (i as number);
  return Math.max(0, Math.min(n, j));
}

/** The most items a JavaScript array holds. */
const MAX_LENGTH = 2 ** 32 - 1;

/** `length` items `n` times, checked: `n` an integer, the result no longer than an array holds. */
function repeated(length: number, n: unknown, where: string): number {
  if (!Number.isInteger(n))
    throw new ValidationError(`${where}: n must be an integer, got ${describeValue(n)}.`);
  const total = length * Math.max(0, n as number);
  if (total > MAX_LENGTH)
    throw new ValidationError(
      `${where}: ${length} items ${n} times is more than an array holds (${MAX_LENGTH}).`,
    );
  return total;
}

/** Python's `list`. */
export class ManagedList {
  readonly #a: unknown[];
  constructor(init?: Iterable<unknown>) {
    this.#a = init ? [...(itemsOf(init, 'manager.list()') ?? init)] : [];
  }
  get(i: number): unknown {
    return this.#a[index(i, this.#a.length, 'list.get()')];
  }
  set(i: number, v: unknown): void {
    this.#a[index(i, this.#a.length, 'list.set()')] = v;
  }
  append(v: unknown): void {
    this.#a.push(v);
  }
  extend(vs: Iterable<unknown>): void {
    // A copy first: `l.extend(l)` (its own proxy) doubles the list, and a value that is not
    // iterable throws before any item is added.
    const items = itemsOf(vs, 'list.extend()') ?? [...vs];
    // Not push(...items): spreading a long array overflows the call stack (about 100k items).
    for (const v of items) this.#a.push(v);
  }
  insert(i: number, v: unknown): void {
    if (!Number.isInteger(i))
      throw new ValidationError(`list.insert(): index must be an integer, got ${describeValue(i)}.`);
    const n = this.#a.length;
    this.#a.splice(Math.max(0, Math.min(n, i < 0 ? i + n : i)), 0, v);
  }
  pop(i = -1): unknown {
    return this.#a.splice(index(i, this.#a.length, 'list.pop()'), 1)[0];
  }
  remove(v: unknown): void {
    const i = this.#a.findIndex((x) => pyEquals(x, v));
    if (i < 0) throw new ValidationError('list.remove(): the value is not in the list.');
    this.#a.splice(i, 1);
  }
  /** Python's `index(v, start, end)`: the first equal item of `l[start:end]` (bounds as a slice's). */
  index(v: unknown, start?: number, end?: number): number {
    const n = this.#a.length;
    const from = bound(start, 0, n, 'start');
    const to = bound(end, n, n, 'end');
    for (let i = from; i < to; i++) if (pyEquals(this.#a[i], v)) return i;
    throw new ValidationError(
      `list.index(): the value is not in the list${from > 0 || to < n ? ` between ${from} and ${to}` : ''}.`,
    );
  }
  count(v: unknown): number {
    return this.#a.filter((x) => pyEquals(x, v)).length;
  }
  /** Python's `v in l`. */
  includes(v: unknown): boolean {
    return this.#a.some((x) => pyEquals(x, v));
  }
  /** Python's `del l[start:end:step]`: removes the items that slice selects, in place. */
  deleteSlice(start?: number | null, end?: number | null, step?: number | null): void {
    const indexes = pySlice(Array.from(this.#a.keys()), start, end, step, 'list.deleteSlice()');
    if (indexes.length === 0) return;
    const gone = new Set(indexes);
    let kept = 0;
    for (let i = 0; i < this.#a.length; i++) if (!gone.has(i)) this.#a[kept++] = this.#a[i];
    this.#a.length = kept;
  }
  len(): number {
    return this.#a.length;
  }
  reverse(): void {
    this.#a.reverse();
  }
  sort(reverse = false): void {
    pySort(this.#a, reverse === true);
  }
  clear(): void {
    this.#a.length = 0;
  }
  copy(): unknown[] {
    return [...this.#a];
  }
  slice(start?: number | null, end?: number | null, step?: number | null): unknown[] {
    return pySlice(this.#a, start, end, step, 'list.slice()');
  }
  /** Python's `l *= n`: the items repeated `n` times in place (`n <= 0` empties the list). */
  imul(n: number): void {
    const length = this.#a.length;
    const total = repeated(length, n, 'list.imul()');
    if (total === 0) this.#a.length = 0;
    for (let i = length; i < total; i++) this.#a.push(this.#a[i - length]);
  }
  /** Python's `l * n` and `n * l`: a new array of the items repeated `n` times. */
  repeat(n: number): unknown[] {
    const total = repeated(this.#a.length, n, 'list.repeat()');
    const out: unknown[] = [];
    for (let i = 0; i < total; i++) out.push(this.#a[i % this.#a.length]);
    return out;
  }
  /** Python's `reversed(l)`: a new array of the items, last first. */
  toReversed(): unknown[] {
    return [...this.#a].reverse();
  }
  /**
   * Python's `l[start:end:step] = values`: with a step of 1 the slice is replaced by any number of
   * values (the list grows or shrinks); an extended slice takes exactly as many values as it selects.
   */
  setSlice(start: unknown, end: unknown, step: unknown, values: Iterable<unknown>): void {
    const where = 'list.setSlice()';
    // A copy first, as Python's: `l.setSlice(0, 0, null, l)` reads the list before it changes.
    const items = itemsOf(values, where) ?? [...values];
    const length = this.#a.length;
    const [from, stop, s] = sliceIndices(length, start, end, step, where);
    if (s === 1) {
      const to = Math.max(from, stop);
      if (length - (to - from) + items.length > MAX_LENGTH)
        throw new ValidationError(
          `${where}: the list would hold more items than an array can (${MAX_LENGTH}).`,
        );
      const tail = this.#a.splice(to);
      this.#a.length = from;
      for (const v of items) this.#a.push(v);
      for (const v of tail) this.#a.push(v);
      return;
    }
    const selected =
      s > 0 ? Math.ceil(Math.max(0, stop - from) / s) : Math.ceil(Math.max(0, from - stop) / -s);
    if (items.length !== selected) {
      throw new ValidationError(
        `${where}: cannot assign ${items.length} values to an extended slice of ${selected} items ` +
          `(step ${s}; Python's ValueError): give exactly as many values, or use a step of 1 to resize the list.`,
      );
    }
    for (let k = 0; k < selected; k++) this.#a[from + k * s] = items[k];
  }
}
