/**
 * Client(): the connecting side of Listener/Client (listener.ts), which opens a connection to a
 * listening program, on one machine (a Unix socket) or across machines (TCP). Mirrors Python's
 * `multiprocessing.connection.Client`.
 */
import { readOptions, ValidationError } from '@multiproc/shared';
import type { Connection } from './connection.js';
import { tooManyArguments } from './internal/arity.js';
import { clientConnectError } from './internal/net/connect-error.js';
import {
  type Address,
  connectSocket,
  netAddress,
  openSocket,
  refuseFamily,
} from './internal/net/endpoint.js';
import { keyBytes } from './internal/net/handshake.js';
import type { Listener, ListenerOptions } from './listener.js';

const CLIENT_KEYS = ['authkey'];

/** Options of {@link Client}. */
export interface ClientOptions {
  /**
   * The secret the listener was given; see {@link ListenerOptions.authkey}.
   * @default none
   */
  authkey?: string | Uint8Array | null | undefined;
}

/**
 * Connects to a {@link Listener} and resolves to a {@link Connection}. Mirrors Python's
 * `multiprocessing.connection.Client(address, authkey=…)`. Without an `authkey` it resolves once
 * connected, before the listener's `accept()` (Python: the server's backlog holds it); what it
 * sends meanwhile is received after `accept()`. With an `authkey` it resolves once both sides
 * have authenticated each other, so it waits, however long, for the listener to `accept()`.
 * While a Unix socket listener's backlog is full (many clients at once, a small `backlog`), it
 * waits for room, as Python's blocking connect does, instead of failing with EAGAIN.
 * @param address - the listener's `address`: a Unix socket path or `[host, port]`.
 * @param options - `authkey`, the listener's secret.
 * @throws {AuthenticationError} when the keys differ, or one side has a key and the other none.
 * @throws {EOFError} when the listener closes the connection during the handshake (it was closed,
 *   or its program ended, before it accepted this client).
 * @throws {TimeoutError} when the listener, once it began the handshake, sends nothing for 20 s.
 * @throws {ValidationError} for a bad address (also a Windows named-pipe address, `\\.\pipe\name`,
 *   elsewhere than on Windows: Python's `AF_PIPE` family; a Unix socket path longer than the system
 *   binds, 107 bytes on Linux, 103 on macOS), an unknown option (`authKey`), or Python's family
 *   argument where the options go (`Client(address, 'AF_INET')`: the address tells the family).
 * @throws {ConnectError} when nobody listens there (`code` `'ENOENT'`: no socket file at the path;
 *   `'ECONNREFUSED'`: nothing accepts at the path or port), the host cannot be reached, or this
 *   side is out of file descriptors; `cause` is Node.js's error. Python: `ConnectionRefusedError`,
 *   `FileNotFoundError`.
 * @example
 * const listener = new Listener(undefined, { authkey: 'k' });
 * const accepted = listener.accept();
 * const conn = await Client(listener.address, { authkey: 'k' });
 * conn.send('hello');
 * console.log(await (await accepted).recv()); // 'hello'
 * listener.close();
 */
export async function Client(address: Address, options: ClientOptions | null = {}): Promise<Connection> {
  if (arguments.length > 2) throw tooManyArguments('Client', arguments.length);
  refuseFamily(options, 'Client()', 'Client(address, { authkey })');
  options = readOptions(options, CLIENT_KEYS, 'Client()');
  const target = netAddress(address, 'Client()');
  const key = keyBytes(checkKey(options.authkey, 'Client()'));
  const socket = await openSocket(target).catch((err: unknown) => {
    throw clientConnectError(err, address);
  });
  return connectSocket(socket, key);
}

/** `authkey` as given, checked. @throws {ValidationError} for another type. */
export function checkKey(key: unknown, where: string): string | Uint8Array | undefined {
  if (key === undefined || typeof key === 'string' || key instanceof Uint8Array) return key;
  throw new ValidationError(`${where}: authkey must be a string or a Uint8Array, got ${typeof key}.`);
}
