/**
 * Reading the parts of a thrown error for its record (`error-record.ts`): a part whose getter (or
 * Proxy trap) throws stands in for itself alone, and the rest of the error still reaches its caller.
 */
import { classifyError } from '../error-classes.js';
import { SerializationError } from '../errors.js';
import { classNameOf, readErrText, unreadableMessage } from './describe-thrown.js';

/**
 * How an unreadable part is met: `false` for a thrown error, which must reach its caller (the part
 * stands in for itself alone); for an error sent as a value, its path (`value`, `result.cause`): a
 * part that cannot be read fails the send with a `SerializationError` naming it (see
 * {@link unreadableValuePart}), as a getter that throws in any other value does.
 */
export type RefuseAt = false | string;

export { readErrText, unreadableStack } from './describe-thrown.js';

/** The packed stand-ins of unreadable parts: already packed, not packed again. */
const unreadableParts = new WeakSet<object>();

/** Marks `part` as the packed stand-in of a part that could not be read; returns it. */
export function markUnreadable<T extends object>(part: T): T {
  unreadableParts.add(part);
  return part;
}

/** Whether `value` is a stand-in {@link markUnreadable} marked. */
export function isUnreadable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && unreadableParts.has(value);
}

/**
 * Reads `err[key]`. A getter (or Proxy trap) that throws: an error sent as a value (`refuseAt` its
 * path) fails the send with a `SerializationError` naming `<refuseAt>.<key>`; a thrown error, which
 * must reach its caller, keeps everything else and gets, for that part alone, `unreadable(readErr)`
 * (a `SerializationError` naming the part, or a note in place of the stack), as a part the codec
 * cannot send does.
 */
export function readPart(
  err: Error,
  key: string,
  refuseAt: RefuseAt,
  unreadable: (readErr: unknown) => unknown,
): unknown {
  try {
    return (err as any)[key];
  } catch (readErr) {
    if (refuseAt !== false) throw unreadableValuePart(`${refuseAt}.${key}`, readErr);
    return unreadable(readErr);
  }
}

/**
 * The `SerializationError` that refuses an error sent as a value (put on a queue, sent on a
 * connection, a task's result or argument, a manager's value) one of whose parts threw when read
 * at `path`; `readErr`, what it threw, is its cause. As the structured-clone algorithm refuses it,
 * and a getter that throws in any other value (`unsendable.ts`'s `unreadable`).
 */
export function unreadableValuePart(path: string, readErr: unknown): SerializationError {
  return new SerializationError(
    path,
    `Cannot send ${path}: reading it threw ${readErrText(readErr)}. An error sent as a value travels ` +
      'with its name, message, stack, cause and own fields, and a getter or Proxy that throws cannot ' +
      'be copied: give the error plain fields, or send a new Error made of the parts that can be read.',
    { cause: readErr },
  );
}

/** A `SerializationError` saying that reading `path` threw `readErr` (its cause). */
export function unreadablePartError(path: string, readErr: unknown, sending = ''): SerializationError {
  return new SerializationError(
    path,
    `Cannot send ${path} back to the caller: reading it threw ${readErrText(readErr)}${sending}; give ` +
      'errors plain fields (no getter or Proxy that throws).',
    { cause: readErr instanceof Error ? readErr : readErrText(readErr) },
  );
}

/**
 * The `name` and `message` of a thrown error as far as they can be read (see {@link readPart}): a
 * `name` getter that throws gives the class's name ({@link classNameOf}), a `message` one a text
 * saying it could not be read and why; `readErr` is what the first of them threw (message first),
 * which becomes the error's cause when it has none of its own.
 */
export function readHead(
  err: Error,
  refuseAt: RefuseAt,
): { name: unknown; message: unknown; readErr?: { value: unknown } } {
  let readErr: { value: unknown } | undefined;
  const message = readPart(err, 'message', refuseAt, (value) => {
    readErr = { value };
    return unreadableMessage(value);
  });
  const name = readPart(err, 'name', refuseAt, (value) => {
    readErr ??= { value };
    return classNameOf(err);
  });
  return readErr ? { name, message, readErr } : { name, message };
}

/**
 * The own enumerable keys of a thrown error, for its fields. A key list that cannot be read (a
 * Proxy whose `ownKeys` trap throws): none, the standard parts (name, message, stack, `code`,
 * cause) still sent, and `note` a line for its stack saying why its fields are missing.
 */
export function ownKeysOf(err: Error, refuseAt: RefuseAt): { keys: string[]; note?: string } {
  try {
    return { keys: Object.keys(err) };
  } catch (readErr) {
    if (refuseAt !== false) throw unreadableValuePart(refuseAt, readErr);
    return {
      keys: [],
      note: `    (its own fields could not be listed: reading them threw ${readErrText(readErr)})`,
    };
  }
}

/** Whether `err` has a `cause` (a `has` trap that throws: read it, as one that may be there). */
export function hasCause(err: Error): boolean {
  try {
    return 'cause' in err;
  } catch {
    return true;
  }
}

/** The class of `err` (classifyError), or `'other'` where its prototype chain cannot be read. */
export function classOf(err: Error, refuseAt: RefuseAt): ReturnType<typeof classifyError> {
  try {
    return classifyError(err);
  } catch (readErr) {
    if (refuseAt !== false) throw unreadableValuePart(refuseAt, readErr);
    return { family: 'other' };
  }
}
