/**
 * Objects of other realms (a `vm` context's, another frame's), which `instanceof` and prototype
 * identity miss. Errors: an error made in a `vm` context (or another frame) is not `instanceof` this
 * realm's `Error`, yet structured clone sends it as an error; read as a plain object it would
 * arrive as `{}` (its message and stack are not enumerable). Every place the codec and the error
 * records tell an error asks {@link isError}.
 */

const toTag = Object.prototype.toString;
const isErrorOf = (Error as { isError?: (value: unknown) => boolean }).isError;

/**
 * Whether `value` is an error: an instance of this realm's `Error`, or a native error of another
 * realm (`Error.isError` where the runtime has it, else the built-in tag only native errors carry).
 */
export function isError(value: unknown): value is Error {
  if (value instanceof Error) return true;
  if (typeof value !== 'object' || value === null) return false;
  // Plain data first, without a call: the codec asks this of every object it meets.
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === Array.prototype || proto === null) return false;
  if (isErrorOf) return isErrorOf(value);
  return !(Symbol.toStringTag in value) && toTag.call(value) === '[object Error]';
}

const NATIVE = /\{\s*\[native code\]\s*\}$/;

/**
 * The name of the built-in class of `err`, an error of another realm (`'TypeError'`), found on its
 * prototype chain by a constructor that is built into the engine and named in `names`; else
 * `undefined` (a class of that realm's program).
 */
export function foreignBuiltinName(err: object, names: ReadonlySet<string>): string | undefined {
  for (let proto = Object.getPrototypeOf(err); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const C: unknown = Object.hasOwn(proto, 'constructor') ? proto.constructor : undefined;
    if (typeof C !== 'function') continue;
    if (names.has(C.name) && NATIVE.test(Function.prototype.toString.call(C))) return C.name;
  }
  return undefined;
}

/**
 * Whether `proto`'s chain ends at another realm's `Object.prototype`: an object of a `vm` context
 * (its Map, Date, plain object), whose class no check by identity here knows. Structured clone
 * copies it as this realm's; JSON would write a Map as `{}`.
 */
export function isForeign(proto: object): boolean {
  let p = proto;
  for (let up = Object.getPrototypeOf(p); up !== null; up = Object.getPrototypeOf(up)) p = up;
  return p !== Object.prototype;
}
