/**
 * Helpers every shared-memory class uses in its `[encodeSymbol]`, and the errors of the codec's
 * walk for what cannot go to a `'process'` target: each says where the value was going.
 */
import type { EncodeContext } from '../codec.js';
import { ContextError, SerializationError } from '../errors.js';
import { withArticle } from '../options.js';
import { isResult } from './unsendable.js';

// The process-safe counterpart's factory name (a RawArray's is Array, as a SharedArray's).
const FACTORY: Readonly<Record<string, string>> = {
  SharedArray: 'Array',
  RawArray: 'Array',
  RawValue: 'Value',
};

/**
 * Where a value encoded for a `'process'` target was going, in words: the sender's `destination`
 * (a queue, pipe or manager: what they carry can reach any process), a result going back, or a
 * child process (arguments).
 */
function whereTo(path: string, destination: string | undefined): string {
  return destination ?? (path.startsWith('result') ? 'back to the parent process' : 'to a child process');
}

/**
 * The error for shared memory on its way to another process: `ContextError` for an argument or a
 * value sent (the contract's "shared memory sent to a process"), `SerializationError` with the path
 * for a task's result (the contract's "a result the worker cannot send back").
 */
function sharedError(path: string, message: string): ContextError | SerializationError {
  return isResult(path) ? new SerializationError(path, message) : new ContextError(message);
}

/** What {@link assertThreadTarget} reads of an {@link EncodeContext}. @internal */
export interface SendContext {
  readonly target: EncodeContext['target'];
  readonly path: string;
  readonly destination?: EncodeContext['destination'] | undefined;
}

/**
 * Shared memory cannot cross a process boundary: fail fast, naming the argument and the fix.
 * @throws {ContextError} when `ctx.target` is `'process'` (`SerializationError` for a result).
 * @internal
 */
export function assertThreadTarget(ctx: SendContext, className: string): void {
  if (ctx.target !== 'process') return;
  const factory = FACTORY[className] ?? className;
  const other =
    className === 'ByteChannel'
      ? 'a Pipe (sendBytes/recvBytes), which works across processes'
      : `getContext('process').${factory}() or a Manager's ${factory}(), whose proxies work across processes`;
  const instead =
    ctx.destination === undefined
      ? `Use the 'thread' context, or ${other}.`
      : `Pass it to threads as an argument of a 'thread' Process or pool task instead, or use ${other}.`;
  throw sharedError(
    ctx.path,
    `Cannot send ${ctx.path} (${withArticle(className)}) ${whereTo(ctx.path, ctx.destination)}: it lives ` +
      `in shared memory, which only threads of one process can share. ${instead}`,
  );
}

/** A SharedArrayBuffer (or a view of one) met by the walk for a `'process'` target. */
export function sharedToProcess(
  path: string,
  destination: string | undefined,
): ContextError | SerializationError {
  return sharedError(
    path,
    `Cannot send ${path} ${whereTo(path, destination)}: it is backed by a SharedArrayBuffer, and shared ` +
      "memory cannot cross a process boundary. Use the 'thread' context; or, for a lock, value or other " +
      "primitive, getContext('process').Lock() (Value(), Event(), …) or a Manager, whose proxies work " +
      'across processes; or send plain values through a Queue or Pipe.',
  );
}

/** A MessagePort met by the walk for a `'process'` target. */
export function portToProcess(path: string, destination: string | undefined): SerializationError {
  return new SerializationError(
    path,
    `Cannot send ${path} ${whereTo(path, destination)}: a MessagePort only connects threads of one ` +
      'process. Pass a Pipe or Queue instead; they work across processes.',
  );
}
