/**
 * The order of a manager list's `sort()`: Python's `<` on the values JavaScript sends.
 *
 * | kind                       | ordered with              | by                                  |
 * | -------------------------- | ------------------------- | ----------------------------------- |
 * | number, bigint, boolean    | each other                | value (Python: int, float and bool) |
 * | string                     | strings                   | code point (not UTF-16 unit)        |
 * | array                      | arrays                    | item by item; a prefix first        |
 * | Date                       | Dates                     | time                                |
 * | null, undefined, any other | nothing (Python's `None`) | -                                   |
 *
 * Two values it cannot order throw `TypeError`, as Python's `'<' not supported between ...`.
 */

type Kind = 'number' | 'string' | 'array' | 'Date';

function kindOf(v: unknown): Kind | undefined {
  switch (typeof v) {
    case 'number':
    case 'bigint':
    case 'boolean':
      return 'number';
    case 'string':
      return 'string';
    default:
      if (Array.isArray(v)) return 'array';
      if (v instanceof Date) return 'Date';
      return undefined;
  }
}

/** How the error names a value's type: `a string`, `null`, `an object (Map)`. */
function describeType(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a Date';
  if (typeof v === 'object') {
    const name = Object.getPrototypeOf(v)?.constructor?.name;
    return name && name !== 'Object' ? `an object (${name})` : 'an object';
  }
  return `a ${typeof v}`;
}

function unorderable(a: unknown, b: unknown): TypeError {
  return new TypeError(
    `list.sort(): '<' is not supported between ${describeType(a)} and ${describeType(b)}. ` +
      'A manager list sorts numbers (with bigints and booleans), strings, arrays and Dates, each ' +
      'kind among itself; to sort anything else, sort a copy: ' +
      'const items = await l.copy(); items.sort(compare); await l.clear(); await l.extend(items).',
  );
}

function compareNumbers(a: number | bigint | boolean, b: number | bigint | boolean): number {
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  // `<` between a number and a bigint compares their exact values; NaN is neither (as in Python).
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Where one unit is a surrogate, compare whole code points (UTF-16 puts U+10000 before U+E000).
    const cx = a.codePointAt(i)!;
    const cy = b.codePointAt(i)!;
    return cx < cy ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Python's three-way `<` for the kinds in the table above.
 * @throws {TypeError} when `a` and `b` cannot be ordered.
 */
export function pyCompare(a: unknown, b: unknown): number {
  const kind = kindOf(a);
  if (kind === undefined || kind !== kindOf(b)) throw unorderable(a, b);
  switch (kind) {
    case 'number':
      return compareNumbers(a as number, b as number);
    case 'string':
      return compareStrings(a as string, b as string);
    case 'Date':
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case 'array': {
      const [x, y] = [a as unknown[], b as unknown[]];
      // As Python: the first unequal pair decides; equal items are skipped without `<`.
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        if (Object.is(x[i], y[i])) continue;
        const c = pyCompare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

/**
 * Sorts `items` in place by {@link pyCompare}, stable, as Python's `list.sort(reverse=...)`.
 * @throws {TypeError} for two items it cannot order; `items` is then left as it was.
 */
export function pySort(items: unknown[], reverse: boolean): void {
  // Array.prototype.sort moves `undefined` to the end without asking the comparison.
  const undef = items.length > 1 ? items.indexOf(undefined) : -1;
  if (undef >= 0) throw unorderable(undefined, items[undef === 0 ? 1 : 0]);
  // Sorting a copy: a comparison that throws must not leave the list half sorted.
  const sorted = items.slice().sort(reverse ? (a, b) => pyCompare(b, a) : pyCompare);
  for (let i = 0; i < sorted.length; i++) items[i] = sorted[i];
}
