/**
 * The items a proxy method sends for an iterable argument (`l.extend(values)`, `a.setSlice(i,
 * values)`, `manager.list(init)`), read at the call, so that what cannot be read rejects the call
 * (a method returning a Promise never throws synchronously).
 */
import { describeValue, ValidationError } from '@multiproc/shared';
import { fromItem, toItem } from '../serialize.js';
import { refOf } from './referent.js';

/**
 * What an object made in the serving program's own manager is given (`manager.list(init)`, a
 * registered factory's arguments): a copy of what the caller passed, as another process's
 * `create()` gives the server (and Python's server unpickles), so a later change the caller makes
 * to it never reaches the served object, and what cannot be sent (a function, a symbol, a value
 * nested too deep) is refused at once, naming its path (`init.k.cb`), instead of being served and
 * failing every later read. A proxy itself is passed as it is (the manager reads its object).
 */
export function copied<T>(value: T, path = 'init'): T {
  if (value === undefined || refOf(value)) return value;
  return fromItem(toItem(value, path)) as T;
}

/** The items of `values`, an iterable; a ValidationError saying what to pass when it is none. */
export function iterableItems<T>(values: unknown, where: string): T[] {
  if (
    typeof values === 'string' ||
    (typeof values === 'object' && values !== null && Symbol.iterator in values)
  )
    return [...(values as Iterable<T>)];
  throw new ValidationError(
    `${where}: expected an iterable (an array, a Set, a string, ...), got ${describeValue(values)}.`,
  );
}

/**
 * The `[name, value]` entries of `init` given as named values: a plain object (Python's
 * `**kwargs`) or a Map; `undefined` for anything else (a Date, a class instance, a number), which
 * would otherwise read as no entries at all.
 */
export function namedEntries(init: unknown): [unknown, unknown][] | undefined {
  if (init instanceof Map) return [...init];
  if (typeof init !== 'object' || init === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(init);
  // Another realm's plain object (a `vm` context's) has that realm's Object.prototype.
  const plain =
    proto === null ||
    proto === Object.prototype ||
    (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(init) === '[object Object]');
  return plain ? Object.entries(init) : undefined;
}

/**
 * What `l.setSlice(start, end, step?, values)` sends: the bounds (`null` for one left out) and the
 * values' items, or a proxy as it is (the manager reads its items, as `extend()`'s).
 * @throws {ValidationError} when the values are missing (`setSlice(i, values)`) or not iterable.
 */
export function sliceAssignment(args: unknown[], where: string): unknown[] {
  if (args.length < 3) {
    throw new ValidationError(
      `${where} takes a start, an end, an optional step and the values, got ${args.length} ` +
        "argument(s): for Python's l[i:] = values, pass null as the end (setSlice(i, null, values)).",
    );
  }
  const values = args[args.length - 1];
  const [start = null, end = null, step = null] = args.slice(0, -1);
  return [start, end, step, refOf(values) === undefined ? iterableItems(values, where) : values];
}
