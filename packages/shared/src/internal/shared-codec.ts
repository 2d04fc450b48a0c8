/** Helpers every shared-memory class uses in its `[encodeSymbol]`. */
import type { EncodeContext } from '../codec.js';
import { ContextError } from '../errors.js';

/**
 * Shared memory cannot cross a process boundary: fail fast, naming the argument and the fix.
 * @throws {ContextError} when `ctx.target` is `'process'`.
 */
export function assertThreadTarget(ctx: EncodeContext, className: string): void {
  if (ctx.target === 'process') {
    throw new ContextError(
      `Cannot send ${ctx.path} (a ${className}) to a child process: it lives in shared memory, which only ` +
        `threads of one process can share. Use the 'thread' context, or send plain values through a Queue or Pipe.`,
    );
  }
}
