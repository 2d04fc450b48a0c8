/**
 * Objects that only work in the thread that made them (a `Pool`, a `Process`, a pool call's
 * `AsyncResult` or `imap` iterator, a `Process`'s sentinel), and a context object (its members are
 * functions: without this, the first one found was named, with advice about task references). Structured clone
 * would copy their few own fields, and the task would get a plain object (`p.map is not a
 * function`). They refuse to travel instead, naming the path, as Python refuses to pickle a pool.
 */
import { type EncodeContext, encodeSymbol, SerializationError } from '@multiproc/shared';

/** What each such class is, and what to send instead. */
const REFUSALS = {
  Pool: [
    'a Pool, whose workers belong to the thread that made it (Python cannot pickle a pool either)',
    'Create a Pool inside the task (pools nest), or send the data the task needs.',
  ],
  Process: [
    'a Process, which only the thread that made it can start, join or stop',
    'Send what the task needs (its pid or name), or share an Event or a Queue with both.',
  ],
  AsyncResult: [
    "an AsyncResult, which only the thread that made the call can wait for (Python's cannot be pickled either)",
    'Await it here and send its value, or have the task put its result on a Queue both share.',
  ],
  ImapIterator: [
    'an imap() iterator, which only the thread that made the call can read',
    'Read it here and send the values, or pass the task a Queue both share.',
  ],
  ProcessSentinel: [
    "a Process's sentinel, which only the thread that started the Process can wait on",
    'Share an Event (set by the Process before it ends) or a Queue with the task instead.',
  ],
  Context: [
    'a context object (getContext()): the classes and functions of this library, which cannot be copied',
    "Send its name (ctx.name: 'thread' or 'process') and call getContext(name) in the task.",
  ],
} as const;

/**
 * Makes instances of `proto` refuse every send (task or process arguments, a queue, a result)
 * with a `SerializationError` naming their path, what they are and what to send instead.
 */
export function refuseToSend(proto: object, kind: keyof typeof REFUSALS): void {
  const [what, advice] = REFUSALS[kind];
  Object.defineProperty(proto, encodeSymbol, {
    value(ctx: EncodeContext): never {
      throw new SerializationError(ctx.path, `Cannot send ${ctx.path}: it is ${what}. ${advice}`);
    },
    configurable: true,
    writable: true,
  });
}
