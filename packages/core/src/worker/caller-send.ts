/**
 * Worker side of `sendToCaller()`: one send, with the outcome its docs promise. The value goes
 * through the value codec, as a task's result does: an error keeps its class and own fields
 * (`code`, `details`), a `URL` arrives as a `URL`, a library object (a `Queue`) is rebuilt. Plain
 * data is only scanned (no copy, no paths), and a primitive not even that.
 *
 * A value the codec or the channel refuses throws `SerializationError` naming the bad part
 * (`message.cb`), the same in both contexts (a thread's `postMessage` throws `DataCloneError`, a
 * child's `process.send` a plain `Error`, made a `DataCloneError` too). A message handed to the channel counts as sent:
 * `process.send()` returns `false` when its pipe is backed up, yet the message is queued and
 * delivered, so that is not passed on.
 */
import { encodeValue } from '@multiproc/shared';
import type { CallerMessage } from '../internal/batch.js';
import { refusedAt } from '../internal/clone-refusal.js';
import { ERRORS_AS_VALUES } from '../internal/error-record.js';
import { isForkedChild } from './child-guard.js';

/** The name a `sendToCaller()` value goes by in error paths. */
const ROOT = 'message';

const target = isForkedChild() ? 'process' : 'thread';

/**
 * Sends `value` to listener `listener` of the host with `post` (`from`: the sending thread's id).
 * A primitive goes as it is; anything else through the codec, errors as records, as results go.
 * Returns `false` only when nothing could be sent (a child whose channel to the pool is gone).
 * @throws {SerializationError} with the path of the part of `value` that cannot be sent.
 */
export function sendChecked(
  value: unknown,
  listener: number,
  post: (message: CallerMessage) => unknown,
  connected = true,
  from?: number,
): boolean {
  if (!connected) return false;
  const t = typeof value;
  let message: CallerMessage;
  if ((t !== 'object' && t !== 'function' && t !== 'symbol') || value === null) {
    message = { __multiproc_message__: listener, value, from };
  } else {
    const out = encodeValue(value, target, ROOT, ERRORS_AS_VALUES);
    message = out.encoded
      ? { __multiproc_message__: listener, value: out.value, encoded: true, from }
      : { __multiproc_message__: listener, value, from };
  }
  try {
    post(message);
  } catch (error) {
    // The codec let it through but the channel refused it (a Proxy, say).
    throw refusedAt(value, ROOT, error, 'sendToCaller() takes structured-cloneable values: send plain data.');
  }
  return true;
}
