/**
 * Which class an error travels as, by the real identity of its class, never by `name` alone
 * (see error-record.ts). The tables are `@multiproc/shared`'s (error-classes.ts), which ipc's
 * manager replies use too; each package registers its classes there where it defines them. This
 * module keeps the classes of this copy of core (and of the shared and ipc it imports), so that
 * what it decodes is rebuilt as those ({@link decodeOwn}) whatever other copy loaded later, and
 * names the shared helpers the way the error codec reads them.
 */
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import * as errors from '../errors.js';

/** Which table an error's class was found in. */
export type Family = shared.ErrorFamily;

/**
 * Makes the `ProcessError` classes among `values` travel as themselves, like the classes of
 * shared, ipc and core do (another multiproc package registers its own; other values are skipped).
 */
export const registerErrorClasses: (values: Iterable<unknown>) => shared.ErrorClassTable =
  shared.registerErrorClasses;
const OWN: shared.ErrorClassTable = registerErrorClasses(errorExports([shared, ipc, errors]));

/**
 * The values of the exports named `…Error` of each module namespace, in order, read by name alone:
 * spreading the namespaces read every export of all three (a worker's entry bundles core's whole
 * index as `errors`), ~0.45 ms of every pool and `Process` worker's start against ~0.25 (issue
 * #18); reading any other (ipc's Manager, Listener, …) would load the code ipc keeps for first use.
 * @example
 * errorExports([{ TimeoutError, Queue }]); // [TimeoutError]: Queue is never read
 */
export function errorExports(namespaces: readonly object[]): unknown[] {
  const found: unknown[] = [];
  for (const namespace of namespaces) {
    for (const name of Object.keys(namespace)) {
      if (name.endsWith('Error')) found.push((namespace as Record<string, unknown>)[name]);
    }
  }
  return found;
}

/**
 * Runs `decode` (synchronous) rebuilding errors of ours as this copy's classes, those its callers
 * import, not as another copy's that registered the same names later.
 * @example
 * const value = decodeOwn(() => decodeValue(encoded, 'thread'));
 */
export function decodeOwn<T>(decode: () => T): T {
  return shared.withOwnErrorClasses(OWN, decode);
}

/** The family of `err`'s class, and its key there. */
export const classify = shared.classifyError;

/** The built-in class named `className` (`TypeError`, `WebAssembly.LinkError`), else `Error`. */
export const builtinClass = shared.builtinErrorClass;

/** This library's class registered under `name`, if any. */
export const ourClass = shared.ourErrorClass;
