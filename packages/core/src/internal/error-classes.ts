/**
 * Which class an error travels as, by the real identity of its class, never by `name` alone
 * (see error-record.ts): the built-in classes, `DOMException`, and this library's classes, which
 * every multiproc package registers here.
 */
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import * as errors from '../errors.js';

/** Which table an error's class was found in. */
export type Family = 'builtin' | 'dom' | 'ours' | 'other';

export type ErrorClass = abstract new (...args: any[]) => Error;

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
const WASM = (globalThis as any).WebAssembly ?? {};
for (const name of ['CompileError', 'LinkError', 'RuntimeError']) {
  if (typeof WASM[name] === 'function') BUILTINS.set(WASM[name].prototype, `WebAssembly.${name}`);
}

// multiproc's classes, by prototype on the sending side and by name on the receiving side. On
// globalThis: the pool worker entry carries its own copy of this module (see scripts/bundle.mjs),
// and a class another package registers must be known to both.
const REGISTRY_KEY = Symbol.for('multiproc.errorClasses');
const { OURS, OURS_BY_NAME } = ((globalThis as any)[REGISTRY_KEY] ??= {
  OURS: new Map<object, string>(),
  OURS_BY_NAME: new Map<string, ErrorClass>(),
}) as { OURS: Map<object, string>; OURS_BY_NAME: Map<string, ErrorClass> };

/**
 * Makes the `ProcessError` classes among `values` travel as themselves, like the classes of
 * shared, ipc and core do (another multiproc package registers its own; other values are skipped).
 */
export function registerErrorClasses(values: Iterable<unknown>): void {
  for (const C of values) {
    if (
      typeof C === 'function' &&
      (C === shared.ProcessError || C.prototype instanceof shared.ProcessError)
    ) {
      OURS.set(C.prototype, C.prototype.name);
      OURS_BY_NAME.set(C.prototype.name, C as ErrorClass);
    }
  }
}
// Only the exports named `…Error` are read: reading any other (ipc's Manager, Listener, …) would
// load the code ipc keeps for first use (issue #18).
registerErrorClasses(
  Object.entries({ ...shared, ...ipc, ...errors })
    .filter(([name]) => name.endsWith('Error'))
    .map(([, value]) => value),
);

/** The family of `err`'s class, and its key there. */
export function classify(err: Error): { family: Family; className?: string } {
  if (typeof DOMException === 'function' && err instanceof DOMException) return { family: 'dom' };
  for (let proto = Object.getPrototypeOf(err); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const ours = OURS.get(proto);
    if (ours) return { family: 'ours', className: ours };
    const builtin = BUILTINS.get(proto);
    // A plain Error and a user class straight under Error are rebuilt alike, as an Error; a user
    // class under TypeError, say, is still a TypeError.
    if (builtin === 'Error') return { family: 'other' };
    if (builtin) return { family: 'builtin', className: builtin };
  }
  return { family: 'other' };
}

/** The built-in class named `className` (`TypeError`, `WebAssembly.LinkError`), else `Error`. */
export function builtinClass(className: string): ErrorClass {
  const [a, b] = className.split('.') as [string, string | undefined];
  const C = b ? (globalThis as any)[a]?.[b] : (globalThis as any)[a];
  return typeof C === 'function' ? C : Error;
}

/** This library's class registered under `name`, if any. */
export function ourClass(name: string): ErrorClass | undefined {
  return OURS_BY_NAME.get(name);
}
