/**
 * Manager() and SyncManager: Python's `multiprocessing.Manager()` and `SyncManager`, serving the
 * shared dict, list, Namespace, Value, Array, locks, events, conditions, barriers and queues. */
import { readOptions, type Typecode, type TypecodeValue, ValidationError } from '@multiproc/shared';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import '../internal/manager/host-bound.js'; // a manager refuses to be sent
import { checkCount as count, checkQueueSize as queueSize } from '../internal/manager/counts.js';
import { copied, iterableItems } from '../internal/manager/items.js';
import { refOf } from '../internal/manager/referent.js';
import { ServedBarrier } from '../internal/manager/served-barrier.js';
import {
  ManagedArray,
  ManagedNamespace,
  ManagedValue,
  ServedObject,
  ServedQueue,
} from '../internal/manager/served-data.js';
import { LeasedDict } from '../internal/manager/served-data-lease.js';
import { ManagedDict } from '../internal/manager/served-dict.js';
import { ManagedList } from '../internal/manager/served-list.js';
import { ServedLock, ServedSemaphore } from '../internal/manager/served-sync.js';
import { ServedCondition, ServedEvent } from '../internal/manager/served-waits.js';
import { proxyRef } from '../internal/manager/server.js';
import { madeHere } from '../internal/manager/unsent.js';
import { wireTimeout } from '../internal/manager/wire.js';
import { BaseManager, type ManagerOptions } from './base-manager.js';
import { type DictProxy, dictInit } from './data-proxies.js';
import type { ItemsProxy, ListProxy } from './list-proxy.js';
import { makeProxy } from './proxy.js';
import type { QueueProxy } from './queue-proxy.js';
import { managerOptions } from './register-options.js';
import type {
  BarrierProxy,
  ConditionProxy,
  EventProxy,
  LockProxy,
  ManagerBarrierOptions,
  SemaphoreProxy,
} from './sync-proxies.js';
import type { ArrayProxy, NamespaceProxy, ValueProxy } from './value-proxies.js';

/**
 * Serves shared objects from one home to every thread and process: `dict()`, `list()`,
 * `Namespace()`, `Value()`, `Array()`, `Lock()`, `RLock()`, `Semaphore()`, `BoundedSemaphore()`,
 * `Event()`, `Condition()`, `Barrier()`, `Queue()`, `JoinableQueue()` return proxies that can be
 * passed to `Process`es and pool tasks in both contexts, nested in arguments, to several workers
 * at once. Mirrors Python's `multiprocessing.managers.SyncManager`: `new SyncManager()` is not
 * started yet (call `start()`: before it, each factory throws `ProcessError` saying so);
 * {@link Manager}`()` returns one that is started. The objects live in this
 * program (no server process); a proxy used after `shutdown()` rejects with `ManagerClosedError`.
 * Values read through a proxy are copies: changing one does not write back. Each factory throws
 * `ValidationError` for an argument it does not take (`manager.Lock(x)`), as the thread classes do.
 * @example
 * const manager = new SyncManager();
 * await manager.start();
 * const d = manager.dict<string, number>();
 * await d.set('a', 1);
 * console.log(await d.get('a')); // 1
 * await manager.shutdown();
 */
export class SyncManager extends BaseManager {
  constructor(options: ManagerOptions | null = {}) {
    // Here, not only in BaseManager: a bundler may rename the class that `new.target` would name.
    super(managerOptions(options, 'new SyncManager()', arguments.length));
    this.registerServed('dict', (a) => new LeasedDict(new ManagedDict(a[0] as never)));
    this.registerServed('list', (a) => new ServedObject(new ManagedList(a[0] as never)));
    this.registerServed('Namespace', (a) => new ServedObject(new ManagedNamespace(a[0])));
    this.registerServed(
      'Value',
      (a) => new ServedObject(new ManagedValue(a[0] as Typecode, a[1] as never), { typecode: a[0] }),
    );
    // An Array's length and typecode are fixed: its proxies read them at once (`a.length`).
    this.registerServed('Array', (a) => {
      const array = new ManagedArray(a[0] as Typecode, a[1] as never);
      return new ServedObject(array, { length: array.len(), typecode: a[0] });
    });
    this.registerServed('Lock', () => new ServedLock(false));
    this.registerServed('RLock', () => new ServedLock(true));
    this.registerServed('Semaphore', (a) => new ServedSemaphore(a[0] as number, false));
    this.registerServed('BoundedSemaphore', (a) => new ServedSemaphore(a[0] as number, true));
    this.registerServed('Event', () => new ServedEvent());
    this.registerServed('Condition', (a) => new ServedCondition(a[0] as ServedLock | undefined));
    this.registerServed('Barrier', (a) => new ServedBarrier(a[0] as number, a[1] as number, a[2] as never));
    this.registerServed('Queue', (a) => new ServedQueue(a[0] as number));
    this.registerServed('JoinableQueue', (a) => new ServedQueue(a[0] as number, 'JoinableQueue'));
  }

  /**
   * Starts a manager serving from this program, once it listens (any `address`, a TCP port too).
   * Python: `SyncManager(address, authkey).start()`.
   * @param options - `address` and `authkey`. @default a private Unix socket and this program's `processAuthkey()`
   * @throws {ValidationError} for a bad address or authkey, or an unknown option (`authKey`).
   * @example
   * const manager = await SyncManager.start({ address: ['127.0.0.1', 0], authkey: 'secret' });
   * const lock = manager.Lock();
   * console.log(await lock.acquire()); // true
   * await manager.shutdown();
   */
  static async start(options: ManagerOptions | null = {}): Promise<SyncManager> {
    // `this`: a class that names itself in its body is renamed by bundlers (`class _SyncManager`).
    const m = new this(managerOptions(options, 'SyncManager.start()', arguments.length));
    await m.start();
    return m;
  }

  /** @internal A manager serving at once on a Unix socket (see {@link Manager}, {@link processManager}). */
  static startNow(options: ManagerOptions | null = {}): SyncManager {
    const m = new this(options);
    m.startNow();
    return m;
  }

  /**
   * A shared `dict`, keyed like a `Map` by strings, numbers and other primitives, or by arrays of
   * them compared by value (Python's tuple keys). Python: `manager.dict(mapping)`.
   * @param init pairs, a `Map` or a plain object.
   * @throws {TypeError} for an unhashable key in `init` (an object, Date, Map, or an array holding one).
   * @throws {ValidationError} when `init` is not pairs, a Map or a plain object.
   */
  dict<K = unknown, V = unknown>(
    init?: Iterable<[K, V]> | Record<string, V> | DictProxy<K, V> | ListProxy<[K, V]>,
  ): DictProxy<K, V> {
    return this.createLocal('dict', [copied(dictInit(init))]);
  }

  /**
   * A shared `list`. Python: `manager.list(sequence)`. From a list or Array proxy (a dict's: its
   * keys) it holds a copy of that object's items, as Python's `list(proxy)`.
   * @throws {ValidationError} when `init` is not iterable, or is a proxy that holds no items.
   */
  list<T = unknown>(init?: Iterable<T> | ItemsProxy<T>): ListProxy<T> {
    const items = init == null || refOf(init) ? init : iterableItems(init, 'manager.list()');
    return this.createLocal('list', [copied(items ?? [])]);
  }

  /**
   * A shared `Namespace` of named values. Python: `manager.Namespace(**attrs)`: `init` a plain
   * object or Map. From a Namespace or dict proxy it holds a copy of that object's names and values.
   * `T` (for TypeScript only) types the proxy's names and values: `m.Namespace<{ count: number }>()`;
   * by default any name holds any value (it is never inferred from `init`).
   * @throws {ValidationError} for an `init` that is no plain object, Map, Namespace or dict proxy.
   * @example
   * const manager = Manager();
   * const ns = manager.Namespace<{ count: number; name: string }>({ count: 0, name: 'jobs' });
   * await ns.set('count', (await ns.get('count')) + 1);
   * console.log(await ns.copy()); // { count: 1, name: 'jobs' }
   * await manager.shutdown();
   */
  Namespace<T extends object = Record<string, unknown>>(
    init?: NoInfer<T> | ReadonlyMap<string, unknown> | NamespaceProxy<object> | DictProxy<string>,
  ): NamespaceProxy<T> {
    return this.createLocal('Namespace', [copied(refOf(init) ? init : new ManagedNamespace(init).copy())]);
  }

  /**
   * A shared `Value`. Python: `manager.Value(typecode, value)`. Its value type follows the typecode,
   * as `Value` of `@multiproc/shared`: `bigint` for `'q'`/`'Q'`, `number` for the others.
   * @throws {ValidationError} for a bad typecode or a value that does not fit it.
   * @example
   * const manager = await SyncManager.start();
   * const big = manager.Value('q', 5n); // a ValueProxy<bigint>
   * await big.set((await big.get()) + 1n);
   * console.log(await big.get()); // 6n
   * await manager.shutdown();
   */
  Value<C extends Typecode>(typecode: C, value?: TypecodeValue<C>): ValueProxy<TypecodeValue<C>> {
    new ManagedValue(typecode, value); // checks here, where the caller can see it
    return this.createLocal('Value', [typecode, value]);
  }

  /**
   * A shared `Array` from a length or the initial items. Python: `manager.Array(typecode, sequence)`.
   * Its item type follows the typecode, as `Value`'s.
   * @throws {ValidationError} for a bad typecode or item.
   */
  Array<C extends Typecode>(
    typecode: C,
    init: number | readonly TypecodeValue<C>[],
  ): ArrayProxy<TypecodeValue<C>> {
    new ManagedArray(typecode, init as never);
    return this.createLocal('Array', [typecode, init]);
  }

  /**
   * A `Lock`; released by the manager if the thread or process holding it fails (kept held, for
   * another to release, when it ends normally: exit code 0). Python: `manager.Lock()`.
   */
  Lock(): LockProxy {
    return this.createLocal('Lock', []);
  }

  /** A reentrant lock. Python: `manager.RLock()`. */
  RLock(): LockProxy {
    return this.createLocal('RLock', []);
  }

  /** A `Semaphore(value)`. Python: `manager.Semaphore(value=1)`. @throws {ValidationError} for a negative value. */
  Semaphore(value = 1): SemaphoreProxy {
    return this.createLocal('Semaphore', [count(value, 0, 'Semaphore(value)')]);
  }

  /** A `BoundedSemaphore(value)`: releasing past `value` throws `LockError`. Python: `manager.BoundedSemaphore()`. */
  BoundedSemaphore(value = 1): SemaphoreProxy {
    return this.createLocal('BoundedSemaphore', [count(value, 0, 'BoundedSemaphore(value)')]);
  }

  /** An `Event`. Python: `manager.Event()`. */
  Event(): EventProxy {
    return this.createLocal('Event', []);
  }

  /**
   * A `Condition`, over `lock` (a `Lock()`/`RLock()` of this manager) or a new RLock. Python:
   * `manager.Condition(lock=None)`.
   * @throws {ValidationError} when `lock` is not a lock of this manager.
   */
  Condition(lock?: LockProxy | null): ConditionProxy {
    // Python's Condition() makes an RLock: here an object of its own, so its proxy can name it.
    const over = lock ?? (this.serving ? this.RLock() : null);
    const served = over == null ? undefined : this.resolveLocal(over);
    if (over != null && !(served instanceof ServedLock)) {
      throw new ValidationError('Condition(lock): lock must be a Lock() or RLock() of this manager.');
    }
    const cond = this.createLocal<ConditionProxy>('Condition', [served]);
    // Its holds are its lock's (client-lease.ts, holdKey); its proxies carry the lock's reference.
    return over == null ? cond : makeProxy(madeHere({ ...cond[proxyRef], over: over[proxyRef] }));
  }

  /**
   * A `Barrier(parties)`. Python: `manager.Barrier(parties, action=None, timeout=None)`.
   * @param options - `action`: run by the manager once per passing; `timeout`: the default wait in ms.
   * @throws {ValidationError} when `parties` is not a positive integer, `action` is not a function
   *   or task reference, or for an unknown option.
   */
  Barrier(parties: number, options: ManagerBarrierOptions | null = {}): BarrierProxy {
    options = readOptions(options, ['action', 'timeout'], 'manager.Barrier()');
    const ms = wireTimeout(options.timeout, 'Barrier()');
    const { action } = options;
    if (action !== undefined && typeof action !== 'function') {
      throw new ValidationError('Barrier action must be a task reference from defineTasks() or a function.');
    }
    return this.createLocal('Barrier', [count(parties, 1, 'Barrier(parties)'), ms, action]);
  }

  /**
   * A FIFO `Queue` served by the manager; `maxsize` 0 or less means no limit, as for
   * `new Queue({ maxsize })`, and may be given so too: `Queue({ maxsize: 2 })`.
   * Python: `manager.Queue(maxsize=0)`.
   * @throws {ValidationError} when `maxsize` is not an integer, or for an unknown option.
   */
  Queue<T = unknown>(maxsize: number | { maxsize?: number | null | undefined } = 0): QueueProxy<T> {
    return this.createLocal('Queue', [queueSize(maxsize, 'Queue(maxsize)')]);
  }

  /**
   * A `JoinableQueue` (`taskDone()`, `join()`); `maxsize` as for `Queue()`. Python:
   * `manager.JoinableQueue(maxsize=0)`.
   * @throws {ValidationError} when `maxsize` is not an integer.
   */
  JoinableQueue<T = unknown>(maxsize: number | { maxsize?: number | null | undefined } = 0): QueueProxy<T> {
    return this.createLocal('JoinableQueue', [queueSize(maxsize, 'JoinableQueue(maxsize)')]);
  }
}

refuseExtraArguments(SyncManager.prototype, 'SyncManager');
