/**
 * BaseManager: serves objects from one program to others, on this machine or across a network.
 * Mirrors Python's `multiprocessing.managers.BaseManager`.
 */
import { ClosedError, readOptions, ValidationError } from '@multiproc/shared';
import { processAuthkey } from '../authkey.js';
import { ManagerClosedError } from '../errors.js';
import { clientFor, hasClient } from '../internal/manager/client-registry.js';
import { ServedObject } from '../internal/manager/served-data.js';
import type { Served } from '../internal/manager/served-sync.js';
import { ManagerServer, type ServedFactory } from '../internal/manager/server.js';
import type { ProxyRef } from '../internal/manager/wire.js';
import { type Address, netAddress } from '../internal/net/endpoint.js';
import { keyBytes } from '../internal/net/handshake.js';
import { type AutoProxy, makeProxy, pendingProxy } from './proxy.js';

/** The options a manager takes. @internal */
export const MANAGER_KEYS: readonly string[] = ['address', 'authkey'];

/** Options of {@link BaseManager} and `Manager`. */
export interface ManagerOptions {
  /**
   * Where the manager listens (`start()`) or is reached (`connect()`): a Unix socket path or
   * `[host, port]`. Give a host other than `'localhost'`/`'127.0.0.1'` only to serve other machines.
   * @default a new Unix socket path in the temp directory (this machine only)
   */
  address?: Address;
  /**
   * The secret every client must prove it holds (HMAC challenge/response, both ways); peers without
   * it are refused with `AuthenticationError`. Proxies sent to workers carry it.
   * @default this program's key, `processAuthkey()` (32 random bytes a worker inherits from its parent)
   */
  authkey?: string | Uint8Array;
}

/**
 * A registered type: what the server calls to make the object a proxy then stands for, a function
 * or a class (constructed with `new`, as Python's `register('Maths', MathsClass)` calls the class).
 */
export type Factory = ((...args: any[]) => unknown) | (new (...args: any[]) => unknown);

/** Whether `f` is a `class` (it must be called with `new`). */
const isClass = (f: Factory): f is new (...args: any[]) => unknown =>
  Function.prototype.toString.call(f).startsWith('class');

type State = 'initial' | 'serving' | 'connected' | 'shutdown';

/**
 * Serves objects made by registered factories, from this program, to proxies in any thread,
 * process or program that holds the address and `authkey`. Mirrors Python's `BaseManager`
 * (`register`, `start`/`get_server().serve_forever()`, `connect`, `shutdown`). Unlike Python's
 * `start()`, the objects are served from this program's thread (no server process is started):
 * they live as long as this program or until `shutdown()`, and the server never keeps the program
 * alive by itself.
 * @throws {ValidationError} from the constructor for a bad address or authkey, or an unknown
 *   option (a misspelt `authKey` is refused, not replaced by a random key).
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
  readonly #options: ManagerOptions;
  #server: ManagerServer | null = null;
  #state: State = 'initial';
  #address: Address | undefined;
  #authkey: string | null = null;

  constructor(options: ManagerOptions | null = {}) {
    options = readOptions(options, MANAGER_KEYS, 'new BaseManager()');
    if (options.address !== undefined) netAddress(options.address, 'new BaseManager()');
    if (
      options.authkey !== undefined &&
      typeof options.authkey !== 'string' &&
      !(options.authkey instanceof Uint8Array)
    ) {
      throw new ValidationError('new BaseManager(): authkey must be a string or a Uint8Array.');
    }
    this.#options = options;
    this.#address = options.address;
  }

  /**
   * Registers `typeid`: on a serving manager, `factory(...args)` makes each object; on a connecting
   * one, the factory is not needed (the server has it). Python: `register(typeid, callable)`.
   * @param typeid - the name clients `create()` it by.
   * @param factory - makes the object, a function or a class (called with `new`); its public
   *   methods become the proxy's (async) methods.
   * @throws {ValidationError} for an empty typeid, or a factory that is not a function or class.
   */
  register(typeid: string, factory?: Factory): this {
    if (typeof typeid !== 'string' || typeid.length === 0) {
      throw new ValidationError('register(): typeid must be a non-empty string.');
    }
    if (factory !== undefined && typeof factory !== 'function') {
      throw new ValidationError(
        `register('${typeid}'): the factory must be a function or a class that makes the object, got ${typeof factory}.`,
      );
    }
    if (factory) {
      const create = isClass(factory)
        ? (args: unknown[]) => new factory(...args)
        : (args: unknown[]) => factory(...args);
      const make: ServedFactory = (args) => new ServedObject(create(args) as object);
      make.auto = true;
      this.#factories.set(typeid, make);
    }
    return this;
  }

  /** @internal Registers a built-in type whose served object the factory makes itself. */
  protected registerServed(typeid: string, factory: ServedFactory): void {
    this.#factories.set(typeid, factory);
  }

  /**
   * Starts serving the registered types from this program; resolves to the address clients use.
   * Python: `start()` / `get_server().serve_forever()`.
   * @throws {ProcessError} when already started or connected.
   */
  async start(): Promise<Address> {
    this.#address = await this.#serve().start();
    return this.#address;
  }

  /** @internal Starts serving on a Unix socket path at once (the default manager of contexts). */
  protected startNow(): void {
    this.#address = this.#serve().startNow();
  }

  #serve(): ManagerServer {
    this.#checkState('initial', 'start()');
    const key = keyBytes(this.#options.authkey) ?? Buffer.from(processAuthkey());
    const server = new ManagerServer(this.#options.address, key, this.#factories);
    this.#server = server;
    this.#authkey = server.authkey;
    this.#state = 'serving';
    return server;
  }

  /**
   * Connects to a manager another program serves at `address` with the same `authkey`.
   * Python: `connect()`.
   * Without an `authkey`, this program's own (`processAuthkey()`, inherited from its parent) is used.
   * @throws {ValidationError} without an `address`.
   * @throws {AuthenticationError} when the key differs.
   * @throws {ManagerClosedError} when nobody serves at the address.
   */
  async connect(): Promise<void> {
    this.#checkState('initial', 'connect()');
    const key = keyBytes(this.#options.authkey) ?? Buffer.from(processAuthkey());
    if (!this.#address) {
      throw new ValidationError('connect() needs the { address } the serving manager was given.');
    }
    this.#authkey = key.toString('hex');
    // A connection this thread made before may be to a manager that has ended since (one started
    // again at the address is another), its close not read yet: asked, it fails; then ask anew.
    const reused = hasClient(this.#address, this.#authkey);
    const client = clientFor(this.#address, this.#authkey);
    try {
      await client.request(0, 'typeids', []);
    } catch (err) {
      if (!reused || !(err instanceof ManagerClosedError)) throw err;
      await clientFor(this.#address, this.#authkey).request(0, 'typeids', []);
    }
    this.#state = 'connected';
  }

  /** Where the manager serves. Python: `address`. @throws {ClosedError} before start()/connect(). */
  get address(): Address {
    if (!this.#address || this.#state === 'initial')
      throw new ClosedError('The manager is not started or connected yet.');
    return this.#address;
  }

  /**
   * Makes a new object of a registered type in the manager and resolves to its proxy. Python: the
   * `typeid()` method `register()` adds.
   * @param typeid - a registered type.
   * @param args - the factory's arguments.
   * @throws {ManagerClosedError} when the manager is gone.
   */
  async create<T = Record<string, Factory>>(typeid: string, ...args: unknown[]): Promise<AutoProxy<T>> {
    if (this.#server) return this.createLocal(typeid, args);
    this.#checkState('connected', 'create()');
    const ref = (await clientFor(this.#address!, this.#authkey!).request(0, 'create', [
      typeid,
      args,
    ])) as ProxyRef;
    return makeProxy(ref);
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
    if (this.#state !== 'serving' || !this.#server) {
      throw new ClosedError(
        `Cannot create a ${typeid}: the manager is ${this.#state === 'shutdown' ? 'shut down' : 'not started'}.`,
      );
    }
    return makeProxy(this.#server.create(typeid, args));
  }

  /** @internal The served object a proxy of this manager stands for. */
  protected resolveLocal(value: unknown): Served | undefined {
    return this.#server?.resolve(value);
  }

  /**
   * Stops serving (a serving manager): every proxy's pending and later calls reject with
   * `ManagerClosedError`. A connected manager only stops using the connection. Python: `shutdown()`.
   */
  async shutdown(): Promise<void> {
    this.#state = 'shutdown';
    this.#server?.shutdown();
  }

  /** `await using m = …` shuts it down at the end of the block. Python: `with Manager() as m:`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /**
   * `using m = …` shuts it down at the end of the block too: stopping is synchronous (what
   * `shutdown()` returns is already settled).
   * @example
   * {
   *   using manager = Manager();
   *   const d = manager.dict();
   *   await d.set('a', 1);
   * } // shut down here
   */
  [Symbol.dispose](): void {
    void this.shutdown();
  }

  #checkState(want: State, method: string): void {
    if (this.#state !== want) {
      throw new ClosedError(
        `${method}: the manager is ${this.#state === 'initial' ? 'not started' : this.#state}.`,
      );
    }
  }
}
