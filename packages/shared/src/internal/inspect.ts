/**
 * How `console.log()`, `util.inspect()` and `String()` show shared objects: by their contents or
 * state, like `Value('i', 5)` or Python's `<Lock(owner=None)>`, instead of an empty-looking object
 * or `[object Object]` (their state lives in private fields and shared memory).
 */
import { getOwnerId } from '../owner.js';

/** Node's `util.inspect.custom`, reached without importing `node:util` (this package runs in browsers). */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** Node's `inspect`, as it passes it to an `[inspectSymbol]` method (the third argument). */
export type Inspect = (value: unknown, options?: unknown) => string;

/** Formats `Name('typecode', contents)`, with Node's `inspect` for the contents when given. */
export function showContents(
  name: string,
  typecode: string,
  contents: unknown,
  options: unknown,
  inspect: Inspect | undefined,
): string {
  const shown = inspect
    ? inspect(contents, options)
    : JSON.stringify(contents, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return `${name}('${typecode}', ${shown})`;
}

/** The most items `String()` of an array shows (as `console.log()` shows at most 100). */
export const REPR_MAX_ITEMS = 100;

/**
 * What `String()` of a shared value or array gives, in the style of the primitives' reprs
 * (`<Lock(owner=None)>`): `<Value('i', 5)>`, `<RawArray('q', [1n, 2n])>`; of an array of `length`
 * items, `items` holds the first {@link REPR_MAX_ITEMS} and the rest are counted.
 */
export function reprContents(
  name: string,
  typecode: string,
  contents: number | bigint | readonly (number | bigint)[],
  length = 0,
): string {
  const show = (v: number | bigint) => (typeof v === 'bigint' ? `${v}n` : String(v));
  if (!Array.isArray(contents)) return `<${name}('${typecode}', ${show(contents as number | bigint)})>`;
  const more = length - contents.length;
  const items = contents.map(show).join(', ') + (more > 0 ? `, ... ${more} more items` : '');
  return `<${name}('${typecode}', [${items}])>`;
}

/** `Name { key: value, ... }` (as core's `Process` shows), with Node's `inspect` for the fields when given. */
export function showFields(
  name: string,
  fields: Record<string, unknown>,
  options: unknown,
  inspect: Inspect | undefined,
): string {
  if (inspect) return `${name} ${inspect(fields, options)}`;
  const shown = Object.entries(fields).map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : v}`);
  return `${name} { ${shown.join(', ')} }`;
}

// Where @multiproc/core keeps this realm's `currentProcess().name` (a name assigned to it, or the
// identity of the worker it started here): read, not imported, as this package depends on nothing.
const RENAMED_KEY = Symbol.for('multiproc.processName');
const IDENTITY_KEY = Symbol.for('multiproc.workerIdentity');

/**
 * This realm's `currentProcess().name`: `'MainProcess'` in a program's main thread, Node's (owner
 * id 1) or a browser page's (its global is the window; a Web Worker's is a `WorkerGlobalScope`).
 * Other threads are `Thread-<owner id - 1>`: Node's thread id, a random number in a Web Worker.
 */
function ownProcessName(me: number): string {
  const g = globalThis as Record<PropertyKey, unknown>;
  const renamed = g[RENAMED_KEY];
  if (typeof renamed === 'string') return renamed;
  const identity = g[IDENTITY_KEY] as { name?: unknown } | undefined;
  if (typeof identity?.name === 'string') return identity.name;
  const page = g.window === globalThis && g.WorkerGlobalScope === undefined;
  return me === 1 || page ? 'MainProcess' : `Thread-${me - 1}`;
}

/**
 * Who holds a lock, as Python's lock reprs name it: `'None'` when nobody does (`holder` 0), this
 * realm's process name when it does, else `'SomeOtherProcess'` (another worker: in the thread
 * context each `Process` and pool worker is a thread of its own, Python's other process).
 */
export function holderName(holder: number): string {
  if (holder === 0) return 'None';
  const me = getOwnerId();
  return holder === me ? ownProcessName(me) : 'SomeOtherProcess';
}
