/**
 * A manager's server: the objects it serves by id, and one socket per client (one per thread or
 * process that uses a proxy) whose requests run in the order they arrive, each as it comes (see
 * rpc.ts): a request that waits (a lock's acquire) does not hold back the next one, and one that
 * answers at once is answered in the same turn, with one write. When a client's socket ends, its
 * owner's locks and semaphores are released and barriers it waited at are broken.
 */
import type net from 'node:net';
import { Listener } from '../../listener.js';
import type { Address } from '../net/endpoint.js';
import { decodeRequest, encodeAnswer, FAILED, FrameSplitter, LATE, OK, QUIET, REQUEST } from './rpc.js';
import type { Served } from './served-sync.js';
import type { Owner } from './wait-list.js';
import { type ErrorRecord, type ProxyRef, type Request, toRecord } from './wire.js';

/** Makes the served object of a type from the arguments of its creation. */
export type ServedFactory = ((args: unknown[], server: ManagerServer) => Served) & { auto?: boolean };

/** Where a proxy's own id lives, so an argument that is a proxy of this server means its object. */
export const proxyRef: unique symbol = Symbol('multiproc.proxyRef');

export class ManagerServer {
  readonly listener: Listener;
  readonly authkey: string;
  readonly #types: ReadonlyMap<string, ServedFactory>;
  readonly #objects = new Map<number, Served>();
  readonly #sockets = new Set<net.Socket>();
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
    this.listener.serve((socket) => this.#serve(socket));
    return this.#address;
  }

  /** Starts serving on a Unix socket path, whose address is known at once (clients wait for the bind). */
  startNow(): Address {
    this.#address = this.listener.address;
    this.listener.serve((socket) => this.#serve(socket));
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

  /** Stops serving: clients' pending and later calls reject with ManagerClosedError. */
  shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.listener.close();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#objects.clear();
  }

  #serve(socket: net.Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const owner = this.#nextOwner++;
    // Per object id: the failure of this connection's pipelined release, for its next call.
    const late = new Map<number, ErrorRecord>();
    this.#sockets.add(socket);
    const splitter = new FrameSplitter((seq, tag, buf, start, end) => {
      let call: Request;
      try {
        if (tag !== REQUEST && tag !== QUIET) throw new TypeError('Malformed manager request.');
        call = decodeRequest(buf, start, end);
      } catch (err) {
        this.#reply(socket, seq, FAILED, toRecord(err));
        return;
      }
      const failed = late.size === 0 ? undefined : late.get(call[0]);
      if (failed !== undefined) {
        // Not run: its caller learns of the failed release first (a QUIET one leaves it for the next).
        if (tag === REQUEST) {
          late.delete(call[0]);
          this.#reply(socket, seq, FAILED, failed);
        }
        return;
      }
      if (tag === QUIET) this.#handleQuiet(socket, owner, call, late);
      else this.#handle(socket, owner, seq, call);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch {
        socket.destroy(); // not a peer of ours: a frame length no proxy sends
      }
    });
    socket.on('error', () => {});
    // EOF: the client's thread or process closed its socket or ended.
    socket.once('close', () => {
      this.#sockets.delete(socket);
      if (!this.#closed) for (const obj of this.#objects.values()) obj.ownerGone?.(owner);
    });
    socket.resume();
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
   * A pipelined release (client.ts) is answered only when it fails: LATE, with the object id as
   * its seq, so the proxy can warn at once; the connection's next call of that object, which
   * the proxy sent believing the release done, is rejected with that failure instead of run.
   */
  #handleQuiet(
    socket: net.Socket,
    owner: Owner,
    [id, method, args]: Request,
    late: Map<number, ErrorRecord>,
  ): void {
    try {
      this.#object(id).invoke(method, args, owner);
    } catch (err) {
      const r = toRecord(err);
      const message =
        `An earlier release() of this object, sent without waiting for its answer, failed: ${r.message} ` +
        '(Another thread or process had released it; this call was not made.)';
      late.set(id, { name: r.name, message });
      this.#reply(socket, id, LATE, { name: r.name, message });
    }
  }

  #reply(socket: net.Socket, seq: number, tag: number, value: unknown): void {
    if (socket.destroyed || this.#closed) return;
    let frame: Buffer;
    try {
      frame = encodeAnswer(seq, tag, value);
    } catch (err) {
      frame = encodeAnswer(seq, FAILED, toRecord(err)); // a result that cannot be sent
    }
    socket.write(frame);
  }

  #object(id: number): Served {
    const obj = this.#objects.get(id);
    if (!obj) throw new ReferenceError(`The manager no longer serves object ${id}.`);
    return obj;
  }

  #managerCall(method: string, args: unknown[]): unknown {
    if (method === 'create') return this.create(args[0] as string, args[1] as unknown[]);
    if (method === 'typeids') return this.typeids();
    throw new TypeError(`The manager has no method '${method}'.`);
  }
}
