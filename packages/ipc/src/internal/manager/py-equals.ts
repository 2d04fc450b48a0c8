/**
 * Python's `==` for a manager list's `count()`, `index()` and `remove()`: the value a proxy sends
 * arrives as a copy, so comparing by identity never matched an array, an object or a date (Python:
 * `[[1, 2]].count([1, 2]) == 1`). Data is compared by value, deeply: arrays item by item, plain
 * objects by their own keys, `Map`s and `Set`s by content (their keys by SameValueZero), dates by
 * time, typed arrays by kind and bytes' values, regular expressions by source and flags. Primitives
 * compare as `Map` keys do (`NaN` equals `NaN`; `1` and `true` differ: JavaScript's types, not
 * Python's). A manager proxy equals a proxy of the same object (`l.count(inner)`, `l.remove(inner)`
 * find the proxies of `inner` the list holds). Anything else is equal only to itself.
 */

import { refOf, sameReferent } from './referent.js';

/** Containers nested deeper than this compare unequal (it also ends a cycle). */
const MAX_DEPTH = 64;

export function pyEquals(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // Two proxies (each decoded anew here) are equal when they stand for one object.
  if (refOf(a) !== undefined || refOf(b) !== undefined) return sameReferent(a, b);
  if (depth >= MAX_DEPTH || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const inner = depth + 1;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((x, i) => pyEquals(x, other[i], inner));
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof RegExp) return a.source === (b as RegExp).source && a.flags === (b as RegExp).flags;
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    if (a.size !== other.size) return false;
    for (const [k, v] of a) if (!other.has(k) || !pyEquals(v, other.get(k), inner)) return false;
    return true;
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>;
    if (a.size !== other.size) return false;
    for (const v of a) if (!other.has(v)) return false;
    return true;
  }
  if (ArrayBuffer.isView(a) && !(a instanceof DataView)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!pyEquals(x[i], y[i], inner)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (k) =>
      Object.hasOwn(b, k) &&
      pyEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], inner),
  );
}
