/**
 * The parts of a {@link Connection} that are not its calls: how it travels (its codec data), the
 * errors its checks raise, and what `recv()` says at the end.
 */
import { type EncodeContext, type Encoded, ProcessError } from '@multiproc/shared';
import { BrokenPipeError } from '../errors.js';
import type { BROKEN } from './protocol/item.js';
import { EOF } from './protocol/item.js';
import type { WaitHandle } from './ready.js';
import type { Handle, HandleData } from './runtime/handle.js';
import { RemoteHandle } from './runtime/remote-handle.js';
import { type Schema, schemaToData } from './schema.js';

export const CONNECTION_TYPE = 'multiproc.Connection';

export interface ConnectionData {
  h: HandleData;
  readable: boolean;
  writable: boolean;
  schema: unknown;
}

/** A connection's codec record: a copy of handle `h`'s endpoint for `ctx`. */
export function encodeConnection(
  h: Pick<Handle, 'encode'>,
  readable: boolean,
  writable: boolean,
  schema: Schema<unknown> | undefined,
  ctx: EncodeContext,
): Encoded {
  // First (encoding the handle reserves a copy); a send-only end checks nothing.
  const schemaData = readable ? schemaToData(schema, ctx.path) : undefined;
  const data: ConnectionData = { h: h.encode(ctx), readable, writable, schema: schemaData };
  return { type: CONNECTION_TYPE, data };
}

/** The handle of a received connection. */
export function remoteConnectionHandle(data: ConnectionData): Handle {
  return new RemoteHandle(data.h, { maxsize: 0, acked: false, eager: true });
}

/**
 * What `wait()` watches on a receiving end: handle `h`, or `refused` (recvBytes(maxlength) refused a
 * longer message, which stops the end receiving). Either makes it ready: Python's wait() reports the
 * fd, whose next recv raises. `checkRead` throws as a receive now would; wait() calls it once it woke,
 * unless the end was refused meanwhile (then it reports the end, and its next recv() throws).
 */
export function refusableHandle(
  h: Pick<Handle, 'ready' | 'onReady' | 'caughtUp'>,
  refused: Pick<Handle, 'ready' | 'onReady'>,
  checkRead: () => void,
): WaitHandle {
  return {
    ready: () => refused.ready() || h.ready(),
    onReady: (cb) => {
      const offs = [h.onReady(cb), refused.onReady(cb)];
      return () => {
        for (const off of offs) off();
      };
    },
    check: () => {
      if (!refused.ready()) checkRead();
    },
    caughtUp: () => h.caughtUp?.() ?? Promise.resolve(),
  };
}

/** A send that cannot arrive: the other end is closed everywhere (BROKEN), or the home is gone. */
export function brokenPipe(r: typeof BROKEN | typeof EOF): BrokenPipeError {
  return new BrokenPipeError(
    r === EOF
      ? 'Cannot send: the thread or process that owns this pipe has ended, so nothing could receive it.'
      : 'Cannot send: the other end of this pipe is closed everywhere (or every thread and process holding it ended), so nothing could receive it. Keep the other end open until the receiver is done.',
  );
}

/** Receiving on an end that does not: one that refused a long message, or a send-only end. */
export function notReadable(refusedLength: boolean): ProcessError {
  return new ProcessError(
    refusedLength
      ? 'This Connection no longer receives: recvBytes(maxlength) refused a longer message, which leaves it send-only (as in Python). Use a larger maxlength.'
      : 'This is the send-only end of a one-way Pipe: Pipe({ duplex: false }) returns [receiveEnd, sendEnd]; receive on the other one.',
  );
}

/** Sending on the receive-only end of a one-way pipe. */
export function notWritable(): ProcessError {
  return new ProcessError(
    'This is the receive-only end of a one-way Pipe: Pipe({ duplex: false }) returns [receiveEnd, sendEnd]; send on the other one.',
  );
}

/**
 * What `recv()` says at the end: nothing left, or (`lost`: Handle.homeLost) what was lost, or
 * (`stopped`: Handle.writerStopped) that a writer's last sends may be.
 */
export function endMessage(lost: boolean | number, stopped: boolean): string {
  const fix =
    'Create the pipe in the reading process and pass the sending end to the worker to keep what it sends.';
  if (lost === false && stopped)
    return (
      'The other end of the pipe was closed and nothing more came, but a worker writing to it was killed ' +
      'or terminated: what it sent in its last moments may be lost (bytes the operating system had not taken ' +
      "yet, with the pipe full, were still in the sending process's memory; a thread's sends of the turn it " +
      'was stopped in had not left it). Let the worker end by itself (return or process.exit()) to deliver ' +
      'everything it sent.'
    );
  if (lost === false)
    return 'The other end of the pipe was closed (or its process exited) and nothing is left.';
  if (lost === true)
    return (
      'The other end of the pipe was in a worker that ended without running its exit hooks (it was ' +
      `terminated, killed or crashed): what it had sent and this end had not received, if anything, is lost. ${fix}`
    );
  return (
    `${lost} message(s) the other end sent before its worker ended are lost: sendBytes() of 16 KiB or more ` +
    "is written from the sender's memory, and this end's connection was reset before it read them. " +
    fix
  );
}
