/**
 * An error held inside a value that travels apart from any error record (a plain object in a field
 * of a manager method's error, which ipc sends as a value), kept as a pool task's thrown error is:
 * each part the codec cannot send stands in as the `SerializationError` naming it, and the rest of
 * the error (its class, message, stack, `code`, other fields and cause) stays. It is written as a
 * thrown error's record (error-record.ts, the one implementation of which parts are kept) and
 * rebuilt here, so it can then be sent as a value. Only on a send that failed: costs nothing else.
 */
import { fromErrorRecord, toErrorRecord } from './error-record.js';

/**
 * `err` (at `path`, for the stand-ins' names: `error.cause.inner`) with its unsendable parts
 * standing in, ready to be sent as a value (see the module's comment).
 * @internal
 */
export function keptError(err: Error, path: string): Error {
  return fromErrorRecord(toErrorRecord(err, 0, path, 'process', false));
}
