/**
 * A thread's connection to one manager, shared by all of its proxies there: one socket carrying
 * manager frames (rpc.ts). Requests are written at once, in the order they are made (the server
 * runs them in that order); answers come back by sequence number. The socket holds the program
 * open only while a request waits, so an idle proxy never keeps its program alive.
 */
import type net from 'node:net';
import { AuthenticationError, ManagerClosedError } from '../../errors.js';
import { type Address, connectManagerSocket, netAddress, openSocket } from '../net/endpoint.js';
import type { Feed } from '../net/handshake.js';
import { decodeAnswer, encodeRequest, FAILED, FrameSplitter } from './rpc.js';
import { type ErrorRecord, fromRecord } from './wire.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const clients = new Map<string, ManagerClient>();

/** This thread's client of the manager at `address` (one per address and key). */
export function clientFor(address: Address, authkey: string): ManagerClient {
  const key = `${JSON.stringify(address)}|${authkey}`;
  let c = clients.get(key);
  if (!c) {
    c = new ManagerClient(address, authkey, () => clients.delete(key));
    clients.set(key, c);
  }
  return c;
}

export class ManagerClient {
  readonly #address: Address;
  readonly #forget: () => void;
  readonly #pending = new Map<number, Pending>();
  readonly #splitter = new FrameSplitter((seq, tag, buf, start, end) =>
    this.#settle(seq, tag, buf, start, end),
  );
  // Set once connected; ref'd exactly while a request waits.
  #socket: net.Socket | null = null;
  // Frames made before the socket is authenticated, written then in order; null after.
  #queued: Buffer[] | null = [];
  #seq = 0;
  #dead: Error | null = null;

  constructor(address: Address, authkey: string, forget: () => void) {
    this.#address = address;
    this.#forget = forget;
    const key = Buffer.from(authkey, 'hex');
    const feed: Feed = { sink: null, rest: null };
    Promise.resolve()
      .then(() => openSocket(netAddress(address, 'a manager proxy'), feed))
      .then((s) => {
        this.#socket = s;
        if (this.#pending.size === 0) s.unref();
        return connectManagerSocket(s, key, feed);
      })
      .then(
        (s) => this.#ready(s, feed),
        (err: unknown) => this.#die(err),
      );
  }

  /** Whether this connection is over (the manager went away): a new call should look up again. */
  get dead(): boolean {
    return this.#dead !== null;
  }

  request(id: number, method: string, args: unknown[]): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = (this.#seq = (this.#seq + 1) >>> 0);
    let frame: Buffer;
    try {
      frame = encodeRequest(seq, id, method, args);
    } catch (err) {
      return Promise.reject(err); // an argument that cannot be sent: this call fails, not the rest
    }
    const p = new Promise<unknown>((resolve, reject) => this.#pending.set(seq, { resolve, reject }));
    if (this.#pending.size === 1) this.#socket?.ref();
    if (this.#queued !== null) this.#queued.push(frame);
    else this.#socket!.write(frame);
    return p;
  }

  #ready(s: net.Socket, feed: Feed): void {
    if (this.#dead) return;
    feed.sink = (chunk) => {
      try {
        this.#splitter.push(chunk, true);
      } catch (err) {
        s.destroy(err as Error);
      }
    };
    if (feed.rest) feed.sink(feed.rest);
    s.on('error', (err) => this.#die(err));
    s.once('close', () => this.#die(new Error('The connection to the manager closed.')));
    for (const frame of this.#queued!) s.write(frame);
    this.#queued = null;
    s.resume();
  }

  #settle(seq: number, tag: number, buf: Buffer, start: number, end: number): void {
    const p = this.#pending.get(seq);
    if (!p) return;
    this.#pending.delete(seq);
    if (this.#pending.size === 0) this.#socket?.unref();
    let value: unknown;
    try {
      value = decodeAnswer(buf, start, end);
    } catch (err) {
      p.reject(err);
      return;
    }
    if (tag === FAILED) p.reject(fromRecord(value as ErrorRecord));
    else p.resolve(value);
  }

  #die(cause: unknown): void {
    if (this.#dead) return;
    this.#forget();
    const err =
      cause instanceof AuthenticationError
        ? cause
        : new ManagerClosedError(
            `The manager at ${JSON.stringify(this.#address)} is gone (shut down, or its program ended): ` +
              'its proxies no longer work. Keep the manager running while its proxies are in use.',
            { cause },
          );
    this.#dead = err;
    this.#socket?.destroy();
    this.#queued = null;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
