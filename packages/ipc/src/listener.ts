/**
 * Listener: the accepting side of connections between programs that did not start each other, on
 * one machine (a Unix socket) or across machines (TCP). Mirrors Python's
 * `multiprocessing.connection.Listener`; the connecting side, `Client()`, is in client.ts.
 */
import type net from 'node:net';
import { ClosedError, disposableInEveryRealm, readOptions, ValidationError } from '@multiproc/shared';
import { checkKey } from './client.js';
import type { Connection } from './connection.js';
import { tooManyArguments } from './internal/arity.js';
import {
  type Address,
  acceptManagerSocket,
  acceptSocket,
  netAddress,
  peerAddress,
  readingInto,
  refuseFamily,
} from './internal/net/endpoint.js';
import { type Feed, keyBytes, type ManagerHello } from './internal/net/handshake.js';
import { addressBeforeBind, givenTcpAddress } from './internal/net/listener-address.js';
import { type Incoming, ListenerIncoming } from './internal/net/listener-incoming.js';
import { bindErrorNow, makeSocketPrivate, newSocketPath } from './internal/net/socket-path.js';
import { removeSocketFile, removeSocketFileAtEnd } from './internal/runtime/socket-files.js';
import type { ListenerOptions } from './listener-options.js';

export type { Address } from './internal/net/endpoint.js';
export type { ListenerOptions } from './listener-options.js';

const LISTENER_KEYS = ['authkey', 'backlog'];

/**
 * Listens for {@link Client}s on a Unix socket path or a TCP `[host, port]`; `accept()` gives one
 * {@link Connection} per client, with `send`/`recv`/`sendBytes`/`poll`/`close`, usable with
 * `wait()`. Mirrors Python's `multiprocessing.connection.Listener`. `'localhost'` is bound as
 * `127.0.0.1`; port `0` picks a free port (read it from `await listener.ready()`).
 * @param address - where to listen. @default a new Unix socket path in the temp folder, its file
 *   made with mode 0600 (this user only; Python: a file in a 0700 folder). A path given keeps the
 *   mode the umask makes, as in Python.
 * @param options - `authkey` and `backlog`.
 * @throws {ValidationError} for a bad address (a named pipe, `\\.\pipe\name`, off Windows: Python's
 *   `AF_PIPE`; a Unix socket path longer than the system binds, 107 bytes on Linux, 103 on macOS:
 *   Python's `OSError: AF_UNIX path too long`) or options, naming an unknown option (`authKey` is
 *   refused, not taken as no key); Python's family (`'AF_UNIX'`) there: the address tells it.
 * @throws {ProcessError} without an address, when no temp folder can hold a socket (Python's
 *   `gettempdir()` order: `TMPDIR`, `TEMP`, `TMP`, `/tmp`, …) or the one chosen went away.
 * @example
 * const listener = new Listener(['localhost', 0], { authkey: 'secret password' });
 * const client = Client(await listener.ready(), { authkey: 'secret password' });
 * const conn = await listener.accept();
 * conn.send([2.25, null, 'junk']);
 * console.log(await (await client).recv()); // [ 2.25, null, 'junk' ]
 * listener.close();
 */
export class Listener implements AsyncDisposable {
  readonly #server: net.Server;
  readonly #key: Buffer | null;
  readonly #path: string | null;
  readonly #incoming: ListenerIncoming;
  readonly #served = new Set<net.Socket>();
  #closed = false;
  #serving = false;
  // Whether this listener bound its Unix path (then it removes the file at close()).
  #ownsPath = false;
  #lastAccepted: Address | null = null;
  // A TCP listener's [host, port] once bound, kept after close() (Python's `address` stays readable).
  #bound: readonly [host: string, port: number] | null = null;
  readonly #target: { path: string } | { host: string; port: number };
  readonly #given: readonly [host: string, port: number] | null; // answered before the bind
  readonly #listening: Promise<void>;
  #notBound: ((err: Error) => void) | null = null; // rejects ready() at a close() before the bind

  constructor(address?: Address | null, options: ListenerOptions | null = {}) {
    const where = 'new Listener()';
    if (arguments.length > 2) throw tooManyArguments('new Listener', arguments.length);
    refuseFamily(options, where, 'new Listener(address, { authkey, backlog })');
    options = readOptions(options, LISTENER_KEYS, where);
    const chosen = address ?? null;
    const target = netAddress(chosen ?? newSocketPath(`mp-listener-${process.pid}`), where);
    this.#target = target;
    const backlog = options.backlog ?? 511;
    if (!Number.isInteger(backlog) || backlog < 0) {
      throw new ValidationError(`${where}: backlog must be a non-negative integer, got ${backlog}.`);
    }
    this.#key = keyBytes(checkKey(options.authkey, where));
    this.#path = 'path' in target ? target.path : null;
    this.#given = givenTcpAddress(target);
    this.#server = process
      .getBuiltinModule('node:net')
      .createServer({ pauseOnConnect: true }, (s) => this.#accepted(s));
    this.#incoming = new ListenerIncoming(this.#server);
    this.#server.on('error', (err) => this.#incoming.fail(err));
    this.#listening = new Promise<void>((resolve, reject) => {
      this.#notBound = reject;
      this.#server.once('listening', () => {
        const a = this.#server.address();
        if (a && typeof a !== 'string') this.#bound = [a.address, a.port];
        if (this.#path !== null && !this.#closed) this.#ownsPath = removeSocketFileAtEnd(this.#path);
        resolve();
      });
      this.#server.once('error', reject);
    });
    this.#listening.catch(() => {});
    this.#server.listen({ ...target, backlog });
    if (chosen === null && this.#path !== null) makeSocketPrivate(this.#server, this.#path); // bound, 0600
    // Bound by this listener (not someone else's file): removed however the program ends, also in
    // this turn (a pipe binds at once, 'listening' comes a tick later, process.exit() may be first).
    if (this.#path !== null && this.#server.listening) this.#ownsPath = removeSocketFileAtEnd(this.#path);
    this.#server.unref(); // ref'd only while accept() waits
  }

  /**
   * Where this listener listens: its Unix socket path, or `[host, port]` with the port it got.
   * Python: `address`. A path, or an IP and a port other than 0, is answered at once (Python binds
   * in the constructor); still readable after `close()`, as in Python.
   * @throws {ProcessError} for `[host, 0]` or a host name not bound yet: `await listener.ready()`.
   * @throws {ClosedError} for such a listener closed before it was bound.
   * @throws {Error} Node's listen error (`EADDRINUSE`) once binding `[host, port]` failed.
   * @example
   * const listener = new Listener();
   * console.log(listener.address); // a socket path in the temp directory
   */
  get address(): Address {
    if (this.#path !== null) return this.#path;
    if (this.#bound !== null) return [this.#bound[0], this.#bound[1]];
    return addressBeforeBind(this.#given, this.#target, this.#closed, this.#incoming.error);
  }

  /**
   * Resolves to {@link address} once the listener is bound: needed before reading the port of a
   * TCP listener (`[host, 0]`), which the system picks asynchronously. A Unix path is known at once.
   * @throws {Error} Node's listen error (`EADDRINUSE`, `EACCES`).
   * @throws {ClosedError} when `close()` came before the listener was bound.
   * @example
   * const listener = new Listener(['127.0.0.1', 0]);
   * const [host, port] = await listener.ready();
   * listener.close();
   */
  ready(): Promise<Address> {
    if (arguments.length > 0) return Promise.reject(tooManyArguments('Listener.ready', arguments.length));
    return this.#listening.then(() => this.address);
  }

  /** The address of the peer of the last connection `accept()` returned. Python: `last_accepted`. */
  get lastAccepted(): Address | null {
    return this.#lastAccepted;
  }

  /**
   * Waits for the next client, authenticates it when an `authkey` is set, and resolves to its
   * {@link Connection}. Python: `accept()`. A pending accept keeps the program alive. Without an
   * authkey a client is connected before `accept()` takes it (its `Client()` resolves at once),
   * and what it sent meanwhile is received from the accepted connection, in order.
   * @throws {AuthenticationError} when that client's key differs, it has none, or fails the challenge;
   *   {@link TimeoutError}: silent 20 s mid-handshake; {@link EOFError}: it closed. Then accept() again.
   * @throws {ClosedError} after `close()` (also for an accept still waiting).
   * @throws {ValidationError} when given an argument: it takes no timeout (race it with a timer
   *   and `close()` the Listener to give up).
   */
  async accept(): Promise<Connection> {
    if (arguments.length > 0) throw tooManyArguments('Listener.accept', arguments.length);
    const { socket, peer, opened } = await this.#nextSocket();
    const conn = await (opened ?? acceptSocket(socket, this.#key, false));
    this.#lastAccepted = peer;
    return conn;
  }

  /**
   * Stops listening; connections already accepted stay open. Python: `close()`. A client not yet
   * accepted is disconnected: its `recv()` rejects with `EOFError`, or, with an authkey, its
   * pending `Client()` rejects with `EOFError` saying the listener closed.
   */
  close(): void {
    if (arguments.length > 0) throw tooManyArguments('Listener.close', arguments.length);
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    this.#notBound?.(new ClosedError('The Listener was closed before it was bound.'));
    for (const { socket, opened } of this.#incoming.takeKept()) {
      socket.destroy();
      void opened?.then(
        (c) => c.close(),
        () => {},
      );
    }
    for (const s of this.#served) s.destroy();
    this.#incoming.rejectWaiting(() => new ClosedError('The Listener was closed while accept() waited.'));
    // Only the file this listener bound (registered once bound): a bind that failed
    // (EADDRINUSE) leaves whatever is at the path, another listener's socket or a user's file.
    if (this.#path !== null && this.#ownsPath) removeSocketFile(this.#path);
  }

  /**
   * `using listener = new Listener(…)` closes it at the end of the block, as Python's
   * `with Listener(...) as listener:`. `close()` is synchronous, so `await using` is not needed.
   * @example
   * {
   *   using listener = new Listener();
   *   console.log(listener.address);
   * } // closed here
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using listener = new Listener(…)` closes it at the end of the block, as `using` does. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** @internal `address`, a Unix path bound at once (a pipe binds synchronously): else closes, throws why. */
  boundAddress(): Address {
    const failed = this.#path === null || this.#closed ? null : bindErrorNow(this.#server, this.#path);
    if (failed) throw (this.close(), failed);
    return this.address;
  }

  /**
   * @internal Each client as it comes, authenticated, as a bare socket for a manager's server
   * (see manager/rpc.ts; waits here never hold the program), told `hello` last. Sockets still in
   * their handshake end with `close()`; one handed to `onSocket` is the caller's to end.
   */
  serve(onSocket: (socket: net.Socket, feed: Feed) => void, hello: ManagerHello): void {
    this.#serving = true;
    const loop = async (): Promise<void> => {
      while (!this.#closed) {
        const accepted = await this.#nextSocket(false).catch(() => null);
        if (!accepted) return;
        const feed: Feed = { sink: null, rest: null };
        const socket = readingInto(accepted.socket, feed);
        this.#served.add(socket);
        socket.once('close', () => this.#served.delete(socket));
        socket.unref();
        acceptManagerSocket(socket, this.#key, feed, hello).then(
          (s) => {
            this.#served.delete(s);
            onSocket(s, feed);
          },
          () => {},
        );
      }
    };
    void loop();
  }

  #accepted(s: net.Socket): void {
    if (this.#path === null) s.setNoDelay(true); // TCP: see Client()
    const peer = peerAddress(s, this.#path);
    if (this.#incoming.handOver(s, peer)) return;
    // A manager's listener always has a key (and serves its clients at once anyway).
    const opened = this.#key === null && !this.#serving ? acceptSocket(s, null, false) : null;
    opened?.catch(() => {}); // reported by the accept() that takes it
    this.#incoming.keep({ socket: s, peer, opened });
  }

  #nextSocket(hold = true): Promise<Incoming> {
    return this.#incoming.next(this.#closed, hold);
  }
}

disposableInEveryRealm(Listener.prototype);
