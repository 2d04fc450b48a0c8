/**
 * The walks that decide how a value travels (serialize.ts): as JSON, when JSON gives back exactly
 * what structured clone would (the common case, and much cheaper), else as structured-clone bytes.
 *
 * JSON copies an object once per path to it, so a value whose object is met twice (shared by two
 * parts, or a cycle) is never JSON-exact: JSON would give two objects where structured clone keeps
 * one, and a DAG of n levels 2^n times. The objects met are tracked so: the first few in an array
 * searched in place (most messages hold one to a few objects, and this costs them a compare or
 * two, no Set), a bigger value's in a Set. A value that is plain data but shared goes as
 * structured-clone bytes without the codec's scan (see {@link plainGraph}).
 */

import { isEngineObject } from '@multiproc/shared';

const MAX_JSON_DEPTH = 64;
// Up to this many objects, a search of an array is cheaper than making and filling a Set.
const FEW_OBJECTS = 8;

const few: (object | null)[] = new Array<object | null>(FEW_OBJECTS).fill(null);
let fewCount = 0;
let many: Set<object> | null = null;
// Whether the last walk stopped at an object it had met before.
let metAgain = false;

// Whether `obj` is met for the first time in this walk (then it is remembered).
function firstMeeting(obj: object): boolean {
  if (many !== null) {
    const n = many.size;
    return many.add(obj).size !== n || metTwice();
  }
  for (let i = 0; i < fewCount; i++) if (few[i] === obj) return metTwice();
  if (fewCount < FEW_OBJECTS) {
    few[fewCount++] = obj;
    return true;
  }
  many = new Set(few as object[]);
  many.add(obj);
  return true;
}

function metTwice(): false {
  metAgain = true;
  return false;
}

// Starts a walk. A getter or Proxy trap that throws during a walk ends it as "not plain": the
// codec then reads the value again and throws `SerializationError` naming the part's path, with
// the thrown error as its cause, as for a pool call's arguments (one catch per walk, not per part).
function startWalk(): void {
  fewCount = 0;
  many = null;
  metAgain = false;
}

// Ends a walk: the objects met are let go, so a sent value is not kept alive here.
function endWalk(): void {
  for (let i = 0; i < fewCount; i++) few[i] = null;
  many = null;
}

// An object JSON and structured clone copy field by field: of Object.prototype or none, and not an
// engine object that reads as one (an `arguments` object, a module namespace, a `JSON.rawJSON()`
// value), which structured clone refuses and JSON would copy as `{}` or its raw text.
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype) return !('callee' in v && isEngineObject(v));
  return proto === null && !isEngineObject(v);
}

// An array JSON carries whole: no subclass, no own fields beside its items (`Object.assign([1],
// { tag })`, which structured clone keeps and JSON drops). Holes are caught item by item.
function plainArray(v: unknown[]): boolean {
  return Object.getPrototypeOf(v) === Array.prototype && Object.keys(v).length === v.length;
}

/**
 * Whether JSON.parse(JSON.stringify(v)) is exactly what structured clone would give: plain objects
 * and dense arrays of strings, finite numbers, booleans and null, each object met once.
 */
export function jsonExact(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return exactPart(v, 0);
  startWalk();
  let exact: boolean;
  try {
    exact = exactPart(v, 0);
  } catch {
    exact = false;
  }
  endWalk();
  return exact;
}

function exactPart(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (depth > MAX_JSON_DEPTH || !firstMeeting(v)) return false; // deep, shared or cyclic: v8's way
      if (Array.isArray(v)) {
        if (!plainArray(v)) return false;
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          if (x === undefined || !exactPart(x, depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainObject(v)) return false;
      for (const key in v) {
        const x = (v as Record<string, unknown>)[key];
        if (x === undefined || !exactPart(x, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** What {@link jsonCopy} returns for a value that is not JSON-exact. */
export const NO_COPY = Symbol('not JSON-exact');

// What the last jsonCopy() counted: about the JSON text's length.
let copied = 0;

/**
 * A private copy of a JSON-exact value (see {@link jsonExact}), as JSON.parse(JSON.stringify(v))
 * would make; {@link NO_COPY} when it is not. `exact`: jsonExact() already said yes, so arrays need
 * not be checked for own fields again.
 */
export function jsonCopy(value: unknown, exact: boolean): unknown {
  copied = 0;
  startWalk();
  let copy: unknown;
  try {
    copy = copyPart(value, 0, exact);
  } catch {
    copy = NO_COPY;
  }
  endWalk();
  return copy;
}

/** About the JSON text's length of the last {@link jsonCopy}, so a batch is sized without writing it. */
export function copiedBytes(): number {
  return copied;
}

/** Whether the last {@link jsonCopy} said no because an object was in the value twice. */
export function copyMetAgain(): boolean {
  return metAgain;
}

function copyPart(v: unknown, depth: number, exact: boolean): unknown {
  switch (typeof v) {
    case 'string':
      copied += v.length + 2;
      return v;
    case 'boolean':
      copied += 5;
      return v;
    case 'number':
      copied += 8;
      return Number.isFinite(v) && !Object.is(v, -0) ? v : NO_COPY;
    case 'object': {
      copied += 4;
      if (v === null) return v;
      if (depth > MAX_JSON_DEPTH || !firstMeeting(v)) return NO_COPY; // deep, shared or cyclic: v8's way
      if (Array.isArray(v)) {
        if (exact ? Object.getPrototypeOf(v) !== Array.prototype : !plainArray(v)) return NO_COPY;
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          const c = x === undefined ? NO_COPY : copyPart(x, depth + 1, exact);
          if (c === NO_COPY) return NO_COPY;
          out[i] = c;
        }
        return out;
      }
      if (!isPlainObject(v)) return NO_COPY;
      // A spread copies the own fields in one step (V8 clones the shape: a third cheaper than
      // adding them one by one), then each is checked and nested objects copied in place. It
      // copies symbol-keyed fields too, which JSON drops: see withoutSymbols().
      const out: Record<string, unknown> = { ...(v as object) };
      for (const key in out) {
        const x = out[key];
        copied += key.length + 3;
        if (typeof x === 'object' && x !== null) {
          const c = copyPart(x, depth + 1, exact);
          if (c === NO_COPY) return NO_COPY;
          out[key] = c; // an own field: `__proto__` too is set, not the prototype
        } else if (x === undefined || copyPart(x, depth + 1, exact) === NO_COPY) return NO_COPY;
      }
      return out;
    }
    default:
      return NO_COPY;
  }
}

/**
 * `copy`, a {@link jsonCopy} result, without the symbol-keyed fields its spreads copied (JSON and
 * structured clone drop them): for a copy handed out in the thread that made it, not sent.
 * Changes `copy` in place (it is private) and returns it.
 */
export function withoutSymbols(copy: unknown): unknown {
  if (typeof copy !== 'object' || copy === null) return copy;
  if (Array.isArray(copy)) {
    for (let i = 0; i < copy.length; i++) withoutSymbols(copy[i]);
    return copy;
  }
  const o = copy as Record<string | symbol, unknown>;
  for (const s of Object.getOwnPropertySymbols(o)) delete o[s];
  for (const key in o) withoutSymbols(o[key]);
  return copy;
}

/**
 * Whether `v` is plain data (plain objects, dense arrays, primitives but symbols and bigints) of at
 * most {@link MAX_JSON_DEPTH} levels, its objects shared or not: the codec would neither change nor
 * refuse any of it, so v8 can serialize it as it is. Each object is looked into once, so a DAG
 * costs its objects, not its paths (the codec's own scan counts paths, up to millions).
 */
export function plainGraph(v: unknown): boolean {
  try {
    return plainPart(v, 0, new Set());
  } catch {
    return false; // a getter or Proxy trap threw: the codec names its path
  }
}

function plainPart(v: unknown, depth: number, met: Set<object>): boolean {
  const t = typeof v;
  if (t !== 'object') return t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined';
  if (v === null || met.has(v as object)) return true;
  if (depth > MAX_JSON_DEPTH) return false;
  met.add(v as object);
  if (Array.isArray(v)) {
    if (!plainArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!plainPart(v[i], depth + 1, met)) return false;
    return true;
  }
  if (!isPlainObject(v as object)) return false;
  for (const key in v as object)
    if (!plainPart((v as Record<string, unknown>)[key], depth + 1, met)) return false;
  return true;
}
