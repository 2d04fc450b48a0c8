/**
 * A manager's server: the objects it serves by id, and one socket per client (one per thread or
 * process that uses a proxy) whose requests run in the order they arrive, each as it comes (see
 * rpc.ts): a request that waits (a lock's acquire) does not hold back the next one, and one that
 * answers at once is answered in the same turn, with one write. A frame about an object that
 * another connection may have pipelined writes of waits one more poll (writers.ts), and that
 * connection's later frames queue behind it. When a client's socket ends, its owner's locks and
 * semaphores are released and barriers it waited at are broken.
 */
import type net from 'node:net';
import { Listener } from '../../listener.js';
import type { Address } from '../net/endpoint.js';
import type { Feed } from '../net/handshake.js';
import { FrameSplitter, sendFrame } from './frame-io.js';
import {
  answerFrame,
  ENDS_NORMALLY,
  FAILED,
  LATE,
  OK,
  QUIET,
  REQUEST,
  SYNC,
  TASKS_FROM,
  WRITE,
} from './rpc.js';
import { decodeRequest, requestMethod } from './rpc-read.js';
import type { Served } from './served-sync.js';
import { type HostedServer, hostServer, managerKey, unhostServer } from './stuck.js';
import { afterPoll, type Owner } from './wait-list.js';
import { type ErrorRecord, type ProxyRef, type Request, toRecord } from './wire.js';
import { Writers } from './writers.js';

/** A frame waiting for one more poll of the manager's sockets (writers.ts). */
interface Deferred {
  readonly seq: number;
  readonly tag: number;
  readonly id: number;
  readonly call: Request | null;
  readonly error: ErrorRecord | null;
}

/** One client connection: one thread or process, the owner of what it acquires. */
interface Conn {
  readonly socket: net.Socket;
  readonly owner: Owner;
  /** Per object id: the failure of this connection's pipelined call, for its next call of it. */
  readonly late: Map<number, ErrorRecord>;
  /** Frames waiting for a poll, in arrival order (later ones queue behind); null when none. */
  deferred: Deferred[] | null;
  /** Set at close: what ends this owner, run once no frame of it waits. */
  gone: (() => void) | null;
  /** Set when its thread or process said it ends normally (ENDS_NORMALLY) before it closed. */
  endsNormally: boolean;
}

/** Makes the served object of a type from the arguments of its creation. */
export type ServedFactory = ((args: unknown[], server: ManagerServer) => Served) & { auto?: boolean };

/** Where a proxy's own id lives, so an argument that is a proxy of this server means its object. */
export const proxyRef: unique symbol = Symbol('multiproc.proxyRef');

export class ManagerServer implements HostedServer {
  readonly listener: Listener;
  readonly authkey: string;
  readonly #types: ReadonlyMap<string, ServedFactory>;
  readonly #objects = new Map<number, Served>();
  readonly #sockets = new Set<net.Socket>();
  // Connections of pool workers whose tasks come from this thread (TASKS_FROM).
  readonly #workersOfHere = new Set<net.Socket>();
  readonly #writers = new Writers();
  #nextId = 1;
  #nextOwner = 1;
  #closed = false;
  #address: Address | null = null;

  constructor(
    address: Address | undefined,
    authkey: Uint8Array | undefined,
    types: ReadonlyMap<string, ServedFactory>,
  ) {
    const key = authkey ?? process.getBuiltinModule('node:crypto').randomBytes(32);
    this.authkey = Buffer.from(key).toString('hex');
    this.listener = new Listener(address, { authkey: key });
    this.#types = types;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Binds and starts serving; resolves to the address clients use. */
  async start(): Promise<Address> {
    this.#address = await this.listener.ready();
    this.listener.serve((socket, feed) => this.#serve(socket, feed));
    this.#host();
    return this.#address;
  }

  /** Starts serving on a Unix socket path, whose address is known at once (clients wait for the bind). */
  startNow(): Address {
    this.#address = this.listener.address;
    this.listener.serve((socket, feed) => this.#serve(socket, feed));
    this.#host();
    return this.#address;
  }

  get address(): Address {
    return this.#address ?? this.listener.address;
  }

  /** Creates an object of `typeid` here, at once; returns the reference its proxies carry. */
  create(typeid: string, args: unknown[]): ProxyRef {
    const make = this.#types.get(typeid);
    if (!make) throw new TypeError(`This manager serves no type '${typeid}'; register() it first.`);
    const id = this.#nextId++;
    this.#objects.set(id, make(args, this));
    return { address: this.address, authkey: this.authkey, id, typeid, ...(make.auto ? { auto: true } : {}) };
  }

  /** The object a proxy of this server stands for, or undefined. */
  resolve(value: unknown): Served | undefined {
    const ref = (value as { [proxyRef]?: ProxyRef } | null)?.[proxyRef];
    if (!ref || ref.authkey !== this.authkey) return undefined;
    return this.#objects.get(ref.id);
  }

  typeids(): string[] {
    return [...this.#types.keys()];
  }

  /**
   * Live client connections that could still act, this thread's own proxies' one included
   * (stuck.ts); not those of this thread's pool workers, which run code only while a task this
   * thread sent runs (and a pending call keeps this thread alive).
   */
  get connections(): number {
    return this.#sockets.size - this.#workersOfHere.size;
  }

  /**
   * Rejects every wait the served objects hold, each with its object's error (stuck.ts: nothing
   * left could answer them); returns how many there were.
   */
  abandonWaits(): number {
    let n = 0;
    for (const obj of this.#objects.values()) n += obj.abandonWaits?.() ?? 0;
    return n;
  }

  /** Stops serving: clients' pending and later calls reject with ManagerClosedError. */
  shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    unhostServer(managerKey(this.address, this.authkey), this);
    this.listener.close();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#objects.clear();
    this.#writers.clear();
  }

  // `feed` hands on what the socket reads, into a buffer read into again (endpoint.ts, readingInto).
  #serve(socket: net.Socket, feed: Feed): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const conn: Conn = {
      socket,
      owner: this.#nextOwner++,
      late: new Map(),
      deferred: null,
      gone: null,
      endsNormally: false,
    };
    this.#sockets.add(socket);
    const splitter = new FrameSplitter((seq, tag, buf, start, end) =>
      this.#onFrame(conn, seq, tag, buf, start, end),
    );
    feed.sink = (chunk) => {
      try {
        splitter.push(chunk, true);
      } catch {
        socket.destroy(); // not a peer of ours: a frame length no proxy sends
      }
    };
    if (feed.rest) feed.sink(feed.rest);
    socket.on('error', () => {});
    // EOF: the client's thread or process closed its socket or ended. Frames still waiting for a
    // poll run first (a pipelined write the client finished is applied), then its owner is gone:
    // what only it could release is given back; a plain Lock or semaphore permits too, unless it
    // said it ends normally (they stay taken then, as in Python, for another owner to release).
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#workersOfHere.delete(socket);
      conn.gone = () => {
        this.#writers.dropOwner(conn.owner);
        if (!this.#closed)
          for (const obj of this.#objects.values()) obj.ownerGone?.(conn.owner, conn.endsNormally);
      };
      if (conn.deferred === null) conn.gone();
    });
    socket.resume();
  }

  // This thread's proxies of this manager: their unbounded waits go idle (stuck.ts).
  #host(): void {
    hostServer(managerKey(this.address, this.authkey), this);
  }

  #onFrame(conn: Conn, seq: number, tag: number, buf: Buffer, start: number, end: number): void {
    let call: Request | null = null;
    let error: ErrorRecord | null = null;
    try {
      if (tag !== REQUEST && tag !== QUIET && tag !== WRITE)
        throw new TypeError('Malformed manager request.');
      call = decodeRequest(buf, start, end);
    } catch (err) {
      error = { ...toRecord(err), method: requestMethod(buf, start, end) };
    }
    const id = call !== null ? call[0] : end - start >= 4 ? buf.readUInt32LE(start) : 0;
    if (conn.deferred !== null) conn.deferred.push({ seq, tag, id, call, error });
    else if (id !== 0 && this.#writers.othersOf(id, conn.owner)) {
      // Another client may have pipelined writes of this object still unread (writers.ts).
      conn.deferred = [{ seq, tag, id, call, error }];
      void afterPoll(() => this.#drain(conn));
    } else this.#run(conn, seq, tag, id, call, error);
  }

  #drain(conn: Conn): void {
    const frames = conn.deferred ?? [];
    conn.deferred = null;
    for (const f of frames) this.#run(conn, f.seq, f.tag, f.id, f.call, f.error);
    conn.gone?.();
  }

  #run(
    conn: Conn,
    seq: number,
    tag: number,
    id: number,
    call: Request | null,
    error: ErrorRecord | null,
  ): void {
    if (call === null) {
      if (tag === QUIET) this.#failLate(conn, id, error!.method ?? '', error!);
      else this.#reply(conn.socket, seq, FAILED, error);
      return;
    }
    const failed = conn.late.size === 0 ? undefined : conn.late.get(id);
    if (failed !== undefined) {
      // Not run: its caller learns of the failed pipelined call first (a QUIET one leaves it for the next).
      if (tag !== QUIET) {
        conn.late.delete(id);
        this.#reply(conn.socket, seq, FAILED, failed);
      }
      return;
    }
    if (tag === QUIET) {
      if (call[0] === 0 && call[1] === ENDS_NORMALLY) conn.endsNormally = true;
      else this.#runQuiet(conn, call);
      return;
    }
    if (tag === WRITE) this.#writers.add(id, conn.owner);
    this.#handle(conn.socket, conn.owner, seq, call);
  }

  #handle(socket: net.Socket, owner: Owner, seq: number, [id, method, args]: Request): void {
    try {
      const r = id === 0 ? this.#managerCall(method, args) : this.#object(id).invoke(method, args, owner);
      if (r instanceof Promise)
        r.then(
          (v) => this.#reply(socket, seq, OK, v),
          (e: unknown) => this.#reply(socket, seq, FAILED, toRecord(e)),
        );
      else this.#reply(socket, seq, OK, r);
    } catch (err) {
      this.#reply(socket, seq, FAILED, toRecord(err));
    }
  }

  /**
   * A pipelined call (client.ts: a held lock's release, a write whose result is undefined) is
   * answered only when it fails: LATE, with the object id as its seq, so the proxy can warn at
   * once; the connection's next answered call of that object, which the proxy sent believing the
   * write done, is rejected with that failure instead of run, and pipelined ones until then are
   * dropped (as if the failed call had thrown where it was made).
   */
  #runQuiet(conn: Conn, [id, method, args]: Request): void {
    if (id === 0 && method === TASKS_FROM) {
      if (args[0] === thisThread() && this.#sockets.has(conn.socket)) this.#workersOfHere.add(conn.socket);
      return;
    }
    let r: unknown;
    try {
      r = this.#object(id).invoke(method, args, conn.owner);
    } catch (err) {
      this.#failLate(conn, id, method, toRecord(err));
      return;
    }
    if (r instanceof Promise) r.catch((err: unknown) => this.#failLate(conn, id, method, toRecord(err)));
  }

  #failLate(conn: Conn, id: number, method: string, r: ErrorRecord): void {
    const why =
      method === 'release'
        ? '(Another thread or process had released it; this call was not made.)'
        : '(Neither it nor the pipelined writes of this object after it were applied; this call was not made.)';
    const record: ErrorRecord = {
      name: r.name,
      message: `An earlier ${method ? `${method}()` : 'call'} of this object, sent without waiting for its answer, failed: ${r.message} ${why}`,
      method,
    };
    conn.late.set(id, record);
    this.#reply(conn.socket, id, LATE, record);
  }

  #reply(socket: net.Socket, seq: number, tag: number, value: unknown): void {
    if (socket.destroyed || this.#closed) return;
    let n: number;
    try {
      n = answerFrame(seq, tag, value);
    } catch (err) {
      n = answerFrame(seq, FAILED, toRecord(err)); // a result that cannot be sent
    }
    sendFrame(socket, n);
  }

  #object(id: number): Served {
    const obj = this.#objects.get(id);
    if (!obj) throw new ReferenceError(`The manager no longer serves object ${id}.`);
    return obj;
  }

  #managerCall(method: string, args: unknown[]): unknown {
    if (method === 'create') return this.create(args[0] as string, args[1] as unknown[]);
    if (method === 'typeids') return this.typeids();
    if (method === SYNC) return undefined; // run after the connection's earlier frames (client.ts, flush)
    throw new TypeError(`The manager has no method '${method}'.`);
  }
}

/** This thread, as a pool worker names the thread its tasks come from (`pid:threadId`). */
function thisThread(): string {
  return `${process.pid}:${process.getBuiltinModule('node:worker_threads').threadId}`;
}
