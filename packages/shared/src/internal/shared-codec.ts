/** Helpers every shared-memory class uses in its `[encodeSymbol]`. */
import type { EncodeContext } from '../codec.js';
import { ContextError } from '../errors.js';

/**
 * Shared memory cannot cross a process boundary: fail fast, naming the argument and the fix.
 * @throws {ContextError} when `ctx.target` is `'process'`.
 */
export function assertThreadTarget(ctx: EncodeContext, className: string): void {
  if (ctx.target === 'process') {
    // The process-safe counterpart: a manager proxy from the 'process' context (a Pipe for bytes).
    const factory = className === 'SharedArray' ? 'Array' : className;
    const instead =
      className === 'ByteChannel'
        ? 'a Pipe (sendBytes/recvBytes), which works across processes'
        : `getContext('process').${factory}() or a Manager's ${factory}(), whose proxies work across processes`;
    throw new ContextError(
      `Cannot send ${ctx.path} (a ${className}) to a child process: it lives in shared memory, which only ` +
        `threads of one process can share. Use the 'thread' context, or ${instead}.`,
    );
  }
}
