/**
 * A thread's connection to one manager, shared by all of its proxies there: one socket carrying
 * manager frames (rpc.ts). Requests are written at once, in the order they are made (the server
 * runs them in that order); answers come back by sequence number. The socket holds the program
 * open only while a request waits, so an idle proxy never keeps its program alive.
 *
 * Pipelined release. The connection is the owner of what it acquires, and it counts, per object,
 * the acquires that answered true minus the releases it sent. While that count is above 0 the
 * manager's own count for this owner is too, so a `release()` is known to succeed: it is written
 * (tag QUIET, no answer) and resolves once the frame is in the kernel, saving a round trip. Later
 * calls on this socket run after it (FIFO); another owner's `acquire()` waits until the manager
 * reads it. Something signalled after it on another channel (a Queue, an exit) is sent after the
 * frame is in the manager's socket buffer, but the manager may read the woken process's request
 * first (seen with threads): so a non-blocking acquire, `locked()` or a timeout that would find the
 * lock held answers only after one more poll of the manager's sockets (wait-list.ts, afterPoll).
 * Only another owner's release of a plain Lock or Semaphore that this one holds (Python allows
 * it) can make the pipelined one fail: its error then comes back as LATE and is emitted as a
 * warning at once, and the manager rejects this connection's next call of that object with it
 * instead of running it. A process that ends right after a pipelined release loses nothing: the
 * frame is in the kernel, and the manager releases what a closed connection held anyway.
 */
import type net from 'node:net';
import { AuthenticationError, ManagerClosedError } from '../../errors.js';
import { type Address, connectManagerSocket, netAddress, openSocket } from '../net/endpoint.js';
import type { Feed } from '../net/handshake.js';
import { decodeAnswer, encodeRequest, FAILED, FrameSplitter, LATE, QUIET } from './rpc.js';
import { type ErrorRecord, fromRecord } from './wire.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** The object an `acquire` is for (an answer true counts as held), or -1. */
  holds: number;
}

const SENT: Promise<undefined> = Promise.resolve(undefined);

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
  // Per object id: acquires answered true minus releases sent, by this connection.
  readonly #held = new Map<number, number>();

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

  /**
   * Calls `method` of object `id`; resolves to its answer. With `holds` (a lock's or semaphore's
   * acquire), an answer true counts the object as held by this connection.
   */
  request(id: number, method: string, args: unknown[], holds = false): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = (this.#seq = (this.#seq + 1) >>> 0);
    let frame: Buffer;
    try {
      frame = encodeRequest(seq, id, method, args);
    } catch (err) {
      return Promise.reject(err); // an argument that cannot be sent: this call fails, not the rest
    }
    const p = new Promise<unknown>((resolve, reject) =>
      this.#pending.set(seq, { resolve, reject, holds: holds ? id : -1 }),
    );
    if (this.#pending.size === 1) this.#socket?.ref();
    if (this.#queued !== null) this.#queued.push(frame);
    else this.#socket!.write(frame);
    return p;
  }

  /**
   * Releases object `id` (a lock or semaphore): pipelined when this connection holds it by its
   * own count (see the header), else a round trip that reports a `LockError` on this call.
   */
  release(id: number): Promise<unknown> {
    const n = this.#held.get(id) ?? 0;
    const s = this.#socket;
    if (n === 0 || s === null || this.#queued !== null || this.#dead) {
      return this.request(id, 'release', []);
    }
    if (n === 1) this.#held.delete(id);
    else this.#held.set(id, n - 1);
    let flushed: ((v: undefined) => void) | null = null;
    s.write(encodeRequest(0, id, 'release', [], QUIET), () => flushed?.(undefined));
    // Written through to the kernel (the usual case), or queued behind a full socket buffer.
    if (s.writableLength === 0) return SENT;
    return new Promise((resolve) => {
      flushed = resolve;
    });
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
    if (tag === LATE) {
      this.#failedLate(seq, buf, start, end);
      return;
    }
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
    else {
      if (p.holds >= 0 && value === true) this.#held.set(p.holds, (this.#held.get(p.holds) ?? 0) + 1);
      p.resolve(value);
    }
  }

  // A pipelined release of object `id` failed (another owner had released what this one held):
  // said at once; the manager rejects this connection's next call of it with the same error.
  #failedLate(id: number, buf: Buffer, start: number, end: number): void {
    this.#held.delete(id);
    let message: string;
    try {
      message = (decodeAnswer(buf, start, end) as ErrorRecord).message;
    } catch (err) {
      message = (err as Error).message;
    }
    process.emitWarning(message, { type: 'ManagerWarning', code: 'MP_LATE_RELEASE' });
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
    this.#held.clear();
  }
}
