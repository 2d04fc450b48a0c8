/**
 * What a proxy whose object a connected manager is still creating calls instead of its connection
 * (proxy.ts, pendingProxy): each call waits for the reference, then goes to the connection with
 * the object's real id, in the order the calls were made.
 */
import type { ManagerClient } from './client.js';
import type { ProxyRef } from './wire.js';

/** The reference once the object exists, with the connection to call it over. */
export type Ready = Promise<{ client: ManagerClient; id: number; ref: ProxyRef }>;

export class DeferredCalls {
  readonly dead = false;
  readonly #ready: Ready;
  constructor(ready: Ready) {
    this.#ready = ready;
  }
  request(_id: number, method: string, args: unknown[], holds = false, wait?: number, tag?: number) {
    return this.#ready.then(({ client, id }) => client.request(id, method, args, holds, wait, tag));
  }
  write(_id: number, method: string, args: unknown[]): Promise<unknown> {
    return this.#ready.then(({ client, id }) => client.write(id, method, args));
  }
  dataCall(_id: number, method: string, args: unknown[]): Promise<unknown> {
    return this.#ready.then(({ client, id }) => client.dataCall(id, method, args));
  }
  release(_ref: ProxyRef, n = 1): Promise<unknown> {
    return this.#ready.then(({ client, ref }) => client.release(ref, n));
  }
}
