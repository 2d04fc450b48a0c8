/**
 * The home registry of this thread: every queue and pipe end created here, by id, and (started
 * on first need) a server on a private Unix-domain socket through which copies in other processes
 * reach them. One per thread; its server is unref'd, so an idle broker never keeps a program alive.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Channel } from './channel.js';
import { Endpoint, Peer } from './endpoint.js';
import { Op, textOf } from './frames.js';
import { SocketLink } from './socket-link.js';

class Broker {
  readonly path: string;
  readonly #endpoints = new Map<number, Endpoint>();
  #nextId = 1;
  #server: net.Server | null = null;

  constructor() {
    const name = `mp-${process.pid}-${threadId}-${randomBytes(6).toString('hex')}.sock`;
    this.path = process.platform === 'win32' ? `\\\\?\\pipe\\${name}` : join(tmpdir(), name);
  }

  create(read: Channel | null, write: Channel | null): Endpoint {
    const ep = new Endpoint(this.#nextId++, read, write, (e) => this.#endpoints.delete(e.id));
    this.#endpoints.set(ep.id, ep);
    return ep;
  }

  /** Starts the socket server if it is not running; the path is bound before this returns. */
  listen(): void {
    if (this.#server) return;
    const server = net.createServer((socket) => this.#accept(socket));
    server.on('error', () => {});
    server.listen(this.path);
    server.unref();
    this.#server = server;
    if (process.platform !== 'win32') {
      // Private to the user: connecting needs write access to the socket file, which the umask may
      // grant to the group. The path is bound synchronously by listen() for a pipe server.
      chmodSync(this.path, 0o600);
      process.once('exit', () => {
        try {
          unlinkSync(this.path);
        } catch {}
      });
    }
  }

  #accept(socket: net.Socket): void {
    const link = new SocketLink(socket);
    link.onFrame = (op, a, _b, body) => {
      const ep = op === Op.R_HELLO ? this.#endpoints.get(a) : undefined;
      if (!ep) return link.end();
      ep.claim(textOf(body));
      new Peer(ep, link);
    };
  }
}

let current: Broker | undefined;

/** This thread's broker. */
export function broker(): Broker {
  if (!current) {
    current = new Broker();
    const b = current;
    Peer.listen = () => b.listen();
  }
  return current;
}
