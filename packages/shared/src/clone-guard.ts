/**
 * A tripwire for structured clone. `postMessage()`, `workerData` and `structuredClone()` copy only
 * an object's own enumerable fields and drop its class and private fields, so a `Lock`, `Value`,
 * `Queue`… sent that way would arrive as `{}` (or a few bare numbers), and what the receiver writes to
 * it would go nowhere, without an error anywhere. Each such object therefore carries one own
 * enumerable field whose value is a symbol: a symbol cannot be cloned, so the sender's call throws
 * `DataCloneError` at once, and the engine quotes the symbol's description (which says what to do)
 * in its message. `encodeValue()` (and so `Process`/`Pool` arguments, queues and pipes) replaces
 * these objects by records before anything is cloned, so it never meets the field.
 *
 * The field must stay enumerable, though `Object.keys()`, `Object.entries()` and `{ ...obj }`
 * show it: structured clone visits exactly the own enumerable string-keyed fields, so a
 * non-enumerable (or symbol-keyed) guard is skipped and the object is copied as `{}` without an
 * error, the silent loss this guard exists to stop (checked on Node 20, 22 and 24). Node's
 * `markAsUncloneable()` would hide it, but it is Node 22.10+ only, absent from browsers, and its
 * error cannot say what to do instead.
 */

/** The field's name: what `Object.keys()` and `console.log()` show on a guarded object. */
export const CLONE_GUARD_KEY = 'multiproc';

const guards = new Map<string, symbol>();

/** One symbol per class, so two objects of a class stay deep-equal (`toEqual`, `isDeepStrictEqual`). */
function guardFor(what: string): symbol {
  let guard = guards.get(what);
  if (!guard) {
    guard = Symbol(
      // At most ~120 characters: V8 (Node 22+) cuts a longer one out of the DataCloneError's message.
      `${what} cannot be posted as itself (it arrives as {}): send encodeValue(x, 'thread').value, then decodeValue()`,
    );
    guards.set(what, guard);
  }
  return guard;
}

/**
 * Makes structured clone refuse `obj` (a `DataCloneError` quoting how to send it) instead of copying
 * it as an empty object. multiproc's own classes call it in their constructors; call it in yours when
 * they implement `encodeSymbol` and keep their state in private fields.
 * @param obj The object to guard; gets a read-only enumerable field named `multiproc`.
 * @param what The object in words for the message, with its article: `'a Lock'`.
 * @example
 * import { encodeSymbol, refuseStructuredClone } from '@multiproc/shared';
 * class Counter {
 *   #view = new Int32Array(new SharedArrayBuffer(4));
 *   constructor() { refuseStructuredClone(this, 'a Counter'); }
 *   [encodeSymbol]() { return { type: 'app.Counter', data: this.#view.buffer }; }
 * }
 * try {
 *   structuredClone(new Counter());
 * } catch (e) {
 *   console.log((e as Error).name); // DataCloneError
 * }
 */
export function refuseStructuredClone(obj: object, what: string): void {
  Object.defineProperty(obj, CLONE_GUARD_KEY, {
    value: guardFor(what),
    enumerable: true,
    configurable: true,
  });
  // console.log() would show the guard as a field (`Lock { multiproc: Symbol(...) }`): a class
  // without a view of its own is shown without it. Not enumerable, so clones never meet it.
  if ((obj as Record<symbol, unknown>)[INSPECT] === undefined) {
    Object.defineProperty(obj, INSPECT, { value: showWithoutGuard, configurable: true, writable: true });
  }
}

// Node's `util.inspect.custom`, reached without importing `node:util` (this package runs in browsers).
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** `Lock {}`, `Queue {}`: the class name and the object's own fields but the guard. */
function showWithoutGuard(
  this: object,
  _depth: number,
  options: unknown,
  inspect?: (value: unknown, options?: unknown) => string,
): string {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(this)) {
    if (key !== CLONE_GUARD_KEY) fields[key] = (this as Record<string, unknown>)[key];
  }
  const name = this.constructor?.name ?? 'Object';
  if (Object.keys(fields).length === 0) return `${name} {}`;
  return `${name} ${inspect ? inspect(fields, options) : JSON.stringify(fields)}`;
}
