/** The options of `new Listener(address, options)`. */

/** Options of `Listener` (Python: `Listener(address, family, backlog, authkey)`). */
export interface ListenerOptions {
  /**
   * The shared secret both sides must hold: each peer then proves it with an HMAC-SHA256
   * challenge/response, both ways, as Python does; a peer with another key (or none) is refused
   * with `AuthenticationError`. A string is taken as UTF-8.
   * @default none: no authentication (any local peer that can reach the address may connect)
   */
  authkey?: string | Uint8Array | null | undefined;
  /**
   * How many connections the system queues before `accept()` takes them. A `Client()` that finds
   * the queue full waits for room (on a Unix socket, as Python's does; over TCP, the system retries).
   * @default 511 (Node's default)
   */
  backlog?: number | null | undefined;
}
