/**
 * Worker side of `sendToCaller()`: one send, with the outcome its docs promise. A value the
 * channel refuses throws `SerializationError` naming the bad part (`message.cb`), the same in both
 * contexts (a thread's `postMessage` throws `DataCloneError`, a child's `process.send` a plain
 * `Error`). A message handed to the channel counts as sent: `process.send()` returns `false` when
 * its pipe is backed up, yet the message is queued and delivered, so that is not passed on.
 */
import { encodeValue, SerializationError } from '@multiproc/shared';

/** The name a `sendToCaller()` value goes by in error paths. */
const ROOT = 'message';

/**
 * Sends `value` with `post`. Returns `false` only when nothing could be sent (a child whose
 * channel to the pool is gone).
 * @throws {SerializationError} with the path of the part of `value` that cannot be sent.
 */
export function sendChecked(value: unknown, post: () => unknown, connected = true): boolean {
  if (!connected) return false;
  try {
    post();
  } catch (error) {
    throw unsendableMessage(value, error);
  }
  return true;
}

/** The error for a value the channel refused: the path of its bad part when a walk can find it. */
function unsendableMessage(value: unknown, cause: unknown): SerializationError {
  try {
    encodeValue(value, typeof process.send === 'function' ? 'process' : 'thread', ROOT);
  } catch (error) {
    if (error instanceof SerializationError) return error;
  }
  const reason = cause instanceof Error ? cause.message.replace(/\.+$/, '') : String(cause);
  return new SerializationError(
    ROOT,
    `Cannot send ${ROOT}: ${reason}. sendToCaller() takes structured-cloneable values: send plain data.`,
    { cause },
  );
}
