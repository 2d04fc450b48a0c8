/**
 * Error records (`@multiproc/shared`'s error-record.ts: how an error crosses a worker boundary and
 * comes back as its class), as core uses them: what it rebuilds is of this copy's classes
 * (error-classes.ts), whatever other copy of the packages a program loaded after it.
 */
import * as shared from '@multiproc/shared';
import { forgetUnloadedRefModules } from '../task.js';
import { decodeOwn } from './error-classes.js';

export { ERRORS_AS_VALUES, type ErrorRecord, toErrorRecord } from '@multiproc/shared';
export { registerErrorClasses } from './error-classes.js';

/** shared's `fromErrorRecord`, rebuilding this copy's classes ({@link decodeOwn}). */
export const fromErrorRecord: typeof shared.fromErrorRecord = (record, source) =>
  decodeOwn(() => shared.fromErrorRecord(record, source));

/** shared's `thrownOrError`, rebuilding this copy's classes ({@link decodeOwn}). */
export const thrownOrError: typeof shared.thrownOrError = (record, source) =>
  decodeOwn(() => shared.thrownOrError(record, source));

/**
 * shared's `decodeValue`, rebuilding errors sent as values as this copy's classes ({@link decodeOwn}).
 * What it decodes is a task's arguments or a reply: the task references among them alone are the
 * ones a worker imports the modules of before the call (`importRefModules()` in load-task.ts).
 */
export const decodeValue: typeof shared.decodeValue = (value, source, loads) => {
  forgetUnloadedRefModules();
  return decodeOwn(() => shared.decodeValue(value, source, loads));
};
