/**
 * BaseManager: serves objects from one program to others, on this machine or across a network.
 * Mirrors Python's `multiprocessing.managers.BaseManager`.
 */
import { disposableInEveryRealm, type WithoutNulls, withArticle } from '@multiproc/shared';
import { processAuthkey } from '../authkey.js';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { clientFor } from '../internal/manager/client-registry.js';
import { reachManager } from '../internal/manager/connect.js';
import { copied } from '../internal/manager/items.js';
import { serveUntilShutDown, serveWhileReachable, shutDownBy } from '../internal/manager/manager-life.js';
import { checkManagerState, type ManagerState } from '../internal/manager/manager-state.js';
import type { Served } from '../internal/manager/served-sync.js';
import { ManagerServer, type ServedFactory } from '../internal/manager/server.js';
import { madeHere } from '../internal/manager/unsent.js';
import type { ProxyRef } from '../internal/manager/wire.js';
import type { Address } from '../internal/net/endpoint.js';
import { keyBytes } from '../internal/net/handshake.js';
import { type AutoProxy, makeProxy, pendingProxy } from './proxy.js';
import {
  addTypeidMethod,
  checkInitializer,
  type Factory,
  knownAddress,
  type ManagerOptions,
  type ManagerServerHandle,
  type RegisterOptions,
  readManagerOptions,
  servedFactory,
  serverHandle,
  type TypeidMethod,
} from './register-options.js';

export { type Factory, MANAGER_KEYS, type ManagerOptions, type RegisterOptions } from './register-options.js';

/**
 * Serves objects made by registered factories, from this program, to proxies in any thread,
 * process or program that holds the address and `authkey`. Mirrors Python's `BaseManager`
 * (`register`, `start`, `get_server().serve_forever()`, `connect`, `shutdown`). Unlike Python's
 * `start()`, the objects are served from this program's thread (no server process is started):
 * they live until `shutdown()`, and the server never keeps the program alive by itself
 * (`serveForever()` does). As in Python, a serving manager that the program and the proxies it
 * made no longer reach is shut down once garbage-collected, when no other thread, process or
 * program holds a proxy of its objects any more and no call to it waits.
 * @throws {ValidationError} for a bad address or authkey, an unknown option (a misspelt `authKey` is
 *   refused, not replaced by a random key), or an argument a method does not take (async: rejects).
 * @example
 * const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'abracadabra' });
 * const jobs: string[] = [];
 * server.register('jobs', () => ({ add: (j: string) => jobs.push(j), all: () => jobs }));
 * const address = await server.start();
 * // in another program (or machine):
 * const client = new BaseManager({ address, authkey: 'abracadabra' });
 * await client.connect();
 * const q = await client.create<{ add(j: string): number }>('jobs');
 * await q.add('hello');
 * console.log(jobs); // [ 'hello' ]
 * await server.shutdown();
 */
export class BaseManager implements AsyncDisposable {
  readonly #factories = new Map<string, ServedFactory>();
  readonly #options: WithoutNulls<ManagerOptions>;
  #server: ManagerServer | null = null;
  #state: ManagerState = 'initial';
  #address: Address | undefined;
  #authkey: string | null = null;

  constructor(given: ManagerOptions | null = {}) {
    this.#options = readManagerOptions(given, arguments.length);
    this.#address = this.#options.address;
  }

  /**
   * Registers `typeid`: on a serving manager, `factory(...args)` makes each object; on a connecting
   * one, the factory is not needed (the server has it). Python: `register(typeid, callable, exposed=...)`.
   * As Python's, it adds the method `m[typeid](...args)`, which is `m.create(typeid, ...args)`,
   * unless `typeid` names a member of the manager already (`start`, `shutdown`, …; Python would
   * replace it) or one JavaScript calls itself (`then` would make the manager a thenable, `toJSON`):
   * then use `create()`. A Python spelling that only points elsewhere (a SyncManager's `Pool`) gets
   * it. A built-in type (`dict`, …) is refused. The returned manager has that method's type.
   * @param typeid - the name clients `create()` it by.
   * @param factory - makes the object, a function or a class (called with `new`); its public
   *   methods become the proxy's (async) methods. It runs synchronously and must return an object
   *   (or function): `create()` rejects with `TypeError` for a primitive, `null`, `undefined` or a
   *   Promise (an async factory; its object's methods may be async instead).
   * @param options - `exposed`: the only method names the proxies may call (Python's `exposed=`;
   *   names starting with `_` too); calling another rejects with `ValidationError`, in every
   *   program, without reaching the object. @default every public method (not starting with `_`)
   * @throws {ValidationError} for an empty or built-in typeid (`dict`, `Queue`, …), a factory that
   *   is not a function or class, an `exposed` not an array of method names or naming a proxy's own
   *   member (`then`, `toString`, `callMethod`, …), or another option (Python's `proxytype=`, …).
   * @example
   * const server = new BaseManager().register('Bar', () => ({ f: () => 1, g: () => 2 }), { exposed: ['g'] });
   * await server.start();
   * const bar = await server.Bar(); // or await server.create<{ f(): number; g(): number }>('Bar')
   * console.log(await bar.g()); // 2 (bar.f() rejects: ValidationError)
   * await server.shutdown();
   */
  register<K extends string, F extends Factory = Factory>(
    typeid: K,
    factory?: F,
    options?: RegisterOptions,
  ): this & TypeidMethod<this, K, F> {
    const make = servedFactory(typeid, factory, options, this.#factories.get(typeid));
    if (make) this.#factories.set(typeid, make);
    addTypeidMethod(this, typeid);
    return this as this & TypeidMethod<this, K, F>;
  }

  /** @internal Registers a built-in type whose served object the factory makes itself. */
  protected registerServed(typeid: string, factory: ServedFactory): void {
    this.#factories.set(typeid, factory);
  }

  /**
   * Starts serving the registered types from this program; resolves to the address clients use.
   * `initializer(...initargs)` (`initargs` default `[]`; `null`: none) runs and is awaited first:
   * Python runs it in the manager's server process, which here is this program. Python:
   * `start(initializer, initargs)`; `serveForever()` also keeps the program alive.
   * @throws {ProcessError} when already started or connected (`ManagerClosedError`: shut down meanwhile).
   * @throws {ValidationError} when `initializer` is not a function or `initargs` not an array
   *   (Python: `TypeError`); what `initializer` throws rejects the call, and nothing is served.
   * @example
   * const m = new SyncManager();
   * await m.start(() => console.log('serving soon'));
   * await m.shutdown();
   */
  async start(
    initializer?: ((...args: any[]) => unknown) | null,
    initargs: readonly unknown[] = [],
  ): Promise<Address> {
    checkInitializer(initializer, initargs);
    checkManagerState(this.#state, 'initial', 'start()');
    if (initializer != null) await initializer(...initargs);
    this.#address = await this.#serve().start();
    return this.#address;
  }

  /**
   * Serves until `shutdown()`, keeping the program alive meanwhile (the server alone does not);
   * starts it first when not started. SIGINT (Ctrl-C) or SIGTERM shuts it down, and the program
   * then ends as usual. Resolves once it is shut down. Python: `get_server().serve_forever()`
   * (which exits the program with status 0 on Ctrl-C). Another program's connected manager cannot
   * end it: its `shutdown()` drops its own connection only.
   * @throws {ProcessError} when the manager is connected, `ManagerClosedError` when shut down.
   * @throws {ValidationError} and what `start()` throws, when it starts the manager.
   * @example
   * const m = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'abracadabra' });
   * setTimeout(() => void m.shutdown(), 100); // or a served object's method, SIGINT, SIGTERM
   * await m.serveForever(); // Python: m.get_server().serve_forever()
   * console.log('shut down');
   */
  async serveForever(): Promise<void> {
    if (this.#state === 'initial') await this.start();
    checkManagerState(this.#state, 'serving', 'serveForever()');
    await serveUntilShutDown(this, this.#server!);
  }

  /**
   * The manager's server, not started yet: `serveForever()` serves, `address` tells where. Python: `get_server()`.
   * @throws {ProcessError} when started or connected (as Python's), `ManagerClosedError` when shut down.
   * @example
   * const m = new BaseManager({ address: ['127.0.0.1', 0] });
   * const server = m.getServer();
   * setTimeout(() => void m.shutdown(), 100);
   * await server.serveForever(); // Python: m.get_server().serve_forever()
   * console.log(server.address); // [ '127.0.0.1', <the port the system picked> ]
   */
  getServer(): ManagerServerHandle {
    checkManagerState(this.#state, 'initial', 'getServer()');
    return serverHandle(this, this.#options.address, () => this.#state === 'initial');
  }

  /** @internal Starts serving on a Unix socket path at once (the default manager of contexts). */
  protected startNow(): void {
    this.#address = this.#serve().startNow();
  }

  #serve(): ManagerServer {
    checkManagerState(this.#state, 'initial', 'start()');
    const key = keyBytes(this.#options.authkey) ?? Buffer.from(processAuthkey());
    const server = new ManagerServer(this.#options.address, key, this.#factories);
    this.#server = server;
    this.#authkey = server.authkey;
    this.#state = 'serving';
    serveWhileReachable(this, server);
    return server;
  }

  /**
   * Connects to a manager another program serves at `address` with the same `authkey`. Python:
   * `connect()`, which may be called again: it connects anew and the manager stays connected.
   * Without an `authkey`, this program's own (`processAuthkey()`, inherited from its parent) is used.
   * A manager serving from this program (`start()`) resolves at once, as Python's own-server connect.
   * @throws {ValidationError} without an `address`.
   * @throws {AuthenticationError} when the key differs.
   * @throws {ManagerClosedError} when nobody serves at the address (also on a later call).
   * @throws {ManagerClosedError} when shut down, also by a `shutdown()` made while it connected (it stays so).
   * @example
   * const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'abracadabra' });
   * const client = new BaseManager({ address: await server.start(), authkey: 'abracadabra' });
   * await client.connect();
   * await client.connect(); // again: still connected
   * await client.shutdown(); // drops its connection only
   * await server.shutdown();
   */
  async connect(): Promise<void> {
    if (this.#state === 'serving') return; // its own server: reached without a connection
    if (this.#state !== 'connected') checkManagerState(this.#state, 'initial', 'connect()');
    const shutDown = () => this.#state === 'shutdown';
    this.#authkey = await reachManager(this.#address, this.#options.authkey, shutDown);
    this.#state = 'connected';
  }

  /** Where the manager serves. Python: `address`. @throws {ProcessError} until start()/connect() resolved. */
  get address(): Address {
    return knownAddress(this.#state === 'initial' ? undefined : this.#address);
  }

  /**
   * Makes a new object of a registered type in the manager and resolves to its proxy. Python: the
   * `typeid()` method `register()` adds. The proxy has methods only, as Python's `AutoProxy`: any
   * name read on it (`p.x`) is a function calling the method of that name, which rejects (a
   * `TypeError`, or `ValidationError` outside `exposed`) when the object has no such public method.
   * @param typeid - a registered type.
   * @param args - the factory's arguments.
   * @throws {ProcessError} before `start()`/`connect()`, saying to call it first (Python asserts it).
   * @throws {ManagerClosedError} when the manager is gone.
   */
  async create<T = Record<string, Factory>>(typeid: string, ...args: unknown[]): Promise<AutoProxy<T>> {
    if (this.#server) return this.createLocal(typeid, copied(args, 'args'));
    checkManagerState(this.#state, 'connected', 'create()');
    const client = clientFor(this.#address!, this.#authkey!);
    const ref = (await client.request(0, 'create', [typeid, args])) as ProxyRef;
    return makeProxy(madeHere(ref));
  }

  /**
   * @internal Creates an object in this program's own server, at once; on a connected manager, in
   * its server, behind a proxy usable at once (its calls wait for the object, see pendingProxy).
   */
  protected createLocal<P>(typeid: string, args: unknown[]): P {
    if (this.#state === 'connected') {
      const ref = clientFor(this.#address!, this.#authkey!).request(0, 'create', [typeid, args]);
      return pendingProxy<P>(typeid, ref as Promise<ProxyRef>, this.#address!, this.#authkey!);
    }
    checkManagerState(this.#state, 'serving', `Cannot create ${withArticle(typeid)}`);
    return makeProxy(madeHere(this.#server!.create(typeid, args)));
  }

  /** @internal Whether this manager serves from this program (not connected, not shut down). */
  protected get serving(): boolean {
    return this.#state === 'serving';
  }

  /**
   * How many objects the manager serves (one no proxy anywhere refers to is freed once its last
   * proxy is collected). Python: `_number_of_objects()`. @throws {ManagerClosedError} when it is gone.
   * @throws {ProcessError} before `start()` or `connect()`, saying to call it first.
   */
  async numberOfObjects(): Promise<number> {
    // A shut-down server keeps its count; the manager is gone all the same.
    if (this.#server && this.#state === 'serving') return this.#server.objectCount;
    checkManagerState(this.#state, 'connected', 'numberOfObjects()');
    return (await clientFor(this.#address!, this.#authkey!).request(0, 'numberOfObjects', [])) as number;
  }

  /** @internal The served object a proxy of this manager stands for. */
  protected resolveLocal(value: unknown): Served | undefined {
    return this.#server?.resolve(value);
  }

  /**
   * Stops serving (a serving manager): every proxy's pending and later calls reject with
   * `ManagerClosedError`. A connected manager only stops using the connection. Python: `shutdown()`.
   * A manager never started is shut down too (nothing to stop; `start()` then fails).
   */
  async shutdown(): Promise<void> {
    this.#state = 'shutdown';
    if (this.#server) shutDownBy(this, this.#server);
  }

  /** `await using m = …` shuts it down at the end of the block. Python: `with Manager() as m:`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /**
   * `using m = …` shuts it down at the end of the block too: stopping is synchronous (what
   * `shutdown()` returns is already settled).
   * @example
   * { using manager = Manager(); await manager.dict().set('a', 1); } // shut down at the brace
   */
  [Symbol.dispose](): void {
    void this.shutdown();
  }
}

disposableInEveryRealm(BaseManager.prototype);
refuseExtraArguments(BaseManager.prototype, 'BaseManager');
