/**
 * Reading the parts of a thrown error for its record (`error-record.ts`): a part whose getter (or
 * Proxy trap) throws stands in for itself alone, and the rest of the error still reaches its caller.
 */
import { describeThrown } from './describe-thrown.js';

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

/** `Name: message` of an error, else what inspect() shows of the value. */
export function readErrText(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : describeThrown(e);
  } catch {
    return 'a value that cannot be read';
  }
}

/**
 * The stack of an error whose `stack` getter threw: `Name: message` and a line saying so (as Node
 * itself does for a worker's uncaught error since nodejs/node#26145: keep what can be read).
 */
export function unreadableStack(name: string, message: string, readErr: unknown): string {
  return `${name}: ${message}\n    (its stack could not be read: reading it threw ${readErrText(readErr)})`;
}

/**
 * Reads `err[key]`. A getter (or Proxy trap) that throws: an error sent as a value (`refuse`) fails
 * the send, as before; a thrown error, which must reach its caller, keeps everything else and gets,
 * for that part alone, `unreadable(readErr)` (a `SerializationError` naming the part, or a note in
 * place of the stack), as a part the codec cannot send does.
 */
export function readPart(
  err: Error,
  key: string,
  refuse: boolean,
  unreadable: (readErr: unknown) => unknown,
): unknown {
  if (refuse) return (err as any)[key];
  try {
    return (err as any)[key];
  } catch (readErr) {
    return unreadable(readErr);
  }
}
