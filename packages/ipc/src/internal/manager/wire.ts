/**
 * What travels between a proxy and its manager over one socket per thread and manager (framed
 * as rpc.ts says): requests `[objectId, method, args]` (object 0 is the manager itself), answers
 * a value or an ErrorRecord (error-wire.ts, rebuilt by error-rebuild.ts).
 */
import { resolveTimeout, ValidationError } from '@multiproc/shared';
import type { Address } from '../net/endpoint.js';
import type { WireTimeout } from './wait-list.js';

export { fromRecord, withCallerStack } from './error-rebuild.js';
export { type ErrorRecord, leanerRecord, type Nested, toRecord } from './error-wire.js';

export type Request = [id: number, method: string, args: unknown[]];

/** Where a proxy's own id lives, so an argument that is a proxy of this server means its object. */
export const proxyRef: unique symbol = Symbol('multiproc.proxyRef');

/** How a proxy finds its object: the manager's address and key, the object's id and type. */
export interface ProxyRef {
  readonly address: Address;
  readonly authkey: string; // hex
  readonly id: number;
  readonly typeid: string;
  /** The server instance that made it (a manager started again at the address is another). */
  readonly server?: string | undefined;
  /** A Barrier's default wait in ms (its proxies' waits without a timeout are bounded by it). */
  readonly timeout?: number | undefined;
  /** A Barrier's parties (fixed at creation). */
  readonly parties?: number | undefined;
  /** An Array's length (fixed at creation). */
  readonly length?: number | undefined;
  /** A Value's or Array's typecode. */
  readonly typecode?: string | undefined;
  /** A registered type's `exposed` methods (`register(typeid, factory, { exposed })`): only those. */
  readonly exposed?: readonly string[] | undefined;
  /** Registered with `BaseManager.register()`: an AutoProxy, whatever the typeid. */
  readonly auto?: boolean | undefined;
  /**
   * Its factory gave an object served already (one id per object, as Python's `id(obj)`): the new
   * proxy takes up a pin as a sent copy does, so a release of an older one in flight cannot free it.
   */
  readonly again?: boolean | undefined;
  /** A synchronized Value or Array (`getContext('process').Value()`): the lock every copy shares. */
  readonly lock?: ProxyRef | undefined;
  /** A Condition's lock (the one given to `Condition(lock)`, or the RLock made for it). */
  readonly over?: ProxyRef | undefined;
}

/** A registered type's method not in its `exposed` list (Python: `AttributeError`, "not in exposed"). */
export function notExposed(method: string, exposed: readonly string[]): ValidationError {
  return new ValidationError(
    `Method '${method}' is not exposed by this managed object (exposed: ${exposed.join(', ') || 'none'}). ` +
      "Add it to register(typeid, factory, { exposed }) to call it (Python's exposed=).",
  );
}

/**
 * A proxy method's timeout argument as ms on the wire (-1: no limit). `block`: `{ block: false }`
 * is accepted (a timeout given with it is ignored, as by Python's `multiprocessing` locks and queues).
 */
export function wireTimeout(arg: unknown, method: string, block = false): WireTimeout {
  const { timeoutMs } = resolveTimeout(arg, method, { block });
  return timeoutMs === Number.POSITIVE_INFINITY ? -1 : timeoutMs;
}

/**
 * `call()`, or a rejection with what it threw: a proxy method's own promise, not an async
 * function's (which settles two microtasks later, after a call made after it).
 */
export function callOrReject<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (err) {
    return Promise.reject(err);
  }
}
