/**
 * How a child process sends its batch's progress to the host (`reporter.ts`): a message it waits
 * for the pipe to take, one sent as it exits (the channel made blocking first), and the reply a
 * call gets when its result passed the codec but not the clone.
 */
import type { CallReply, MapReply, ProgressMessage } from '../internal/batch.js';
import { RESULT_ADVICE, refusedAt } from '../internal/clone-refusal.js';
import { toErrorRecord } from '../internal/error-record.js';

/** Lets the event loop read what waits in the IPC channel (see `ProcessReporter.initEnded`). */
export async function readChannel(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/** A send's callback that has nothing to do (a channel that is gone fails it: nothing more to tell). */
export function ignore(): void {}

/** Sends a progress message and resolves once the pipe has it (or the channel is gone). */
export function send(message: ProgressMessage): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    if (!process.send) return resolve();
    try {
      process.send(message, undefined, undefined, done);
    } catch (err) {
      if (message.step !== 'done') return resolve();
      process.send({ ...message, reply: cloneFailure(err, message.reply) }, undefined, undefined, done);
    }
  });
}

/**
 * Sends a progress message without waiting: the process is exiting. The channel is made blocking
 * first: libuv writes what the pipe takes at once and queues the rest, which an exiting process
 * never writes (a 64 MB reply was cut off).
 */
export function sendNow(message: ProgressMessage): void {
  blockChannel();
  try {
    process.send?.(message);
  } catch {
    // the channel is gone: nothing more can be told
  }
}

/** Makes this child's IPC channel write synchronously (Node keeps its handle under a symbol only). */
function blockChannel(): void {
  const key = Object.getOwnPropertySymbols(process).find((s) => s.description === 'kChannelHandle');
  const handle = key && (process as unknown as Record<symbol, { setBlocking?(on: boolean): unknown }>)[key];
  try {
    handle?.setBlocking?.(true);
  } catch {
    // No such handle on this Node: the send stays asynchronous, as before.
  }
}

/**
 * The reply of a call whose result passed the codec but still could not be cloned (a Proxy in it),
 * named at the Proxy in a call's result (`result.x[0]`); the cause is a `DataCloneError` in both
 * contexts.
 */
export function cloneFailure(err: unknown, reply?: CallReply | MapReply): Extract<CallReply, { ok: false }> {
  const value = reply !== undefined && 'ok' in reply && reply.ok ? reply.value : undefined;
  const error = refusedAt(value, 'result', err, RESULT_ADVICE);
  return { ok: false, error: toErrorRecord(error) };
}
