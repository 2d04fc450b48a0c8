/**
 * A manager's server: the objects it serves by id, and one socket per client (one per thread or
 * process that uses a proxy) whose requests run in the order they arrive, each as it comes (see
 * rpc.ts): a request that waits (a lock's acquire) does not hold back the next one, and one that
 * answers at once is answered in the same turn, with one write. A frame about an object that
 * another connection may have pipelined writes of waits one more poll (writers.ts), and that
 * connection's later frames queue behind it. When a client's socket ends, its owner's locks and
 * semaphores are released and barriers it waited at are broken. This file owns the served objects
 * and the listener's lifetime; server-conn.ts runs each connection's frames.
 */
import type net from 'node:net';
import { ManagerClosedError } from '../../errors.js';
import { Listener } from '../../listener.js';
import type { Address } from '../net/endpoint.js';
import { type Feed, setSink } from '../net/feed.js';
import { MANAGER_HELLO, type ManagerHello } from '../net/handshake.js';
import { servedHere } from './blocked-server.js';
import { serveLocally } from './client-refs.js';
import { serverShutDown } from './client-registry.js';
import { FrameSplitter, sendFrame } from './frame-io.js';
import { forgetKey, learnKey } from './ref-keys.js';
import { hostReferents, readsOthersWrites, type WritesOf } from './referent.js';
import { answerFrame, SHUT_DOWN, SYNC } from './rpc.js';
import type { LeaseHome } from './served-lease.js';
import { DECREF, INCREF, LOCAL, PIN, ServedRefs } from './served-refs.js';
import type { Served } from './served-sync.js';
import { Conn, type ConnServer } from './server-conn.js';
import { type HostedServer, hostServer, managerKey, unhostServer } from './stuck.js';
import { type ProxyRef, proxyRef } from './wire.js';
import { Writers } from './writers.js';

/** How long a shut-down manager keeps reading a client's socket for the client to close it (ms). */
const SHUT_DOWN_LINGER_MS = 2000;

/**
 * Tells a client its manager was shut down (SHUT_DOWN) and half-closes the socket. Destroying it
 * at once would drop what the client sent that is still unread: the kernel then resets the
 * connection (ECONNRESET), or the client's next write fails (EPIPE), and a client with pipelined
 * calls unanswered would warn of a loss (MP_LATE_WRITE) where there is none. So the socket is read
 * (and what comes dropped) until the client, told, closes it, or for {@link SHUT_DOWN_LINGER_MS}.
 */
function sayShutDown(socket: net.Socket): void {
  if (socket.destroyed) return;
  sendFrame(socket, answerFrame(0, SHUT_DOWN, undefined));
  socket.end();
  const timer = setTimeout(() => socket.destroy(), SHUT_DOWN_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.unref();
}

/** Makes the served object of a type from the arguments of its creation. */
export type ServedFactory = ((args: unknown[], server: ManagerServer) => Served) & {
  auto?: boolean | undefined;
};

export { proxyRef };

export class ManagerServer implements HostedServer {
  readonly listener: Listener;
  readonly authkey: string;
  /** This instance, told to each client in the hello and carried by each ProxyRef it makes. */
  readonly instance: string;
  readonly #types: ReadonlyMap<string, ServedFactory>;
  readonly #objects = new Map<number, Served>();
  readonly #sockets = new Set<net.Socket>();
  // Connections of pool workers whose tasks come from this thread (TASKS_FROM).
  readonly #workersOfHere = new Set<net.Socket>();
  readonly #writers = new Writers();
  // Live connections by owner, for a lease's revoke (served-lease.ts).
  readonly #conns = new Map<number, Conn>();
  readonly #leaseHome: LeaseHome = {
    revoke: (owner, id) => this.#conns.get(owner)?.revoke(id),
    othersWrite: (id, owner) => this.#writers.othersOf(id, owner),
  };
  // Which objects some proxy still refers to; the others are freed (served-refs.ts).
  readonly refs = new ServedRefs((id) => {
    this.#objects.delete(id);
    this.#writers.dropObject(id);
  });
  // A registered type's objects by identity: a factory that gives one again gets its id (Python: id(obj)).
  readonly #ids = new WeakMap<object, { readonly id: number; readonly typeid: string }>();
  #nextId = 1;
  #nextOwner = 1;
  #closed = false;
  #address: Address | null = null;
  // What its connections use of it (server-conn.ts).
  readonly #forConns: ConnServer = {
    isClosed: () => this.#closed,
    writers: this.#writers,
    object: (id) => this.#object(id),
    managerCall: (method, args, owner) => this.#managerCall(method, args, owner),
    workerOfHere: (socket) => {
      if (this.#sockets.has(socket)) this.#workersOfHere.add(socket);
    },
    readsOthersWrites: (call, owner) => readsOthersWrites(this.#writesOf, call, owner),
  };
  // What a call copying a proxy argument's referent asks of this server (referent.ts).
  readonly #writesOf: WritesOf;

  constructor(
    address: Address | undefined,
    authkey: Uint8Array | undefined,
    types: ReadonlyMap<string, ServedFactory>,
  ) {
    const key = authkey ?? process.getBuiltinModule('node:crypto').randomBytes(32);
    this.authkey = Buffer.from(key).toString('hex');
    this.instance = process.getBuiltinModule('node:crypto').randomBytes(8).toString('hex');
    this.#writesOf = {
      instance: this.instance,
      othersWrite: (id, owner) => this.#writers.othersOf(id, owner),
      object: (id) => this.#objects.get(id),
    };
    this.listener = new Listener(address, { authkey: key });
    this.#types = types;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Binds and starts serving; resolves to the address clients use. */
  async start(): Promise<Address> {
    this.#address = await this.listener.ready().catch((err: unknown) => {
      // A shutdown() during the bind closed the listener, whose ready() then rejects.
      throw this.#closed ? new ManagerClosedError('The manager was shut down before start() bound it.') : err;
    });
    this.listener.serve((socket, feed) => this.#serve(socket, feed), this.#hello());
    this.#host();
    return this.#address;
  }

  /** Starts serving on a Unix socket path, whose address is known at once (clients wait for the bind). */
  startNow(): Address {
    this.#address = this.listener.boundAddress(); // a path in use throws: proxies would reach its owner
    this.listener.serve((socket, feed) => this.#serve(socket, feed), this.#hello());
    this.#host();
    return this.#address;
  }

  #hello(): ManagerHello {
    return { ...MANAGER_HELLO, server: this.instance };
  }

  get address(): Address {
    return this.#address ?? this.listener.address;
  }

  /**
   * Creates an object of `typeid` here, at once, for `owner` (its first proxy's thread: this one
   * by default); returns the reference its proxies carry.
   */
  create(typeid: string, args: unknown[], owner = LOCAL): ProxyRef {
    const make = this.#types.get(typeid);
    if (!make) throw new TypeError(`This manager serves no type '${typeid}'; register() it first.`);
    const served = make(args, this);
    const again = make.auto ? this.#served(served.referent, typeid) : undefined;
    const id = again ?? this.#nextId++;
    if (again === undefined) {
      this.#objects.set(id, served);
      this.refs.created(id, owner);
      served.placed?.(id, this.#leaseHome);
      if (make.auto && served.referent !== undefined) this.#ids.set(served.referent, { id, typeid });
    } else this.refs.pin(id); // taken up as a sent copy's: its owner may be dropping an older proxy
    const ref = { address: this.address, authkey: this.authkey, id, typeid, server: this.instance };
    return {
      ...ref,
      ...served.refFields,
      ...(make.auto ? { auto: true } : {}),
      ...(again ? { again: true } : {}),
    };
  }

  /** The id `referent` is served under as `typeid` already, if it is. */
  #served(referent: object | undefined, typeid: string): number | undefined {
    const known = referent === undefined ? undefined : this.#ids.get(referent);
    if (known === undefined || known.typeid !== typeid) return undefined;
    return this.#objects.get(known.id)?.referent === referent ? known.id : undefined;
  }

  /** The object a proxy of this server stands for, or undefined. */
  resolve(value: unknown): Served | undefined {
    const ref = (value as { [proxyRef]?: ProxyRef } | null)?.[proxyRef];
    if (!ref || ref.authkey !== this.authkey) return undefined;
    return this.#objects.get(ref.id);
  }

  /** How many objects it serves (Python's `_number_of_objects()`). */
  get objectCount(): number {
    return this.#objects.size;
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
    const address = this.#address; // null: shut down during start(), before it hosted anything
    if (address !== null) unhostServer(managerKey(address, this.authkey), this);
    servedHere(this, false);
    serveLocally(this.instance, null);
    hostReferents(this.instance, null);
    // This thread's proxies end first: the sockets dropped below would read as a broken connection.
    serverShutDown(this.instance);
    this.listener.close();
    for (const socket of this.#sockets) sayShutDown(socket);
    this.#sockets.clear();
    this.#conns.clear();
    this.#objects.clear();
    this.#writers.clear();
    if (address !== null) forgetKey(address, this.authkey);
  }

  // `feed` hands on what the socket reads, into a buffer read into again (endpoint.ts, readingInto).
  #serve(socket: net.Socket, feed: Feed): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const conn = new Conn(socket, this.#nextOwner++, this.#forConns);
    this.#sockets.add(socket);
    this.#conns.set(conn.owner, conn);
    const splitter = new FrameSplitter((seq, tag, buf, start, end) =>
      conn.onFrame(seq, tag, buf, start, end),
    );
    setSink(feed, (chunk) => {
      if (this.#closed) return; // read and dropped until the client closes (sayShutDown)
      try {
        splitter.push(chunk, true);
      } catch {
        socket.destroy(); // not a peer of ours: a frame length no proxy sends
      }
    });
    socket.on('error', () => {});
    // EOF: the client's thread or process closed its socket or ended. Frames still waiting for a
    // poll run first (a pipelined write the client finished is applied), then its owner is gone:
    // what only it could release is given back; a plain Lock or semaphore permits too, unless it
    // said it ends normally (they stay taken then, as in Python, for another owner to release).
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#workersOfHere.delete(socket);
      conn.ended(() => {
        this.#conns.delete(conn.owner);
        this.#writers.dropOwner(conn.owner);
        this.refs.ownerGone(conn.owner);
        if (!this.#closed)
          for (const obj of this.#objects.values()) obj.ownerGone?.(conn.owner, conn.endsNormally);
      });
    });
    socket.resume();
  }

  // This thread's proxies of this manager: their unbounded waits go idle (stuck.ts).
  #host(): void {
    hostServer(managerKey(this.address, this.authkey), this);
    servedHere(this, true);
    learnKey(this.address, this.authkey); // its proxies sent back here by another program
    serveLocally(this.instance, this.refs);
    hostReferents(this.instance, (id) => this.#objects.get(id));
  }

  #object(id: number): Served {
    const obj = this.#objects.get(id);
    if (!obj) throw new ReferenceError(`The manager no longer serves object ${id}.`);
    return obj;
  }

  #managerCall(method: string, args: unknown[], owner: number): unknown {
    if (method === 'create') return this.create(args[0] as string, args[1] as unknown[], owner);
    if (method === 'typeids') return this.typeids();
    if (method === 'numberOfObjects') return this.objectCount;
    if (method === INCREF || method === DECREF || method === PIN)
      return this.refs.report(owner, method, args);
    if (method === SYNC) return undefined; // run after the connection's earlier frames (client.ts, flush)
    throw new TypeError(`The manager has no method '${method}'.`);
  }
}
