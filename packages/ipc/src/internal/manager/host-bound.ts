/**
 * A manager itself cannot travel: it serves from the program that made it, and structured clone
 * would copy none of it (a task got `{}`, and `m.dict is not a function` later). Sending one is
 * refused at the send, naming the path, as Python refuses to pickle a manager; its proxies travel.
 */
import { type EncodeContext, encodeSymbol, SerializationError } from '@multiproc/shared';
import { BaseManager } from '../../manager/base-manager.js';

Object.defineProperty(BaseManager.prototype, encodeSymbol, {
  value(ctx: EncodeContext): never {
    throw new SerializationError(
      ctx.path,
      `Cannot send ${ctx.path}: it is a manager, which serves from the program that made it. Send ` +
        `its proxies (manager.dict(), manager.Lock(), ...), which work in any worker, or its address ` +
        `for a BaseManager there to connect() to.`,
    );
  },
  configurable: true,
  writable: true,
});
