/**
 * A manager's options, `register()`'s arguments and `getServer()`'s result: their types and how
 * they are read.
 */

import { types } from 'node:util';
import {
  isPythonName,
  ProcessError,
  readOptions,
  tooManyArguments,
  ValidationError,
  type WithoutNulls,
  withArticle,
} from '@multiproc/shared';
import { ServedObject } from '../internal/manager/served-data.js';
import type { ServedFactory } from '../internal/manager/server.js';
import { type Address, netAddress } from '../internal/net/endpoint.js';
import { type AutoProxy, BaseProxy } from './proxy.js';

/** The options a manager takes. @internal */
export const MANAGER_KEYS: readonly string[] = ['address', 'authkey'];

/** Options of {@link BaseManager} and `Manager`. */
export interface ManagerOptions {
  /**
   * Where the manager listens (`start()`) or is reached (`connect()`): a Unix socket path or
   * `[host, port]`. Give a host other than `'localhost'`/`'127.0.0.1'` only to serve other machines.
   * @default a new Unix socket path in the temp directory (this machine only), its file made with
   *   mode 0600 (this user only; Python: a 0700 folder). A path given keeps the mode the umask makes.
   */
  address?: Address | null | undefined;
  /**
   * The secret every client must prove it holds (HMAC challenge/response, both ways); peers without
   * it are refused with `AuthenticationError`. Proxies sent to workers carry it.
   * @default this program's key, `processAuthkey()` (32 random bytes a worker inherits from its parent)
   */
  authkey?: string | Uint8Array | null | undefined;
}

/**
 * What `getServer()` returns: the manager's server, to serve with. Python: `managers.Server`
 * (`get_server()`'s result, with `address` and `serve_forever()`).
 * @example
 * const m = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'abracadabra' });
 * m.register('jobs', () => ({ count: () => 3 }));
 * const server = m.getServer();
 * setTimeout(() => void m.shutdown(), 100); // or a served object's method, SIGINT, SIGTERM
 * await server.serveForever(); // Python: server.serve_forever()
 * console.log(server.address); // [ '127.0.0.1', <the port the system picked> ]
 */
export interface ManagerServerHandle {
  /**
   * Where it serves (or will): the address the manager was given, a Unix socket path or
   * `[host, port]`, or the one it bound once serving.
   * @throws {ClosedError} before serving when no address or a port of 0 was given (the system
   *   picks it when it binds): read it after `serveForever()` started, or use `await m.start()`.
   */
  readonly address: Address;
  /** The manager's `serveForever()`. */
  serveForever(): Promise<void>;
}

/**
 * `given`, the options of `what` (`'Manager()'`) called with `args` arguments, read.
 * @throws {ValidationError} for a second argument, or an unknown option (`authKey`).
 */
export function managerOptions(given: ManagerOptions | null, what: string, args: number): ManagerOptions {
  if (args > 1) {
    const form = `${what.slice(0, -1)}{ address, authkey })`;
    throw tooManyArguments(what, args, 'an optional options object ({ address, authkey })', `use ${form}`);
  }
  return readOptions(given, MANAGER_KEYS, what);
}

/** The manager's options read and checked. @throws {ValidationError} for a bad address or authkey. */
export function readManagerOptions(given: ManagerOptions | null, args = 1): WithoutNulls<ManagerOptions> {
  const options = managerOptions(given, 'new BaseManager()', args) as WithoutNulls<ManagerOptions>;
  if (options.address !== undefined) netAddress(options.address, 'new BaseManager()');
  const { authkey } = options;
  if (authkey !== undefined && typeof authkey !== 'string' && !(authkey instanceof Uint8Array)) {
    throw new ValidationError('new BaseManager(): authkey must be a string or a Uint8Array.');
  }
  return options;
}

/**
 * A manager's `address` (`undefined`: not started or connected yet, or still binding), or the error
 * saying to await start(): a ProcessError, as a Listener's not bound yet; not a ClosedError, which
 * means after close().
 */
export function knownAddress(address: Address | undefined): Address {
  if (address !== undefined) return address;
  throw new ProcessError(
    'The manager is not started or connected yet: read its address once `await manager.start()` (or `connect()`) resolved; start() also resolves to it.',
  );
}

/**
 * `getServer()`'s result for `manager`, given `given` as its address: that address while `initial()`
 * (unless the system picks it: none given, or port 0), else the manager's.
 */
export function serverHandle(
  manager: { readonly address: Address; serveForever(): Promise<void> },
  given: Address | undefined,
  initial: () => boolean,
): ManagerServerHandle {
  const literal = typeof given === 'string' || (given !== undefined && given[1] !== 0);
  return {
    get address(): Address {
      return initial() && literal ? given! : manager.address;
    },
    serveForever: () => manager.serveForever(),
  };
}

/** `register()`'s options. */
export interface RegisterOptions {
  /**
   * The only methods the proxies may call (Python's `exposed=`). A name every proxy has itself
   * (`then`, `toString`, `toJSON`, `callMethod`, `typeid`, `constructor`, `Object.prototype`'s) is
   * refused with `ValidationError`: its proxies would call their own member, never the served one.
   * Without `exposed`, a served method of such a name is reached with `proxy.callMethod(name)`.
   */
  readonly exposed?: readonly string[] | null | undefined;
}

const REGISTER_KEYS: readonly string[] = ['exposed'];

/** The `exposed` option read and checked: a copy of the names, or undefined for every method. */
export function readExposed(typeid: string, options: RegisterOptions | undefined): string[] | undefined {
  const { exposed } = readOptions(options, REGISTER_KEYS, `register('${typeid}')`);
  if (exposed === undefined) return undefined;
  if (!Array.isArray(exposed) || exposed.some((m) => typeof m !== 'string' || m.length === 0)) {
    throw new ValidationError(
      `register('${typeid}'): exposed must be an array of method names (Python's exposed=), got ${String(exposed)}.`,
    );
  }
  // A name the proxy has itself is never forwarded (`then` would make every proxy a thenable).
  const own = exposed.find((m: string) => m === 'then' || m in BaseProxy.prototype);
  if (own !== undefined) {
    throw new ValidationError(
      `register('${typeid}'): exposed names '${own}', which every proxy has itself (${proxyOwn(own)}), ` +
        `so its proxies could never call it. Give the served object a method of another name that ` +
        `calls ${own}() and expose that.`,
    );
  }
  return [...exposed];
}

/** What a proxy's own member `name` is, for the message above. */
function proxyOwn(name: string): string {
  if (name === 'then') return 'a proxy is no thenable: awaiting one gives the proxy';
  if (name === 'typeid' || name === 'callMethod') return `BaseProxy's ${name}`;
  if (name === 'toString' || name === 'toJSON') return `BaseProxy's ${name}(), which JavaScript calls itself`;
  return `JavaScript's Object.prototype.${name}`;
}

/**
 * A registered type: what the server calls to make the object a proxy then stands for, a function
 * or a class (constructed with `new`, as Python's `register('Maths', MathsClass)` calls the class).
 */
export type Factory = ((...args: any[]) => unknown) | (new (...args: any[]) => unknown);

/** Whether `f` is a `class` (it must be called with `new`). */
export const isClass = (f: Factory): f is new (...args: any[]) => unknown =>
  Function.prototype.toString.call(f).startsWith('class');

/** The arguments a factory takes (any, when registered without one: a connecting manager). */
type FactoryArgs<F> = Factory extends F
  ? unknown[]
  : F extends new (
        ...args: infer A
      ) => unknown
    ? A
    : F extends (...args: infer A) => unknown
      ? A
      : unknown[];

/** The object a factory makes (a class's instance, a function's result). */
type Made<F> = Factory extends F
  ? Record<string, (...args: any[]) => unknown>
  : F extends new (
        ...args: any[]
      ) => infer I
    ? I
    : F extends (...args: any[]) => infer R
      ? R
      : Record<string, Factory>;

/**
 * The method `register(typeid, factory)` adds to a manager `M`: `m[typeid](...args)` is
 * `m.create(typeid, ...args)`, typed by the factory (or by `T`: `m.getQueue<Q>()`, on a connecting
 * manager registered without one). None for a typeid that names a member of the
 * manager (`start`, `shutdown`, `dict`, …: `create()` only), nor for a typeid not known as a literal.
 */
export type TypeidMethod<M, K extends string, F> = string extends K
  ? unknown
  : { [P in Exclude<K, keyof M>]: <T = Made<F>>(...args: FactoryArgs<F>) => Promise<AutoProxy<T>> };

/** What a serving manager calls to make an object of `typeid` (undefined without a factory). */
export function servedFactory(
  typeid: string,
  factory: Factory | undefined,
  options: RegisterOptions | undefined,
  current: ServedFactory | undefined,
): ServedFactory | undefined {
  if (typeof typeid !== 'string' || typeid.length === 0) {
    throw new ValidationError('register(): typeid must be a non-empty string.');
  }
  // A built-in type (a SyncManager's `dict`, `Queue`, ...): its method makes its own proxy, which
  // over another object breaks. Python's register() replaces the method; its type here cannot.
  if (current && !current.auto) {
    throw new ValidationError(
      `register('${typeid}'): '${typeid}' is one of this manager's own types (its ${typeid}() makes one), ` +
        `which register() cannot replace: register your factory under another name, such as ` +
        `register('My${typeid}', factory), and make it with m.My${typeid}() or m.create('My${typeid}').`,
    );
  }
  const exposed = readExposed(typeid, options);
  if (factory !== undefined && typeof factory !== 'function') {
    throw new ValidationError(
      `register('${typeid}'): the factory must be a function or a class that makes the object, got ${typeof factory}.`,
    );
  }
  if (!factory) return undefined;
  const create = isClass(factory)
    ? (args: unknown[]) => new factory(...args)
    : (args: unknown[]) => factory(...args);
  const fields = exposed === undefined ? undefined : { exposed };
  const make: ServedFactory = (args) => new ServedObject(madeObject(typeid, create(args)), fields);
  make.auto = true;
  return make;
}

/**
 * `made`, what the factory of `typeid` returned, when it is an object to serve (a function is one).
 * @throws {TypeError} for a primitive, `null` or `undefined` (a proxy stands for an object whose
 *   methods it calls), and for a Promise (an async factory's result): the factory runs synchronously
 *   in the manager, as Python's `callable`, so the object it resolves to would never be served.
 */
function madeObject(typeid: string, made: unknown): object {
  const fix =
    `register('${typeid}')'s factory must return the object to serve (a class instance, or an object ` +
    'or function with methods)';
  if (made === null || (typeof made !== 'object' && typeof made !== 'function')) {
    const got = made === null || made === undefined ? String(made) : withArticle(typeof made);
    throw new TypeError(`${fix}; it returned ${got}.`);
  }
  if (types.isPromise(made)) {
    throw new TypeError(
      `${fix}; it returned a Promise: the manager calls a factory synchronously and ` +
        'does not await it. Return the object at once and let its methods await what it sets up (they may be async).',
    );
  }
  return made;
}

/**
 * Names JavaScript itself calls on any object, so a method of that name would change what the
 * manager is: `then` makes it a thenable (`await` and an async function returning it would call
 * `create('then')` instead of giving the manager), `toJSON` runs in `JSON.stringify()`. `create()`
 * makes these types.
 */
const CALLED_BY_JAVASCRIPT: ReadonlySet<string> = new Set(['then', 'toJSON']);

/**
 * Adds `manager[typeid](...args)`, which is `manager.create(typeid, ...args)` (Python's `register`
 * adds the method `typeid` to the manager's class), unless `typeid` names a member of the manager
 * already (a method such as `start` or `dict`, or one added before): Python would replace it. A
 * Python spelling that only says what to use instead (a SyncManager's `Pool`, `get_server`) is no
 * member: the method replaces it, as Python's `register('Pool', ...)` replaces `SyncManager.Pool`.
 */
export function addTypeidMethod(
  manager: { create(typeid: string, ...args: unknown[]): Promise<unknown> },
  typeid: string,
): void {
  if (CALLED_BY_JAVASCRIPT.has(typeid) || (typeid in manager && !isPythonName(manager, typeid))) return;
  const method = { [typeid]: (...args: unknown[]) => manager.create(typeid, ...args) }[typeid];
  Object.defineProperty(manager, typeid, { value: method, writable: true, configurable: true });
}

/** Checks `start(initializer, initargs)`: a function (or null) and an array, as Python's `TypeError` does. */
export function checkInitializer(initializer: unknown, initargs: unknown): void {
  if ((initializer != null && typeof initializer !== 'function') || !Array.isArray(initargs)) {
    const got = `got ${typeof initializer} and ${Array.isArray(initargs) ? 'an array' : typeof initargs}`;
    throw new ValidationError(
      `start(initializer, initargs) takes a function (or null) and an array: ${got}.`,
    );
  }
}
