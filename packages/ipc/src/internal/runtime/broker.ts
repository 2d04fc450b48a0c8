/**
 * The home registry of this thread: every object that lives here (a queue, a pipe), by id, and,
 * started on first need, a server on a private Unix-domain socket through which copies in other
 * processes reach them. One per thread; its server is unref'd, so an idle broker never keeps a
 * program alive.
 *
 * A home object is anything that implements {@link HomeObject}: the queue and pipe runtime
 * (home-runtime.ts) is one; a later kind of shared object plugs in the same way.
 */
import type net from 'node:net';
import { SocketLink } from '../link/socket-link.js';
import { makeSocketPrivate, newSocketPath } from '../net/socket-path.js';
import { textOf } from '../protocol/home.js';
import { Op } from '../protocol/ops.js';
import { removeSocketFileAtEnd } from './socket-files.js';

/** An object living in this thread that copies elsewhere connect to. */
export interface HomeObject {
  /**
   * A copy in another process connected with its reservation `token` for endpoint `end`: take
   * over the link (false: refused, the reservation was released; the broker ends the link).
   */
  connect(end: number, token: string, link: SocketLink): boolean;
  /** At exit, with no event loop left: sends what is pending to its copies now. */
  flushSync(deadline: number): void;
  /** The copy reserved under `token` was carried by an item dropped untaken (carried.ts): released. */
  releaseCarried?(token: string): void;
}

class Broker {
  #path: string | undefined;
  readonly #objects = new Map<number, HomeObject>();
  #nextId = 1;
  #server: net.Server | null = null;

  /**
   * The socket path copies in other processes dial, chosen at first need (socket-path.ts), so a
   * program that never sends a queue or pipe to a process never looks for a folder.
   * @throws {ProcessError} when no folder can hold a socket.
   */
  get path(): string {
    this.#path ??= newSocketPath(
      `mp-${process.pid}-${process.getBuiltinModule('node:worker_threads').threadId}`,
    );
    return this.#path;
  }

  add(obj: HomeObject): number {
    const id = this.#nextId++;
    this.#objects.set(id, obj);
    return id;
  }

  /** The object living here under `id`, if it still does. */
  get(id: number): HomeObject | undefined {
    return this.#objects.get(id);
  }

  /** Every object living here (for the flush at exit). */
  objects(): Iterable<HomeObject> {
    return this.#objects.values();
  }

  /** Forgets an object nobody holds any more. */
  delete(id: number): void {
    this.#objects.delete(id);
  }

  /**
   * Starts the socket server if it is not running; the path is bound before this returns.
   * @throws {ProcessError} when it cannot be bound (no usable folder, or the folder went away):
   *   never a copy handed out that dials nothing.
   */
  listen(): void {
    if (this.#server) return;
    const path = this.path;
    const server = process.getBuiltinModule('node:net').createServer((socket) => this.adopt(socket));
    server.on('error', () => {});
    server.listen(path);
    makeSocketPrivate(server, path);
    server.unref();
    if (process.platform !== 'win32') removeSocketFileAtEnd(path);
    this.#server = server;
  }

  /**
   * Serves copies over `socket`: an accepted connection of this broker, or one a `Listener`
   * accepted and authenticated (network/listener.ts), whose copy then says hello like any other.
   * `holdMs` > 0 keeps the program alive until that hello, at most so long.
   */
  adopt(socket: net.Socket, holdMs = 0): void {
    const link = new SocketLink(socket);
    // A copy that dialled this broker (not a Listener's client) finds a will this side leaves.
    link.dialled = holdMs === 0;
    // A Listener's connection: what this side sends waits for the peer's hello (its copy is not
    // attached before), so the program stays alive until the hello (or the socket's close), for
    // at most `holdMs`; at exit the attached link then delivers what is pending.
    let hold = holdMs > 0 ? setTimeout(() => {}, holdMs) : undefined;
    const release = (): void => {
      clearTimeout(hold);
      hold = undefined;
    };
    if (hold) socket.once('close', release);
    link.onFrame = (op, a, b, body) => {
      if (op === Op.R_HELLO) release();
      const obj = op === Op.R_HELLO ? this.#objects.get(a) : undefined;
      if (!obj?.connect(b, textOf(body), link)) link.end();
    };
  }
}

let current: Broker | undefined;

// Tokens of copies made in this thread of objects whose home is here too (see dialHere).
const tokensHere = new Set<string>();

/**
 * Whether a copy for `path` and `token` has its home in this very thread (a handle sent through a
 * pipe or queue and received here); if so, records the token for {@link claimedHere}.
 */
export function dialHere(path: string, token: string | undefined): boolean {
  if (current?.path !== path) return false;
  if (token !== undefined) tokensHere.add(token);
  return true;
}

/** At home: whether the copy claiming `token` lives in this thread (asked once per token). */
export function claimedHere(token: string): boolean {
  return tokensHere.delete(token);
}

/** This thread's broker. */
export function broker(): Broker {
  current ??= new Broker();
  return current;
}
