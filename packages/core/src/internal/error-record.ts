/**
 * Error records (`@multiproc/shared`'s error-record.ts: how an error crosses a worker boundary and
 * comes back as its class), as core uses them: what it rebuilds is of this copy's classes
 * (error-classes.ts), whatever other copy of the packages a program loaded after it.
 */
import * as shared from '@multiproc/shared';
import { isMain } from '../identity.js';
import { forgetUnloadedRefModules } from '../task.js';
import { decodeOwn } from './error-classes.js';

export { ERRORS_AS_VALUES, type ErrorRecord, toErrorRecord } from '@multiproc/shared';
export { registerErrorClasses } from './error-classes.js';

/** shared's `fromErrorRecord`, rebuilding this copy's classes ({@link decodeOwn}). */
export const fromErrorRecord: typeof shared.fromErrorRecord = (record, source) =>
  decodeOwn(() => shared.fromErrorRecord(record, source));

/** shared's `thrownOrError`, rebuilding this copy's classes ({@link decodeOwn}). */
export const thrownOrError: typeof shared.thrownOrError = (record, source, loads) =>
  decodeOwn(() => shared.thrownOrError(record, source, loads));

/**
 * What a failed call rejects with ({@link thrownOrError}), and, in a worker, the import of the modules
 * of the task references in its fields (so they can be called, as a result's can; Python's unpickling
 * imports them): reject once it settled. It never rejects: the call fails with the task's error even
 * when a module cannot be imported (that reference says so when called). `undefined` when nothing
 * loads, and always in the program's main thread, which imports none (task.ts).
 */
export function errorLoaded(
  record: shared.ErrorRecord,
  source: shared.CodecTarget,
  loads: shared.PendingLoad[] | undefined = isMain() ? undefined : [],
): [error: unknown, loading: Promise<void> | undefined] {
  const error = thrownOrError(record, source, loads);
  return [error, loads && shared.loadPending(loads)?.catch(() => {})];
}

/**
 * shared's `decodeValue`, rebuilding errors sent as values as this copy's classes ({@link decodeOwn}).
 * What it decodes is a task's arguments or a reply: the task references among them alone are the
 * ones a worker imports the modules of before the call (`importRefModules()` in load-task.ts).
 */
export const decodeValue: typeof shared.decodeValue = (value, source, loads) => {
  forgetUnloadedRefModules();
  return decodeOwn(() => shared.decodeValue(value, source, loads));
};
