/**
 * Which error classes are this library's, told by the class itself (its prototype), never by
 * `name`: an error crossing a thread, process or manager socket comes back as one of ours only
 * when it was one of ours, so a user's own `Error` named `'KeyError'` stays a plain `Error` (the
 * Pool contract in CONTRACT.md). Core's error codec (packages/core/src/internal/error-record.ts)
 * and ipc's manager replies (packages/ipc/src/internal/manager/wire.ts) both classify with this.
 *
 * The registry lives on `globalThis` under one `Symbol.for` key: a pool worker's entry bundles its
 * own copy of these modules (scripts/bundle.mjs), and a class one copy registers must be known to all.
 *
 * Telling a class is by identity, so any copy's class counts as ours. Rebuilding one by its name
 * must not depend on which copy registered last: when a realm holds two copies of a package (a
 * second install, a module evaluated again, a test importing the sources beside the build), the
 * copy loaded later used to take the name over, and the first copy's pool then rebuilt its task's
 * `WorkerCrashedError` as the other copy's class, failing `instanceof` depending on load order. So
 * each package's decoding runs {@link withOwnErrorClasses} with the classes it registered itself,
 * which win over the realm-wide name table.
 */
import type * as errorModule from './errors.js';
import {
  BrokenBarrierError,
  ClosedError,
  ContextError,
  LockError,
  ProcessError,
  SerializationError,
  TimeoutError,
  ValidationError,
} from './errors.js';
import { foreignBuiltinName } from './internal/realms.js';

type ErrorClass = abstract new (...args: any[]) => Error;

/** How an error's class travels: one of ours, a built-in, a `DOMException`, or anything else. */
export type ErrorFamily = 'builtin' | 'dom' | 'ours' | 'other';

const REGISTRY_KEY = Symbol.for('multiproc.errorClasses');
const { OURS, OURS_BY_NAME } = ((globalThis as any)[REGISTRY_KEY] ??= {
  OURS: new Map<object, string>(),
  OURS_BY_NAME: new Map<string, ErrorClass>(),
}) as { OURS: Map<object, string>; OURS_BY_NAME: Map<string, ErrorClass> };

const BUILTINS = new Map<object, string>();
for (const name of [
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'SuppressedError',
]) {
  const C = (globalThis as any)[name];
  if (typeof C === 'function') BUILTINS.set(C.prototype, name);
}
const BUILTIN_NAMES: ReadonlySet<string> = new Set(BUILTINS.values());
const WASM = (globalThis as any).WebAssembly ?? {};
for (const name of ['CompileError', 'LinkError', 'RuntimeError']) {
  if (typeof WASM[name] === 'function') BUILTINS.set(WASM[name].prototype, `WebAssembly.${name}`);
}

/** Classes of ours by name, as {@link registerErrorClasses} returns them. @internal */
export type ErrorClassTable = ReadonlyMap<string, ErrorClass>;

/**
 * Makes the `ProcessError` classes among `values` travel as themselves (every multiproc package
 * registers its own error classes when it defines them; other values are skipped). Returns them
 * by name, for {@link withOwnErrorClasses}.
 * @internal
 */
export function registerErrorClasses(values: Iterable<unknown>): ErrorClassTable {
  const own = new Map<string, ErrorClass>();
  for (const C of values) {
    if (typeof C === 'function' && (C === ProcessError || C.prototype instanceof ProcessError)) {
      OURS.set(C.prototype, C.prototype.name);
      OURS_BY_NAME.set(C.prototype.name, C as ErrorClass);
      own.set(C.prototype.name, C as ErrorClass);
    }
  }
  return own;
}

// The tables of the decodings running now (innermost last); read by ourErrorClass.
const preferred: ErrorClassTable[] = [];

/**
 * Runs `decode` (synchronous) with the classes of `own` rebuilding records of their names, before
 * the realm-wide table: a package decodes with its own classes whatever other copy loaded later.
 * @internal
 * @example
 * const own = registerErrorClasses([ProcessError]);
 * const record = toErrorRecord(new ProcessError('lost'));
 * const err = withOwnErrorClasses(own, () => fromErrorRecord(record));
 * console.log(err instanceof ProcessError); // true
 */
export function withOwnErrorClasses<T>(own: ErrorClassTable, decode: () => T): T {
  preferred.push(own);
  try {
    return decode();
  } finally {
    preferred.pop();
  }
}

/**
 * The family of `err`'s class and its key there, found by walking its prototype chain to the
 * nearest class of ours or built-in one: a user subclass of `TypeError` is a `TypeError`, a user
 * class straight under `Error` (or a plain `Error` of any `name`) is `'other'`.
 * @internal
 */
export function classifyError(err: Error): { family: ErrorFamily; className?: string } {
  if (typeof DOMException === 'function' && err instanceof DOMException) return { family: 'dom' };
  for (let proto = Object.getPrototypeOf(err); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const ours = OURS.get(proto);
    if (ours) return { family: 'ours', className: ours };
    const builtin = BUILTINS.get(proto);
    if (builtin === 'Error') return { family: 'other' };
    if (builtin) return { family: 'builtin', className: builtin };
  }
  // An error of another realm (a `vm` context's): its built-in class, by its native constructor.
  const foreign = err instanceof Error ? undefined : foreignBuiltinName(err, BUILTIN_NAMES);
  return foreign && foreign !== 'Error' ? { family: 'builtin', className: foreign } : { family: 'other' };
}

/** The registered class of ours named `className`, or undefined. @internal */
export function ourErrorClass(className: string): ErrorClass | undefined {
  for (let i = preferred.length - 1; i >= 0; i--) {
    const C = preferred[i]!.get(className);
    if (C) return C;
  }
  return OURS_BY_NAME.get(className);
}

/** The built-in class `className` names (`'TypeError'`, `'WebAssembly.LinkError'`), else `Error`. @internal */
export function builtinErrorClass(className: string): ErrorClass {
  const [a, b] = className.split('.') as [string, string | undefined];
  const C = b ? (globalThis as any)[a]?.[b] : (globalThis as any)[a];
  return typeof C === 'function' ? C : Error;
}

// Every class errors.ts exports (it exports nothing else): the type makes the list exact, so a class
// added there is never missed. Named, not read from `import * as`: a bundled module's namespace is
// an object of getters, each compiled at its first read in every realm (issue #18).
const ERROR_CLASSES: { readonly [K in keyof typeof errorModule]: (typeof errorModule)[K] } = {
  BrokenBarrierError,
  ClosedError,
  ContextError,
  LockError,
  ProcessError,
  SerializationError,
  TimeoutError,
  ValidationError,
};
registerErrorClasses(Object.values(ERROR_CLASSES));
