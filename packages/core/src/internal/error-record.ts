/**
 * Error records (`@multiproc/shared`'s error-record.ts: how an error crosses a worker boundary and
 * comes back as its class), as core uses them. Importing this module first registers core's and
 * ipc's error classes there (error-classes.ts), so they travel as themselves.
 */
import './error-classes.js';

export {
  ERRORS_AS_VALUES,
  type ErrorRecord,
  fromErrorRecord,
  thrownOrError,
  toErrorRecord,
} from '@multiproc/shared';
export { registerErrorClasses } from './error-classes.js';
