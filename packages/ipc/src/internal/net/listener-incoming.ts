/**
 * A `Listener`'s connections the system handed over and its `accept()`s waiting for them, each
 * served in the order it came. The server is ref'd only while an `accept()` that holds the program
 * waits (a manager's `serve()` loop waits without holding it).
 */
import type net from 'node:net';
import { ClosedError } from '@multiproc/shared';
import type { Connection } from '../../connection.js';
import type { Address } from './endpoint.js';

/**
 * A connection the system handed over, waiting for `accept()`. Without an authkey it is opened
 * at once (`opened`): the client's `Client()` resolves and what it sends waits in the new pipe's
 * home here, as Python's client returns once the server's backlog holds it. With an authkey the
 * handshake waits for `accept()` (Python: the client waits for the challenge).
 */
export interface Incoming {
  readonly socket: net.Socket;
  readonly peer: Address | null;
  readonly opened: Promise<Connection> | null;
}

interface Pending {
  resolve(s: Incoming): void;
  reject(e: Error): void;
}

export class ListenerIncoming {
  readonly #server: net.Server;
  readonly #sockets: Incoming[] = [];
  readonly #waiting: Pending[] = [];
  #error: Error | null = null;

  constructor(server: net.Server) {
    this.#server = server;
  }

  /** The server's error, once it failed: every later `next()` rejects with it. */
  get error(): Error | null {
    return this.#error;
  }

  /** Hands a new connection to the longest-waiting `next()`; false when none waits. */
  handOver(socket: net.Socket, peer: Address | null): boolean {
    const w = this.#waiting.shift();
    if (!w) return false;
    if (this.#waiting.length === 0) this.#server.unref();
    w.resolve({ socket, peer, opened: null });
    return true;
  }

  /** Keeps a connection no `next()` waited for, for the next one. */
  keep(incoming: Incoming): void {
    this.#sockets.push(incoming);
  }

  /** The next connection; `hold`: the wait keeps the program alive. */
  next(closed: boolean, hold: boolean): Promise<Incoming> {
    if (closed) return Promise.reject(new ClosedError('This Listener was closed.'));
    if (this.#error) return Promise.reject(this.#error);
    const s = this.#sockets.shift();
    if (s) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (hold) this.#server.ref();
    });
  }

  /** The server failed: what waits rejects with `err`, and so does every later `next()`. */
  fail(err: Error): void {
    this.#error = err;
    this.rejectWaiting(() => err);
  }

  /** Takes the connections kept and not accepted (at `close()`: the caller ends them). */
  takeKept(): Incoming[] {
    return this.#sockets.splice(0);
  }

  /** Rejects every `next()` still waiting, each with an `error()` of its own. */
  rejectWaiting(error: () => Error): void {
    for (const w of this.#waiting.splice(0)) w.reject(error());
  }
}
