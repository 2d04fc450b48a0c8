/**
 * The error classes of this copy of ipc (and of the shared it imports), so that what it decodes
 * (a pipe's or queue's values, a manager's replies) is rebuilt as the classes its callers import,
 * whatever other copy of the package registered the same names later: a realm can hold two copies
 * (a second install, a test importing the sources beside the build that core loads), and the
 * realm-wide table of @multiproc/shared (error-classes.ts) keeps the copy registered last. Core
 * keeps its own the same way (its internal/error-classes.ts).
 */
import * as shared from '@multiproc/shared';
import * as errors from '../errors.js';

const OWN: shared.ErrorClassTable = shared.registerErrorClasses(
  Object.entries({ ...shared, ...errors })
    .filter(([name]) => name.endsWith('Error'))
    .map(([, value]) => value),
);

/**
 * Runs `decode` (synchronous) rebuilding errors of ours as this copy's classes.
 * @example
 * const value = decodeOwn(() => decodeValue(encoded, 'process'));
 */
export function decodeOwn<T>(decode: () => T): T {
  return shared.withOwnErrorClasses(OWN, decode);
}

/** This copy's class of ours named `className`, else the realm's, else `undefined`. */
export function ownErrorClass(className: string): ReturnType<typeof shared.ourErrorClass> {
  return OWN.get(className) ?? shared.ourErrorClass(className);
}
