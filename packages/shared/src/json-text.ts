/**
 * JSON as a faster structured clone for big trees of plain data (issue 18, ast11).
 *
 * V8's deserializer builds an object one property at a time (each key read as a string and
 * internalized, the object moved through a map transition per field); `JSON.parse` builds it with
 * its final shape at once. On the acorn AST of `typescript.js` (1.1M objects, 67 MB of serialized
 * data) the receiver spent 2.0-2.4 s of CPU in `v8.deserialize` and 0.8 s in `JSON.parse` of the
 * same tree. JSON round-trips only part of what a structured clone copies, so
 * {@link encodeJson} first proves that the value is in that part, or can be patched into it:
 *
 * - every object is a plain object (or an instance of a class without its own `toJSON()`, which a
 *   clone also turns into a plain object) or a dense array without named fields, and none is an
 *   engine object a clone refuses (a generator, an iterator, `arguments`: `engine-objects.ts`);
 * - every leaf is a string, a boolean, null or a finite number other than -0, or one of the few
 *   values JSON writes in place (so the key order stays) and the receiver puts back from a list
 *   sent beside the text: a `RegExp`, a `Date`, NaN, ±Infinity, -0, an `undefined` array item
 *   (acorn's AST holds a RegExp per regular-expression literal);
 * - no object is reached twice (a clone keeps a shared reference or a cycle, JSON does not);
 * - nothing the codec acts on (an encodable object, a Buffer, a Map) and no Proxy (a clone
 *   refuses it); no `toJSON` where JSON would look for one;
 * - no deeper than the codec's limit (`MAX_NESTING`), which `encodeValue()` then refuses by name.
 *
 * Anything else answers `undefined`, and the value goes by structured clone as before.
 */
import { isEngineObject } from './internal/engine-objects.js';
import { isError } from './internal/realms.js';
import { ENCODE_SYMBOL, FIELDS, kindOf, MAX_NESTING } from './internal/value-kinds.js';

/** A value as JSON text, with the leaves JSON cannot carry listed apart (see {@link encodeJson}). */
export interface JsonEncoded {
  /** The value as `JSON.stringify` writes it. */
  readonly json: string;
  /** Where each of `values` goes back: the keys from the root down. */
  readonly paths: (string | number)[][];
  /** Sent by structured clone. */
  readonly values: unknown[];
}

type IsProxy = (value: unknown) => boolean;
let isProxyFn: IsProxy | null | undefined;

/** Node's `util.types.isProxy`, or null where there is none (then nothing goes as JSON). */
function proxyCheck(): IsProxy | null {
  if (isProxyFn === undefined) {
    const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const util = node?.getBuiltinModule?.('node:util') as { types?: { isProxy?: IsProxy } } | undefined;
    isProxyFn = util?.types?.isProxy ?? null;
  }
  return isProxyFn;
}

const DATE_TO_JSON = Date.prototype.toJSON;

/** Whether a `toJSON` where JSON looks would change what it writes. */
function hasToJson(): boolean {
  const has = (proto: object) => (proto as { toJSON?: unknown }).toJSON !== undefined;
  return (
    has(Object.prototype) ||
    has(Array.prototype) ||
    has(RegExp.prototype) ||
    Date.prototype.toJSON !== DATE_TO_JSON
  );
}

/** More leaves to put back than this, and the value goes by structured clone (each costs a path). */
const MAX_PATCHES = 1000;

/** Whether JSON gives `n` back as it was. */
function isExactNumber(n: number): boolean {
  // NaN and the infinities become null, -0 becomes 0.
  return n - n === 0 && (n !== 0 || 1 / n > 0);
}

/** What the scan makes of a field's value. */
const OK = 0;
const PATCH = 1;
const REFUSE = 2;

/**
 * The value as JSON text plus the leaves JSON cannot carry, when `JSON.parse` of the text with
 * those leaves put back (see {@link decodeJson}) gives what a structured clone of `value` would;
 * else `undefined`. Only objects and arrays are worth it (a primitive answers `undefined`).
 * Never throws: a getter or Proxy trap that throws answers `undefined`, and the structured clone
 * that follows meets the error again. Python has no counterpart (pickle has one route); a process
 * pool sends its results this way when it can.
 * @param value Any value.
 * @returns `{ json, paths, values }` (send `values` by structured clone), or `undefined`.
 * @example
 * const sent = encodeJson({ a: [1, 2], re: /x/g }); // { json: '{"a":[1,2],"re":{}}', paths: [['re']], values: [/x/g] }
 * decodeJson(sent!); // { a: [1, 2], re: /x/g }
 */
export function encodeJson(value: unknown): JsonEncoded | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const isProxy = proxyCheck();
  if (isProxy === null || hasToJson()) return undefined;
  try {
    const holes: [object, string | number][] = [];
    if (!scan(value, holes, isProxy)) return undefined;
    const paths = holes.length === 0 ? [] : pathsOf(value, holes);
    const values = holes.map(([obj, key]) => (obj as Record<string | number, unknown>)[key]);
    return { json: JSON.stringify(value), paths, values };
  } catch {
    return undefined;
  }
}

/**
 * Rebuilds what {@link encodeJson} encoded: `JSON.parse` of the text, then each of `values` put
 * back at its path. No Python counterpart.
 * @param encoded What `encodeJson()` returned, after any structured clone.
 * @throws {SyntaxError} when `encoded.json` is not JSON (it always is when it came from encodeJson).
 * @example
 * const back = decodeJson(encodeJson([1, Number.NaN])!); // [1, NaN]
 */
export function decodeJson(encoded: JsonEncoded): unknown {
  const root = JSON.parse(encoded.json) as unknown;
  const { paths, values } = encoded;
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    let at = root as Record<string | number, unknown>;
    for (let k = 0; k < path.length - 1; k++) at = at[path[k]!] as Record<string | number, unknown>;
    at[path[path.length - 1]!] = values[i];
  }
  return root;
}

/** What a field's value means for JSON. */
function fieldKind(item: unknown, inArray: boolean, isProxy: IsProxy): number {
  switch (typeof item) {
    case 'string':
    case 'boolean':
      return OK;
    case 'number':
      return isExactNumber(item) ? OK : PATCH;
    case 'undefined':
      // In an array JSON writes null (a hole too); in an object it drops the key, and putting it
      // back would change the key order.
      return inArray ? PATCH : REFUSE;
    case 'object': {
      if (item === null) return OK;
      if (isProxy(item)) return REFUSE;
      const proto = Object.getPrototypeOf(item);
      return proto === RegExp.prototype || proto === Date.prototype ? PATCH : OK;
    }
    default:
      return REFUSE;
  }
}

/**
 * Looks at every object under `root` once; false when JSON cannot carry it. Each leaf to put
 * back is listed in `holes` as its container and key.
 */
function scan(root: object, holes: [object, string | number][], isProxy: IsProxy): boolean {
  if (isProxy(root)) return false;
  // A plain object's for-in would list an enumerable field added to Object.prototype.
  for (const _ in {}) return false;
  // Identity costs most of the scan (a Set of 1.1M objects: ~0.6 s of the AST's ~1 s), yet a
  // shared reference would arrive as two objects.
  const seen = new Set<object>([root]);
  const stack: object[] = [root];
  // Each stacked object's depth (the root is 1): a value deeper than the codec's limit is refused.
  const depths: number[] = [1];
  let depth = 1;
  // Most trees hold one class (acorn's Node): its kind is looked up once per run of it.
  let lastProto: object | null = null;
  const visit = (obj: object, key: string | number, item: unknown, inArray: boolean): boolean => {
    const kind = fieldKind(item, inArray, isProxy);
    if (kind === REFUSE) return false;
    if (kind === PATCH) {
      if (holes.length >= MAX_PATCHES) return false;
      holes.push([obj, key]);
    }
    if (typeof item !== 'object' || item === null) return true;
    const size = seen.size;
    seen.add(item);
    // Met before: a shared reference or a cycle.
    if (seen.size === size) return false;
    if (kind === OK) {
      stack.push(item);
      depths.push(depth + 1);
    }
    return true;
  };
  while (stack.length > 0) {
    const obj = stack.pop() as object;
    depth = depths.pop() as number;
    if (depth > MAX_NESTING) return false;
    if ((obj as Record<symbol, unknown>)[ENCODE_SYMBOL] !== undefined) return false;
    const proto = Object.getPrototypeOf(obj);
    if (Array.isArray(obj)) {
      if (proto !== Array.prototype) return false;
      const n = obj.length;
      for (let i = 0; i < n; i++) {
        const item: unknown = obj[i];
        if (typeof item === 'string' || typeof item === 'boolean') continue;
        // A hole: JSON would write null where a clone keeps the hole (and a[4e9] would take long).
        if (item === undefined && !(i in obj)) return false;
        if (!visit(obj, i, item, true)) return false;
      }
      // A named field on an array (a RegExp match's `index`) is cloned, and dropped by JSON.
      if (Object.keys(obj).length !== n) return false;
      continue;
    }
    if (proto === Object.prototype || proto === null) {
      // An `arguments` object, a module namespace, a `JSON.rawJSON()` value: a clone refuses them.
      if ((proto === null || 'callee' in obj) && isEngineObject(obj)) return false;
    } else if (proto !== lastProto) {
      // An error's message and stack are not enumerable: JSON would send `{}`. A generator, an
      // iterator or an Intl object reads as a class instance, which a clone refuses.
      if (isError(obj) || kindOf(obj, proto) !== FIELDS || isEngineObject(obj)) return false;
      // A class's own toJSON() would change what JSON writes; a clone copies the fields.
      if ((obj as { toJSON?: unknown }).toJSON !== undefined) return false;
      // for-in below lists inherited enumerable fields too, which JSON and a clone skip.
      for (const _ in Object.create(proto)) return false;
      lastProto = proto;
    }
    for (const key in obj) {
      const item = (obj as Record<string, unknown>)[key];
      if (typeof item === 'string' || typeof item === 'boolean') continue;
      if (!visit(obj, key, item, false)) return false;
    }
  }
  return true;
}

/**
 * The path of each hole, from the root down: a second walk, made only when there are holes,
 * that carries the path and stops once it has met every hole's container.
 */
function pathsOf(root: object, holes: [object, string | number][]): (string | number)[][] {
  const wanted = new Map<object, (string | number)[]>();
  for (const [obj] of holes) wanted.set(obj, []);
  let left = wanted.size;
  const path: (string | number)[] = [];
  const walk = (obj: object): void => {
    if (wanted.get(obj)?.length === 0 && obj !== root) {
      wanted.set(obj, [...path]);
      left--;
    }
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length && left > 0; i++) {
        const item: unknown = obj[i];
        if (typeof item !== 'object' || item === null) continue;
        path.push(i);
        walk(item);
        path.pop();
      }
      return;
    }
    for (const key in obj) {
      if (left === 0) return;
      const item = (obj as Record<string, unknown>)[key];
      if (typeof item !== 'object' || item === null) continue;
      path.push(key);
      walk(item);
      path.pop();
    }
  };
  if (wanted.has(root)) left--;
  walk(root);
  return holes.map(([obj, key]) => [...wanted.get(obj)!, key]);
}
