/** How wait() reaches the handle of a Connection or queue without a public method for it. */
import type { Handle } from './handle.js';

/** Returns the handle; throws ClosedError when the object was closed. */
export const readyHandle: unique symbol = Symbol('multiproc.readyHandle');

export interface Waitable {
  [readyHandle](): Handle;
}
