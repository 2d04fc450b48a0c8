/**
 * A manager's server: the objects it serves by id, and one loop per client connection (one per
 * thread or process that uses a proxy) that runs each request as it comes: a request that waits
 * (a lock's acquire) does not hold back the next one. When a connection ends, its owner's locks
 * and semaphores are released and barriers it waited at are broken.
 */
import type { Connection } from '../../connection.js';
import { Listener } from '../../listener.js';
import type { Address } from '../net/endpoint.js';
import type { Served } from './served-sync.js';
import type { Owner } from './wait-list.js';
import { isRequest, type ProxyRef, toRecord } from './wire.js';

/** Makes the served object of a type from the arguments of its creation. */
export type ServedFactory = ((args: unknown[], server: ManagerServer) => Served) & { auto?: boolean };

/** Where a proxy's own id lives, so an argument that is a proxy of this server means its object. */
export const proxyRef: unique symbol = Symbol('multiproc.proxyRef');

export class ManagerServer {
  readonly listener: Listener;
  readonly authkey: string;
  readonly #types: ReadonlyMap<string, ServedFactory>;
  readonly #objects = new Map<number, Served>();
  readonly #conns = new Map<Connection, Owner>();
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
    this.listener.serve((conn) => this.#serve(conn));
    return this.#address;
  }

  /** Starts serving on a Unix socket path, whose address is known at once (clients wait for the bind). */
  startNow(): Address {
    this.#address = this.listener.address;
    this.listener.serve((conn) => this.#serve(conn));
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
    for (const conn of this.#conns.keys()) conn.close();
    this.#conns.clear();
    this.#objects.clear();
  }

  async #serve(conn: Connection): Promise<void> {
    if (this.#closed) return conn.close();
    const owner = this.#nextOwner++;
    this.#conns.set(conn, owner);
    try {
      for (;;) {
        const m = await conn.recv();
        if (isRequest(m)) this.#handle(conn, owner, m);
      }
    } catch {
      // EOF: the client's thread or process closed its connection or ended.
    }
    this.#conns.delete(conn);
    if (!this.#closed) for (const obj of this.#objects.values()) obj.ownerGone?.(owner);
  }

  #handle(
    conn: Connection,
    owner: Owner,
    [seq, id, method, args]: [number, number, string, unknown[]],
  ): void {
    const reply = (ok: boolean, value: unknown) => {
      if (conn.closed || this.#closed) return;
      try {
        conn.send([seq, ok, value]);
      } catch (err) {
        conn.send([seq, false, toRecord(err)]);
      }
    };
    try {
      const r = id === 0 ? this.#managerCall(method, args) : this.#object(id).invoke(method, args, owner);
      if (r instanceof Promise)
        r.then(
          (v) => reply(true, v),
          (e: unknown) => reply(false, toRecord(e)),
        );
      else reply(true, r);
    } catch (err) {
      reply(false, toRecord(err));
    }
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
