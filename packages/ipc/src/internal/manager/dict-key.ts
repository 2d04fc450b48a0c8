/**
 * Keys of a manager's dict. A key crosses to the manager as a copy, so an object key could never
 * be found again (each call sends a new object). As in Python, where a `list` or `dict` key is
 * "unhashable" and a tuple key is compared by value:
 *
 * - a primitive (string, number, bigint, boolean, null, undefined) is a key as itself;
 * - an array of those (nested arrays too) is a tuple: compared by value, item by item, each item
 *   as a `Map` compares keys (so `1` and `true` differ, `NaN` equals `NaN`);
 * - anything else (a plain object, Date, Map, Set, typed array, an array holding one) is refused
 *   with a `TypeError` at the call.
 *
 * The proxy checks before sending (a pipelined `set()` has no answer to carry the error) and the
 * manager checks again (another client may not have).
 */

/** Arrays nested deeper than this are refused (it also ends a cycle). */
const MAX_DEPTH = 32;

function unhashable(item: unknown, nested: boolean, where: string): TypeError {
  const kind = Array.isArray(item)
    ? 'an array nested too deep'
    : `${Object.getPrototypeOf(item)?.constructor?.name ?? 'null-prototype object'}${nested ? ' inside an array' : ''}`;
  return new TypeError(
    `${where}: unhashable key (${kind}): use a string, number, or an array of them. A key is ` +
      'sent to the manager as a copy, so an object key could never be found again: key by an ' +
      'id or JSON.stringify(key) instead.',
  );
}

function encodeItem(x: unknown, depth: number, where: string): string {
  switch (typeof x) {
    case 'string':
      return JSON.stringify(x);
    case 'number':
      // As a Map compares keys: -0 is 0 and NaN is NaN.
      return `n${x === 0 ? 0 : x}`;
    case 'bigint':
      return `b${x}`;
    case 'boolean':
      return x ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'object':
      if (x === null) return 'z';
      if (Array.isArray(x) && depth < MAX_DEPTH) {
        const parts: string[] = [];
        for (let i = 0; i < x.length; i++) parts.push(encodeItem(x[i], depth + 1, where));
        return `[${parts.join(',')}]`;
      }
      throw unhashable(x, depth > 0, where);
    default:
      // A function or symbol cannot be sent at all: the sender's SerializationError names it.
      return '?';
  }
}

/**
 * The value-identity of a tuple key (an array) as a string, `undefined` for a primitive key.
 * @throws {TypeError} for an unhashable key (an object that is not an array, or an array holding one).
 */
export function tupleKeyOf(key: unknown, where: string): string | undefined {
  if (typeof key !== 'object' || key === null) return undefined;
  return encodeItem(key, 0, where);
}

/**
 * Checks a dict key before it is sent.
 * @throws {TypeError} for an unhashable key.
 */
export function checkDictKey(key: unknown, where: string): void {
  tupleKeyOf(key, where);
}
