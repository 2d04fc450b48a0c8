/**
 * A `Listener` cannot travel: its server socket belongs to the thread that made it, and structured
 * clone would copy none of it (a task got `{}`, and `listener.accept is not a function` later).
 * Sending one is refused at the send, naming the path, as a manager's is; a `Connection` it
 * accepted travels.
 */
import { type EncodeContext, encodeSymbol, SerializationError } from '@multiproc/shared';
import { Listener } from '../../listener.js';

Object.defineProperty(Listener.prototype, encodeSymbol, {
  value(ctx: EncodeContext): never {
    throw new SerializationError(
      ctx.path,
      `Cannot send ${ctx.path}: it is a Listener, whose socket belongs to the thread that made it. ` +
        'Accept here and send the Connection accept() gives, or send its address for the task to ' +
        'connect to with Client(address), or make a Listener in the task.',
    );
  },
  configurable: true,
  writable: true,
});
