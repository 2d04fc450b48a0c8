/**
 * Turning an authenticated socket into a {@link Connection}, on both sides, on the ipc protocol:
 * the listener makes a pipe whose home is here and reserves its second end for a copy, the client
 * builds that copy over the same socket (it says hello with the reservation token, as a copy in a
 * child process does to its home's broker). From then on the socket carries ipc frames only.
 */
import type net from 'node:net';
import { type EncodeContext, ValidationError } from '@multiproc/shared';
import { type Connection, createConnection } from '../../connection.js';
import { broker } from '../runtime/broker.js';
import { HomeHandle } from '../runtime/home-handle.js';
import { RemoteHandle } from '../runtime/remote-handle.js';
import { feedChunk, onreadInto } from './feed.js';
import {
  clientHandshake,
  type Endpoint,
  type Feed,
  MANAGER_HELLO,
  type ManagerHello,
  parseManagerHello,
  serverHandshake,
} from './handshake.js';
import { limitHandshake, timedOut } from './handshake-limit.js';
import { READ_BUFFER_BYTES } from './open-socket.js';
import { checkSocketPath } from './socket-path.js';

export { openSocket } from './open-socket.js';

/** Where a Listener listens: a Unix socket path (a named pipe on Windows), or `[host, port]`. */
export type Address = string | readonly [host: string, port: number];

/** `{ path }` or `{ host, port }` for node:net, from an Address; ValidationError for anything else. */
export function netAddress(
  address: unknown,
  where: string,
): { path: string } | { host: string; port: number } {
  if (typeof address === 'string' && address.startsWith('\\\\') && process.platform !== 'win32') {
    // Python's address_type(): a string starting with two backslashes is family 'AF_PIPE'.
    throw new ValidationError(
      `${where}: ${JSON.stringify(address)} is a Windows named-pipe address (Python's family 'AF_PIPE'), ` +
        `which is not available on ${process.platform}: use a Unix socket path or [host, port].`,
    );
  }
  if (typeof address === 'string' && address.length > 0) {
    checkSocketPath(address, where);
    return { path: address };
  }
  if (Array.isArray(address) && address.length === 2) {
    const [host, port] = address as [unknown, unknown];
    if (
      typeof host === 'string' &&
      Number.isInteger(port) &&
      (port as number) >= 0 &&
      (port as number) < 65536
    ) {
      // Bound synchronously (a name would be looked up first), so `address` answers at once.
      return { host: host === 'localhost' ? '127.0.0.1' : host, port: port as number };
    }
  }
  // An object where the address goes is most likely the options, given first: name the fix, and
  // show its keys only (its values may hold the authkey).
  const optionsFirst = address !== null && typeof address === 'object' && !Array.isArray(address);
  const got = optionsFirst
    ? `an object with the keys ${Object.keys(address).join(', ') || '(none)'}`
    : JSON.stringify(address);
  const fix = optionsFirst && OPTIONS_SECOND[where] ? ` Options come second: ${OPTIONS_SECOND[where]}.` : '';
  throw new ValidationError(
    `${where}: address must be a Unix socket path (a non-empty string) or [host, port] with a port ` +
      `from 0 to 65535, got ${got}.${fix}`,
  );
}

/** How to pass options without an address, for the calls that take the address first. */
const OPTIONS_SECOND: Record<string, string> = {
  'new Listener()':
    'write new Listener(undefined, { authkey }) to listen on a new Unix socket path in the temp ' +
    "directory (Python's Listener(authkey=...))",
  'Client()': 'write Client(listener.address, { authkey })',
};

/**
 * Refuses Python's `family` argument given where the options go (`new Listener(path, 'AF_UNIX')`):
 * the family follows from the address, as Python infers it when none is given.
 * @throws {ValidationError} for a string `'AF_…'`, saying to drop it.
 */
export function refuseFamily(options: unknown, where: string, write: string): void {
  if (typeof options !== 'string' || !options.startsWith('AF_')) return;
  throw new ValidationError(
    `${where}: ${JSON.stringify(options)} is Python's family argument, which is not taken: the family ` +
      "follows from the address, as Python infers it when none is given (a path: 'AF_UNIX'; [host, " +
      `port]: 'AF_INET'). Drop it: write ${write}.`,
  );
}

// The buffer every socket a manager accepted reads into: a chunk is used up before the next read.
let acceptedBuffer: Buffer | null = null;

/**
 * A listener's accepted socket, paused and not read yet, made to read as {@link openSocket}'s
 * with a `feed`: a new `net.Socket` over the same handle with `onread` (what `net.Server` does
 * for each connection, which offers no `onread` itself), into one buffer shared by all of them.
 * The old object is retired without closing the handle. Saves the stream layer and a buffer per
 * read on a manager's side of every call.
 */
export function readingInto(socket: net.Socket, feed: Feed): net.Socket {
  // Bun has no `onread` for a socket made over another's handle: the new one never read, and every
  // call of a manager served there waited for ever. Its chunks come from 'data' events there.
  if (isBun()) {
    socket.on('data', (chunk: Buffer) => feedChunk(feed, chunk));
    socket.pause(); // as below: read once the handshake has set feed.sink
    return socket;
  }
  const old = socket as unknown as { _handle?: object | null };
  const handle = old._handle;
  if (!handle) return socket; // closed already: the handshake fails on it
  old._handle = null;
  socket.destroy(); // no handle: only its 'close' (a server's count of connections)
  acceptedBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const options = { handle, readable: true, writable: true, onread: onreadInto(acceptedBuffer, feed) };
  const s = new (process.getBuiltinModule('node:net').Socket)(options as net.SocketConstructorOpts);
  s.pause();
  return s;
}

/** Bun, which runs Node programs (Deno, which does too, reads a re-wrapped handle as Node does). */
function isBun(): boolean {
  return (process.versions as Record<string, string | undefined>).bun !== undefined;
}

/**
 * The tokens of pipe ends this thread's listeners handed to peers still connected: a `Client` of
 * this very thread that claims one has its home here (see `RemoteOptions.homeHere`).
 */
const homedHere = new Map<string, HomeHandle>();

/**
 * How long an accepted connection keeps its program alive waiting for the client's copy to say
 * hello, so what is sent before it is delivered (a client that never does is given up then).
 */
const HELLO_HOLD_MS = 10_000;

/**
 * Listener side of an accepted socket: authenticates it, then returns the home end of a new pipe
 * whose other end the peer holds. `passive`: waits on it never keep this program alive.
 */
export async function acceptSocket(
  socket: net.Socket,
  key: Buffer | null,
  passive: boolean,
): Promise<Connection> {
  const [home, remote] = HomeHandle.pipe(true, passive);
  if (!passive) home.deliverAtExit();
  let release: (() => void) | null = null;
  let claimedHere = '';
  limitHandshake(socket, 'client');
  try {
    await serverHandshake(socket, key, () => {
      const ctx: EncodeContext = {
        target: 'process',
        path: 'connection',
        transfer: () => {},
        onReceiverEnd: (cb) => {
          release = cb;
        },
      };
      // `path`: the broker a copy of the client's end, made for the client's workers, dials.
      const { path, id, end, token } = remote.encode(ctx);
      claimedHere = token!;
      homedHere.set(claimedHere, home);
      return { path, id, end, token: token! };
    });
  } catch (err) {
    (release as (() => void) | null)?.();
    homedHere.delete(claimedHere);
    void home.close();
    void remote.close();
    socket.destroy();
    throw timedOut(socket) ?? err;
  }
  socket.setTimeout(0);
  // A peer that drops before it claimed its end must not leave this end waiting for it.
  socket.once('close', () => {
    (release as (() => void) | null)?.();
    homedHere.delete(claimedHere);
  });
  void remote.close(); // only the peer's copy writes to this end now
  broker().adopt(socket, HELLO_HOLD_MS);
  socket.resume();
  return createConnection(home, true, true);
}

/** Client side of a connected socket: authenticates, then returns the copy of the listener's pipe end. */
export async function connectSocket(socket: net.Socket, key: Buffer | null): Promise<Connection> {
  // The listener speaks first, once it accepts: until then this client waits, however long, as
  // Python's does (the listener closing, or its program ending, ends the wait with EOFError).
  // From its first byte on, the handshake must not stall.
  socket.once('data', () => limitHandshake(socket, 'listener'));
  let endpoint: Endpoint;
  try {
    endpoint = await clientHandshake(socket, key, undefined, null, 'listener');
  } catch (err) {
    socket.destroy();
    throw timedOut(socket) ?? err;
  }
  socket.setTimeout(0);
  const home = homedHere.get(endpoint.token);
  const homeHere = home !== undefined;
  // Its home cannot wait at exit for this copy to take what it sent: both end with this thread.
  home?.deliverAtExit(false);
  const handle = new RemoteHandle(
    {
      path: endpoint.path ?? '',
      id: endpoint.id,
      end: endpoint.end,
      token: endpoint.token,
      viaClient: true,
    },
    { maxsize: 0, acked: false, eager: true, socket, homeHere },
  );
  socket.resume();
  return createConnection(handle, true, true);
}

/**
 * A manager's side of an accepted socket (made by {@link readingInto} with `feed`): authenticates
 * it and resolves to it, paused, to carry manager frames (see manager/rpc.ts) from then on.
 * Destroys it on failure.
 */
export async function acceptManagerSocket(
  socket: net.Socket,
  key: Buffer | null,
  feed: Feed,
  hello: ManagerHello = MANAGER_HELLO,
): Promise<net.Socket> {
  limitHandshake(socket, 'proxy');
  try {
    await serverHandshake(socket, key, () => hello, feed);
  } catch (err) {
    socket.destroy();
    throw timedOut(socket) ?? err;
  }
  socket.setTimeout(0);
  return socket;
}

/**
 * A proxy's side of a socket connected to a manager (with the `feed` it was opened with):
 * authenticates, as {@link acceptManagerSocket}, and resolves to the manager's hello. Fails when
 * `server` is given and another instance answers (the manager was started again at the address).
 */
export async function connectManagerSocket(
  socket: net.Socket,
  key: Buffer | null,
  feed: Feed,
  server?: string,
): Promise<ManagerHello> {
  limitHandshake(socket, 'manager');
  let hello: ManagerHello;
  try {
    hello = await clientHandshake(socket, key, parseManagerHello, feed);
    if (server !== undefined && hello.server !== server) {
      throw new Error('Another manager serves at this address now: the one these proxies belong to ended.');
    }
  } catch (err) {
    socket.destroy();
    throw timedOut(socket) ?? err;
  }
  socket.setTimeout(0);
  return hello;
}

/** The address of the peer of an accepted socket: the listener's Unix path, or the TCP `[host, port]`. */
export function peerAddress(s: net.Socket, path: string | null): Address | null {
  if (path !== null) return path;
  return s.remoteAddress && s.remotePort !== undefined ? [s.remoteAddress, s.remotePort] : null;
}
