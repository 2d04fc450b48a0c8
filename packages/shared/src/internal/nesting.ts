/** The codec's depth limit, apart so every module of it can import it without a cycle. */

/**
 * How many containers deep a sent value may nest (arrays, objects, Maps, Sets, errors), counting
 * the value itself as 1. V8's deserializer recurses once per level and overflows the receiver's
 * stack: measured on Node 20/22/24 with default stacks, a main thread (a forked child's too) reads
 * ~1550-1900 levels of plain objects and ~2100-2500 of errors, a worker thread ~6300. Deeper
 * values are refused at the sender, as Python's pickle refuses them with RecursionError (its
 * default recursion limit is also 1000).
 */
export const MAX_NESTING = 1000;

/** Whether `value` nests containers deeper than `limit` (a receiver could not rebuild it). */
export function deeperThan(value: unknown, limit = MAX_NESTING): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const seen = new Set<object>();
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [obj, level] = stack.pop()!;
    if (level > limit) return true;
    if (seen.has(obj)) continue;
    seen.add(obj);
    const items =
      obj instanceof Map
        ? [...obj.keys(), ...obj.values()]
        : obj instanceof Set
          ? [...obj]
          : Object.values(obj);
    for (const item of items) if (typeof item === 'object' && item !== null) stack.push([item, level + 1]);
  }
  return false;
}
