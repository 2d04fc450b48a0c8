/**
 * Errors cross Redis as core's error records (`@multiproc/core/internal`), rebuilt by the real
 * identity of their class: the built-in classes, every class of shared, ipc and core, and this
 * package's, which are registered here. Any other error comes back as an `Error` with the task's
 * `name`, `message`, `stack` and own fields, as from the local pool.
 */
import { registerErrorClasses } from '@multiproc/core/internal';
import * as errors from '../errors.js';

registerErrorClasses(Object.values(errors));

export { type ErrorRecord, fromErrorRecord, thrownOrError, toErrorRecord } from '@multiproc/core/internal';
