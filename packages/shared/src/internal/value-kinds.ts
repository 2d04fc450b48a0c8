/**
 * What the codec needs to know about a value's kind, and the quick scan that lets
 * `encodeValue()` send plain data without its full walk.
 *
 * The full walk builds a path string for every node (so an error can name `args[1].cb`), asks
 * each object several questions and copies the containers on the way to an encoded object. On a
 * big result (the acorn AST of `typescript.js`) that cost 0.7-0.9 s. Most values hold nothing the
 * codec acts on, so {@link isPlainData} first looks for anything that needs it, without building
 * paths or copies; only a value that has such a thing (or cannot be sent, so the error can name
 * the path) is walked again in full.
 */

import { ByteScan, isByteObject } from './byte-scan.js';
import { isHostObject } from './host-objects.js';
import { MAX_NESTING } from './nesting.js';
import { builtinEncoder } from './platform.js';
import { isError, isForeign } from './realms.js';
import { isUncloneable } from './unsendable.js';

/** The symbol behind `encodeSymbol` (kept here so this module needs nothing from codec.ts). */
export const ENCODE_SYMBOL = Symbol.for('multiproc.codec.encode');

const PASS_THROUGH = new Set<unknown>([
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
]);
if (typeof SharedArrayBuffer !== 'undefined') PASS_THROUGH.add(SharedArrayBuffer.prototype);
const TYPED_ARRAY_PROTO = Object.getPrototypeOf(Uint8Array.prototype);

// What the codec walks, whatever realm made it (another realm's error too: realms.ts).
const WALKED_TAGS = new Set(['Object', 'Array', 'Map', 'Set', 'Error'].map((name) => `[object ${name}]`));

/** Whether structured clone copies `value` as a whole (a buffer, a date, a platform object). */
export function isPassThrough(value: object): boolean {
  if (ArrayBuffer.isView(value)) return true;
  const proto = Object.getPrototypeOf(value);
  if (PASS_THROUGH.has(proto) || proto === TYPED_ARRAY_PROTO) return true;
  if (value instanceof Error) return false;
  // Platform objects (MessagePort, Blob, ...) are cloned or transferred by the platform itself.
  if (WALKED_TAGS.has(Object.prototype.toString.call(value))) return false;
  // The program's own class all the way up is data whatever its Symbol.toStringTag says (cloned by fields).
  return hasRuntimeClass(proto);
}

/**
 * Whether a prototype of the chain from `proto` belongs to one of the runtime's own classes (a
 * global such as `Blob`, `URL` or `Date`, or an `Intl` class), not to the program's.
 */
function hasRuntimeClass(proto: object | null): boolean {
  const g = globalThis as Record<string, unknown>;
  const intl = (typeof Intl === 'object' ? Intl : {}) as Record<string, unknown>;
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const C = Object.hasOwn(p, 'constructor') ? (p as { constructor: unknown }).constructor : undefined;
    const name = typeof C === 'function' ? C.name : '';
    if (name !== '' && (g[name] === C || intl[name] === C)) return true;
  }
  return false;
}

/** Whether `proto`'s chain holds a data class a clone copies whole (a `Date` subclass is a `Date`). */
function hasDataClass(proto: object | null): boolean {
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (PASS_THROUGH.has(p)) return true;
  }
  return false;
}

/**
 * Whether `value` is a platform object (a `URL`, a `Blob`, an `AbortSignal`, ...) rather than
 * data that structured clone copies by itself (a date, a buffer, an error, a plain object).
 */
export function isPlatform(value: object): boolean {
  if (ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype || hasDataClass(proto)) return false;
  return isPassThrough(value);
}

/** The largest typed array or DataView (in bytes) a process receives with a buffer of its own. */
export const MAX_COPIED_VIEW_BYTES = 64 * 1024;

/** Whether the view spans its whole buffer, so moving the buffer moves nothing else with it. */
export function spansBuffer(view: ArrayBufferView): boolean {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
}

/** Whether `obj` goes to a process as a codec record copied out there (or a Float16Array: views.ts). */
export function copiesOut(obj: object): boolean {
  if (!ArrayBuffer.isView(obj) || NodeBuffer?.isBuffer(obj) || isShared(obj)) return false;
  // A Float16Array always: Node 20 and 22 cannot read Node 24's serialization of one (views.ts).
  if ((obj as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Float16Array') return true;
  return obj.byteLength > 0 && obj.byteLength <= MAX_COPIED_VIEW_BYTES;
}

/** The mark `move()` (in `@multiproc/core`) puts on a buffer or typed array to transfer it. */
const MOVE_MARK = Symbol.for('multiproc.move');

export interface BufferClass {
  isBuffer(value: unknown): boolean;
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
  allocUnsafeSlow(size: number): Uint8Array;
  readonly prototype: object;
}
/** Node's Buffer, read from globalThis so this module still runs where there is none (a browser). */
export const NodeBuffer = (globalThis as { Buffer?: BufferClass }).Buffer;

/** Whether `move()` marked this buffer or view (or a view's buffer). */
export function isMoved(value: object): boolean {
  return (
    (value as Record<symbol, unknown>)[MOVE_MARK] === true ||
    (ArrayBuffer.isView(value) && (value.buffer as unknown as Record<symbol, unknown>)[MOVE_MARK] === true)
  );
}

/** Whether `value` is a SharedArrayBuffer or a view on one. */
export function isShared(value: object): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (value instanceof SharedArrayBuffer) return true;
  return ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer;
}

/** Whether `value` is a MessagePort (transfer-only). */
export function isPort(value: object): boolean {
  return typeof MessagePort !== 'undefined' && value instanceof MessagePort;
}

/**
 * An array's named fields (`Object.assign([1, 2], { tag })`, a RegExp match's `index`) are looked
 * into for objects to encode only in an array of at most {@link NAMED_FIELDS_MAX_LENGTH} items
 * that is the value itself or directly inside it ({@link namedFieldsDepth}: a task's argument list
 * and each argument, a queue item and what it holds directly; an array inside an argument's
 * object is two levels down, and not looked into).
 * Listing them costs `Object.keys()`, a call into the runtime that makes a string per index:
 * ~100x the scan of a pair's items, so more than the rest of its scan. On every small array of a
 * big tree (tuples) that would slow every send. Elsewhere named fields travel as structured clone
 * copies them: plain data arrives, a library object would arrive as a plain copy of its fields.
 */
export const NAMED_FIELDS_MAX_LENGTH = 64;

/**
 * How deep below `root` (0: the value itself) arrays have their named fields looked into: the
 * value itself, and what is directly inside it unless the value is a long array (a list of tuples
 * is data, not an argument list); -1: nowhere.
 *
 * `listLength`: `root` is one item of a list of that many items that the receiver decodes as one
 * value (a pool's map chunk, encoded item by item so an error names the item): the depth is then
 * the one the list as a whole gets, one level up. An item of a long list is data, and none of its
 * arrays is looked into, so a `map()` over a million pairs pays no `Object.keys()` per pair.
 */
export function namedFieldsDepth(root: unknown, listLength?: number): number {
  if (listLength !== undefined) return listLength > NAMED_FIELDS_MAX_LENGTH ? -1 : 0;
  return Array.isArray(root) && root.length > NAMED_FIELDS_MAX_LENGTH ? 0 : 1;
}

const MAX_INDEX = 4294967294; // 2 ** 32 - 2

function isIndex(key: string): boolean {
  const n = Number(key);
  return n >>> 0 === n && n <= MAX_INDEX && String(n) === key;
}

/** `String(i)` for every index of an array short enough to have its named fields looked into. */
const INDEX_KEYS: readonly string[] = Array.from({ length: NAMED_FIELDS_MAX_LENGTH }, (_, i) => String(i));

/** What {@link namedFields} gives for an array without any: one shared empty list, no allocation. */
export const NO_NAMED_FIELDS: readonly string[] = Object.freeze([]);

/**
 * An array's own enumerable fields that are not indexes; none for an array longer than
 * {@link NAMED_FIELDS_MAX_LENGTH}. Callers ask {@link namedFieldsDepth} first.
 *
 * `Object.keys()` is the one listing that costs least (for-in, `getOwnPropertyNames` and
 * `Reflect.ownKeys` cost 2-3x more on a pair); what it gives is then judged without converting a
 * key: own keys list the indexes first, ascending, so an array holding as many keys as its length
 * whose last key is the last index is dense and has no named field (a sparse one with named fields
 * ends on a name). Only an array with holes or named fields looks at its keys one by one.
 */
export function namedFields(arr: readonly unknown[]): readonly string[] {
  const n = arr.length;
  if (n > NAMED_FIELDS_MAX_LENGTH) return NO_NAMED_FIELDS;
  const keys = Object.keys(arr);
  const count = keys.length;
  if (count === 0 || (count === n && keys[n - 1] === INDEX_KEYS[n - 1])) return NO_NAMED_FIELDS;
  // Indexes come first, in order: named fields follow them.
  let i = count;
  while (i > 0 && !isIndex(keys[i - 1]!)) i--;
  return i === count ? NO_NAMED_FIELDS : keys.slice(i);
}

/**
 * The indexes from `from` on at which `arr` holds an element, holes skipped, ascending. Costs
 * what the array's own keys cost, not its `length`: a sparse array (`a[4e9] = 1`) is walked by
 * this from its first hole on, as structured clone walks it.
 */
export function ownIndexesFrom(arr: readonly unknown[], from: number): number[] {
  const out: number[] = [];
  // Own keys list the array indexes first, in ascending order; named fields follow.
  for (const key of Object.keys(arr)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || String(i) !== key) break;
    if (i >= from) out.push(i);
  }
  return out;
}

/** Whether index `i` of `arr` is a hole (no element, not even `undefined`). */
export function isHole(arr: readonly unknown[], i: number): boolean {
  return arr[i] === undefined && !(i in arr);
}

/**
 * A shallow copy of `arr` with its named fields (`slice()` drops them) and its holes kept, as
 * structured clone keeps them, in time proportional to its own keys (`slice()` of `a[4e9] = 1`
 * walks all 4e9 indexes: minutes).
 */
export function copyArray(arr: unknown[], named: readonly string[]): unknown[] {
  const n = arr.length;
  const out = new Array<unknown>(n) as unknown[] & Record<string, unknown>;
  for (let i = 0; i < n; i++) {
    if (isHole(arr, i)) {
      for (const j of ownIndexesFrom(arr, i)) out[j] = arr[j];
      break;
    }
    out[i] = arr[i];
  }
  for (const key of named) out[key] = (arr as unknown as Record<string, unknown>)[key];
  return out;
}

/** How the scan treats an object: skip it, look inside, or give up (the full walk is needed). */
export const LEAF = 0;
export const FIELDS = 1;
const SPECIAL = 2;
type Kind = typeof LEAF | typeof FIELDS | typeof SPECIAL;

/** Per prototype: whether its instances are cloned field by field (errors, class instances). */
const protoKinds = new WeakMap<object, Kind>();

export function kindOf(obj: object, proto: object): Kind {
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    // An empty one may be detached (moved away by an earlier send): the walk tells and says so.
    return NodeBuffer?.isBuffer(obj) || isMoved(obj) || isShared(obj) || obj.byteLength === 0
      ? SPECIAL
      : LEAF;
  }
  // The rest follows from the prototype chain alone: looked up once per prototype (issue 18: the
  // checks cost a fifth of the scan of a 1.1M-node acorn AST, whose nodes are class instances).
  let kind = protoKinds.get(proto);
  if (kind === undefined) {
    // What structured clone refuses is an error the full walk names with its path; a class instance travels
    // as its own fields. Platform (a URL), host and other realms' objects are encoded, checked or refused.
    if (typeof SharedArrayBuffer !== 'undefined' && obj instanceof SharedArrayBuffer) kind = SPECIAL;
    else if (PASS_THROUGH.has(proto)) kind = LEAF;
    else if (obj instanceof Map || obj instanceof Set || isPort(obj) || isHostObject(obj, proto))
      kind = SPECIAL;
    else if (isUncloneable(obj) || builtinEncoder(proto) !== undefined || isForeign(proto)) kind = SPECIAL;
    else if (isPassThrough(obj)) kind = isPlatform(obj) ? SPECIAL : LEAF;
    else kind = FIELDS;
    protoKinds.set(proto, kind);
  }
  return kind;
}

export { MAX_NESTING };

/** More objects than this (shared references are seen once per path), the same. */
const MAX_VISITS = 10_000_000;

/**
 * Whether `value` holds nothing `encodeValue()` acts on: no function or symbol, no encodable
 * object, MessagePort, Buffer, Map, Set, moved buffer or shared memory. Such a value is posted
 * as it is. A value nested deeper than {@link MAX_NESTING} is not plain either (the walk refuses it).
 *
 * First without remembering what it saw: a Set of every object cost 10x the walk itself on a
 * 100k-node tree, more than half of a structured clone. A cycle shows up as a path deeper than
 * {@link MAX_NESTING}; then (and past {@link MAX_VISITS}) it scans again with a Set.
 */
export function isPlainData(
  value: unknown,
  errors = false,
  namedDepth = namedFieldsDepth(value),
  views = false,
): boolean {
  const t = typeof value;
  if (t !== 'object') return t !== 'function' && t !== 'symbol';
  if (value === null) return true;
  const obj = value as object;
  return (
    scan(obj, undefined, errors, namedDepth, views) ??
    (scan(obj, new Set(), errors, namedDepth, views) as boolean)
  );
}

/** The scan; `undefined` when it gave up (only without `seen`). With `errors`, an Error is not plain. */
function scan(
  value: object,
  seen: Set<object> | undefined,
  errors: boolean,
  namedDepth: number,
  views: boolean,
): boolean | undefined {
  const stack: object[] = [value];
  const depths: number[] = [0];
  let visits = 0;
  let bytes: ByteScan | undefined; // to a process: byte objects that share a buffer (byte-sharing.ts)
  while (stack.length > 0) {
    const obj = stack.pop() as object;
    const depth = (depths.pop() as number) + 1;
    if (seen) {
      if (seen.has(obj)) continue;
      seen.add(obj);
    } else if (depth > MAX_NESTING || ++visits > MAX_VISITS) {
      return undefined;
    }
    // Too deep to send (with `seen`, not a cycle): the full walk names where.
    if (depth > MAX_NESTING) return false;
    if ((obj as Record<symbol, unknown>)[ENCODE_SYMBOL] !== undefined) return false;
    if (Array.isArray(obj)) {
      const n = obj.length;
      for (let i = 0; i < n; i++) {
        const item: unknown = obj[i];
        const it = typeof item;
        if (it === 'object') {
          if (item !== null) {
            stack.push(item as object);
            depths.push(depth);
          }
        } else if (it === 'function' || it === 'symbol') {
          return false;
        } else if (it === 'undefined' && !(i in obj)) {
          // A hole: the rest goes by own keys, so `a[4e9] = 1` costs one element, not 4e9.
          for (const j of ownIndexesFrom(obj, i)) {
            const x: unknown = obj[j];
            const xt = typeof x;
            if (xt === 'function' || xt === 'symbol') return false;
            if (xt === 'object' && x !== null) {
              stack.push(x as object);
              depths.push(depth);
            }
          }
          break;
        }
      }
      // Depth counts from 1 here (the value itself). Not even an empty loop where nothing is looked into.
      if (depth - 1 <= namedDepth) {
        for (const key of namedFields(obj)) {
          const item: unknown = (obj as unknown as Record<string, unknown>)[key];
          const it = typeof item;
          if (it === 'function' || it === 'symbol') return false;
          if (it === 'object' && item !== null) {
            stack.push(item as object);
            depths.push(depth);
          }
        }
      }
      continue;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      if (errors && isError(obj)) return false;
      if (views && (copiesOut(obj) || (isByteObject(obj) && (bytes ??= new ByteScan()).needsWalk(obj))))
        return false;
      const kind = kindOf(obj, proto);
      if (kind === LEAF) continue;
      if (kind === SPECIAL) return false;
      // An error's cause is not enumerable (for-in below misses it), and structured clone sends it.
      if (Object.hasOwn(obj, 'cause') && isError(obj)) {
        const cause: unknown = (obj as Error).cause;
        const ct = typeof cause;
        if (ct === 'function' || ct === 'symbol') return false;
        if (ct === 'object' && cause !== null) {
          stack.push(cause as object);
          depths.push(depth);
        }
      }
    }
    // for-in is the fastest way over fields; an inherited enumerable one is only a false alarm.
    for (const key in obj) {
      const item = (obj as Record<string, unknown>)[key];
      const it = typeof item;
      if (it === 'object') {
        if (item !== null) {
          stack.push(item as object);
          depths.push(depth);
        }
      } else if (it === 'function' || it === 'symbol') {
        return false;
      }
    }
  }
  return true;
}
