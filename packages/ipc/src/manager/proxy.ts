/**
 * BaseProxy: a reference to an object a manager serves. Mirrors Python's
 * `multiprocessing.managers.BaseProxy`. A proxy travels to threads and processes like a queue
 * (as `Process` or pool arguments, nested anywhere, inside values sent to other proxies); each
 * thread talks to the manager over its own connection.
 */
import {
  type EncodeContext,
  type Encoded,
  encodeSymbol,
  refuseStructuredClone,
  registerCodec,
  SerializationError,
} from '@multiproc/shared';
import type { ManagerClient } from '../internal/manager/client.js';
import { waitFor } from '../internal/manager/client-calls.js';
import { adopt, sending, using } from '../internal/manager/client-refs.js';
import { clientFor } from '../internal/manager/client-registry.js';
import { DeferredCalls } from '../internal/manager/deferred-calls.js';
import { guardIndexForms } from '../internal/manager/index-guard.js';
import { holdManager } from '../internal/manager/manager-life.js';
import { noJson, readHint, refusedMethodName } from '../internal/manager/read-hints.js';
import { refReceived, refToSend, type SentRef } from '../internal/manager/ref-keys.js';
import { remoteIterator } from '../internal/manager/remote-iterator.js';
import { argNames } from '../internal/manager/rpc.js';
import { proxyRef } from '../internal/manager/server.js';
import { madeHere, sendingRef } from '../internal/manager/unsent.js';
import { notExposed, type ProxyRef } from '../internal/manager/wire.js';
import type { Address } from '../internal/net/endpoint.js';

const TYPE = 'multiproc.Proxy';

/** @internal A proxy's pipelined write (a symbol: an AutoProxy's string keys are the served object's). */
export const pipelined: unique symbol = Symbol('multiproc.pipelinedWrite');
/** @internal A call of a dict's method, which a dict leased to this thread answers here. */
export const leasable: unique symbol = Symbol('multiproc.leasableCall');
const classes = new Map<string, new (ref: ProxyRef) => any>();
// Node's `util.inspect.custom`, without importing node:util.
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * @internal `call()`'s result, a SerializationError naming an argument the way the caller wrote it:
 * `args[0].onDone` of the request becomes `value.onDone` for `names` `['value']`, as for a value
 * put on a queue (the `args[i]` form is for task and process arguments). Named as it is encoded,
 * so its promise is the call's own (it settles in the order of the calls), else renamed after.
 */
export function namedArgs<T>(names: readonly string[], call: () => Promise<T>): Promise<T> {
  const encoded = argNames(names);
  let p: Promise<T>;
  try {
    p = call();
  } catch (err) {
    encoded(); // forgets the names
    throw err;
  }
  if (encoded()) return p;
  return p.catch((err: unknown) => {
    const at = err instanceof SerializationError ? /^args\[(\d+)\]/.exec(err.path) : null;
    const name = at ? names[Number(at[1])] : undefined;
    if (!at || name === undefined) throw err;
    const e = err as SerializationError;
    const path = name + e.path.slice(at[0].length);
    throw new SerializationError(path, e.message.split(e.path).join(path), { cause: e.cause ?? e });
  });
}

/**
 * @internal Makes the proxy class of `typeid` (its own, or an {@link AutoProxy}), counted among
 * this thread's proxies of the object (client-refs.ts); `decoded`: a copy that was sent here.
 */
export function makeProxy<P>(ref: ProxyRef, decoded = false): P {
  // A Value or Array that carries a lock is the synchronized class of its typeid.
  const name = ref.lock === undefined ? ref.typeid : `Synchronized${ref.typeid}`;
  const C = ref.auto ? undefined : classes.get(name);
  const base = C ? new C(ref) : new BaseProxy(ref);
  if (!decoded) holdManager(base, ref); // Python's BaseProxy._manager (manager-life.ts)
  adopt(base, ref, decoded); // the target: an AutoProxy's methods read off it hold it, not the Proxy
  return (C ? base : autoProxy(base)) as P;
}

/** @internal Declares the proxy class of a built-in type. */
export function proxyClass(typeid: string, C: new (ref: ProxyRef) => BaseProxy): void {
  classes.set(typeid, C);
}

/**
 * A proxy made at once for an object a connected manager is still creating (its `Lock()`, `list()`
 * …): calls made meanwhile wait for the object's reference, then go out in the order they were
 * made; a creation that failed rejects each of them.
 * @internal
 */
export function pendingProxy<P>(
  typeid: string,
  created: Promise<ProxyRef>,
  address: Address,
  authkey: string,
): P {
  const C = classes.get(typeid);
  const provisional: ProxyRef = { address, authkey, id: -1, typeid };
  const proxy = (C ? new C(provisional) : autoProxy(new BaseProxy(provisional))) as BaseProxy;
  proxy[settleRef](created);
  return proxy as P;
}

const settleRef: unique symbol = Symbol('multiproc.settleRef');

/**
 * The base of every manager proxy: the served object's type and id, and the way to call it.
 * Values read through a proxy are copies: mutating one does not change the managed object
 * (Python's well-known gotcha); write it back with the proxy's own methods. A built-in proxy's
 * method given an argument it does not take rejects with `ValidationError` (one answering at once
 * throws it), sending nothing: `d.get('a', 1, 2)`, `lock.release(1)` (Python: `TypeError`).
 * @example
 * const manager = Manager();
 * const d = manager.dict<string, number>();
 * console.log(d.typeid); // 'dict'
 * await manager.shutdown();
 */
export class BaseProxy {
  #ref: ProxyRef;
  // This thread's connection to the manager, looked up once rather than per call.
  #client: ManagerClient | null = null;
  // Set while a connected manager creates the object (pendingProxy).
  #deferred: DeferredCalls | null = null;

  /** @internal Proxies come from a manager; there is no public constructor. */
  constructor(ref: ProxyRef) {
    this.#ref = ref;
    refuseStructuredClone(this, 'a manager proxy');
  }

  /** @internal See {@link pendingProxy}. */
  [settleRef](created: Promise<ProxyRef>): void {
    const ready = created.then((ref) => {
      this.#ref = madeHere(ref);
      adopt(this, ref, false);
      return { client: this.#connection(), id: ref.id, ref };
    });
    // Calls go straight to the connection only after those made meanwhile went (in the order made):
    // this runs first of the callbacks of `ready`, each call made meanwhile is one after it.
    ready.then(
      () => (this.#deferred = null),
      () => {}, // each call reports the failure
    );
    this.#deferred = new DeferredCalls(ready);
  }

  /** The type the manager serves this object as (`'dict'`, `'Lock'`, a registered typeid). */
  get typeid(): string {
    return this.#ref.typeid;
  }

  /** @internal */
  get [proxyRef](): ProxyRef {
    return this.#ref;
  }

  /**
   * What `console.log()` and `util.inspect()` show: the proxy's class, the manager's type and
   * object id, and how to read the contents (a round trip: `inspect` cannot wait for it), e.g.
   * `DictProxy <manager 'dict' #3: await d.copy() for the contents>`. Python: `repr(proxy)`.
   * @example
   * const d = Manager().dict([['a', 1]]);
   * console.log(d); // DictProxy <manager 'dict' #1: await d.copy() for the contents>
   * console.log(await d.copy()); // Map(1) { 'a' => 1 }
   */
  [inspectSymbol](): string {
    // `this` may be an AutoProxy's Proxy (Node calls this with it): public members only, no #fields.
    const ref = this[proxyRef];
    const name = ref.auto ? 'AutoProxy' : this.constructor.name;
    return `${name} <manager '${ref.typeid}' #${ref.id}: ${readHint(ref)}>`;
  }

  /** The same text as `console.log()` shows (see the inspect method): `${d}` tells what `d` is. */
  toString(): string {
    return this[inspectSymbol]();
  }

  /**
   * Refuses `JSON.stringify(proxy)`, which would write `{}`: the proxy holds only its object's
   * reference. Python's `json.dumps(proxy)` raises TypeError.
   * @throws {ContextError} always; read the object first (`JSON.stringify(await l.copy())`).
   * @example
   * const l = Manager().list([1, 2]);
   * console.log(JSON.stringify(await l.copy())); // [1,2]
   */
  toJSON(): never {
    throw noJson(this[proxyRef]);
  }

  /**
   * Calls `method` of the managed object with `args` and resolves to its result. Python:
   * `_callmethod(methodname, args)`.
   * @param method - a public method of the served object.
   * @param args - its arguments (sent like a queue item).
   * @throws {ManagerClosedError} when the manager is gone.
   * @throws {AuthenticationError} when the key does not match (a proxy from another program: ref-keys.ts).
   * @throws {ProcessError} (`errno` `'EMFILE'`) when no connection can be opened: out of descriptors.
   * @throws {ValidationError} (the promise rejects) when `method` is not a non-empty string.
   * @example
   * const manager = Manager();
   * const l = manager.list([3, 1, 2]);
   * await l.callMethod('sort');
   * console.log(await l.copy()); // [ 1, 2, 3 ]
   * await manager.shutdown();
   */
  callMethod(method: string, ...args: unknown[]): Promise<unknown> {
    return refusedMethodName(method) ?? this.client().request(this.#ref.id, method, args);
  }

  /**
   * @internal Calls `method`, a write whose result is undefined and that the manager cannot refuse
   * once the proxy checked its arguments: sent without waiting for the manager's answer once this
   * thread is a registered writer of the object (internal/manager/client.ts). Resolves once sent.
   */
  [pipelined](method: string, ...args: unknown[]): Promise<void> {
    return this.client().write(this.#ref.id, method, args) as Promise<void>;
  }

  /**
   * @internal Calls `method` of a dict: answered by this thread's replica while the manager leases
   * the dict to it (internal/manager/client-data-lease.ts), else by the manager.
   */
  [leasable](method: string, ...args: unknown[]): Promise<unknown> {
    return this.client().dataCall(this.#ref.id, method, args);
  }

  /**
   * @internal Calls `method` with `args` (by default `[timeoutMs]`), a wait that lasts up to
   * `timeoutMs` (-1: no limit). An unbounded one on a manager this thread serves holds the program
   * open only while another party could end it (internal/manager/stuck.ts).
   */
  protected waitCall(method: string, timeoutMs: number, args: unknown[] = [timeoutMs]): Promise<unknown> {
    return this.client().request(this.#ref.id, method, args, false, waitFor(timeoutMs));
  }

  /** @internal This thread's connection to the manager (a new one after the last one died). */
  protected client(): ManagerClient {
    if (this.#deferred !== null) return this.#deferred as unknown as ManagerClient;
    return this.#connection();
  }

  #connection(): ManagerClient {
    let client = this.#client;
    if (client === null || client.dead) {
      client = clientFor(this.#ref.address, this.#ref.authkey, this.#ref.server);
      this.#client = client;
      using(this.#ref, client); // this thread holds the object from its first call (client-refs.ts)
    }
    return client;
  }

  /** @internal The codec protocol: proxies travel as their reference. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    if (this.#deferred !== null) {
      throw new SerializationError(
        ctx.path,
        `Cannot send ${ctx.path}: the connected manager is still creating this ${this.#ref.typeid}. ` +
          'Await one of its calls first, or make it with `await manager.create(typeid)`.',
      );
    }
    const ref = this.#ref;
    sendingRef(ref); // others may reach it from now on (a Lock's release() asks the manager)
    sending(ref, () => clientFor(ref.address, ref.authkey, ref.server));
    return { type: TYPE, data: refToSend(ref) }; // never the key itself (ref-keys.ts)
  }
}

// `d['k'] = 1`, `l[0]`, `ns.x = 1`: a ContextError naming the method, never a silent local property.
guardIndexForms(BaseProxy.prototype);

/**
 * A proxy for a type registered without a proxy class: every method of the served object is an
 * async method here. Mirrors Python's `AutoProxy`.
 * @typeParam T - the served object's type (its methods become async methods of the proxy).
 */
export type AutoProxy<T = Record<string, (...args: never[]) => unknown>> = BaseProxy & {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

function autoProxy(base: BaseProxy): BaseProxy {
  const { exposed } = base[proxyRef];
  return new Proxy(base, {
    get(target, prop) {
      if (prop === Symbol.asyncIterator && (exposed === undefined || exposed.includes('next')))
        return () => remoteIterator(() => target.callMethod('next')); // Python's IteratorProxy
      if (typeof prop === 'symbol' || prop in target || prop === 'then') {
        // The target itself as `this`: its private fields are not reachable through the Proxy.
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      if (exposed !== undefined && !exposed.includes(prop))
        return () => Promise.reject(notExposed(prop, exposed)); // as Python's proxy, which lacks it
      return (...args: unknown[]) => target.callMethod(prop, ...args);
    },
  });
}

registerCodec(TYPE, (data: SentRef) => makeProxy(refReceived(data), true));
