/**
 * The proxy of a queue served by a manager (`Queue` and `JoinableQueue` typeids): its waiting
 * calls (`put`, `get`, `join`) go through `waitCall`, so an unbounded wait that nothing could end
 * rejects with EOFError (internal/manager/stuck.ts).
 */
import type { Timeout } from '@multiproc/shared';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { callOrReject, wireTimeout } from '../internal/manager/wire.js';
import { BaseProxy, namedArgs, proxyClass } from './proxy.js';

/**
 * A manager's `Queue` or `JoinableQueue`. Mirrors Python's `SyncManager.Queue()`: a `queue.Queue`
 * in the manager. A `get()` of a thread or process that ends takes nothing.
 * @example
 * const manager = Manager();
 * const q = manager.Queue<string>();
 * await q.put('job');
 * console.log(await q.get()); // 'job'
 * await manager.shutdown();
 */
export class QueueProxy<T = unknown> extends BaseProxy {
  /**
   * Adds `value`, waiting for room when `maxsize` is reached. Python: `put(obj, block, timeout)`.
   * @throws {QueueFullError} when still full after `timeout` (or at once with `{ block: false }`).
   * @throws {EOFError} without a timeout, when nothing could ever take an item: the manager is
   *   served from this thread, no other thread, process or program uses it, and this program has
   *   nothing else left to do.
   */
  put(
    value: T,
    timeout?: Timeout | { timeout?: number | undefined; block?: boolean | undefined },
  ): Promise<void> {
    return callOrReject(() => {
      const ms = wireTimeout(timeout, `${this.typeid}.put()`, true);
      return namedArgs(['value'], () => this.waitCall('put', ms, [value, ms])) as Promise<void>;
    });
  }
  /**
   * Adds `value` if there is room now. Python: `put_nowait(obj)`. A round trip, so it returns a
   * Promise (a thread or process `Queue`'s `putNowait()` does not).
   * @throws {QueueFullError} (as a rejection) when the queue is full.
   * @throws {SerializationError} (as a rejection) naming the part of `value` that cannot be sent.
   * @example
   * import { Manager } from '@multiproc/ipc';
   * const manager = Manager();
   * const q = manager.Queue<number>(1);
   * await q.putNowait(1);
   * await q.putNowait(2).catch((err) => console.log(err.code)); // MP_QUEUE_FULL
   * await manager.shutdown();
   */
  putNowait(value: T): Promise<void> {
    return this.put(value, { block: false });
  }
  /**
   * Takes the next value. Python: `get(block, timeout)`.
   * @throws {QueueEmptyError} when none came within `timeout` (or at once with `{ block: false }`).
   * @throws {EOFError} without a timeout, when nothing could ever put one (as `put()`).
   */
  get(timeout?: Timeout | { timeout?: number | undefined; block?: boolean | undefined }): Promise<T> {
    return callOrReject(
      () => this.waitCall('get', wireTimeout(timeout, `${this.typeid}.get()`, true)) as Promise<T>,
    );
  }
  /**
   * Takes the next value if there is one now. Python: `get_nowait()`. A round trip, so it returns
   * a Promise.
   * @throws {QueueEmptyError} (as a rejection) when the queue is empty.
   * @example
   * import { Manager } from '@multiproc/ipc';
   * const manager = Manager();
   * const q = manager.Queue<number>();
   * console.log(await q.getNowait().catch((err) => err.code)); // MP_QUEUE_EMPTY
   * await manager.shutdown();
   */
  getNowait(): Promise<T> {
    return this.get({ block: false });
  }
  /** The number of items. Python: `qsize()`. */
  qsize(): Promise<number> {
    return this.callMethod('qsize') as Promise<number>;
  }
  /** Whether the queue has no item now. Python: `empty()`. */
  empty(): Promise<boolean> {
    return this.callMethod('empty') as Promise<boolean>;
  }
  /** Whether the queue has `maxsize` items now (never, with no `maxsize`). Python: `full()`. */
  full(): Promise<boolean> {
    return this.callMethod('full') as Promise<boolean>;
  }
  /** Marks one item taken earlier as done (joinable queues). Python: `task_done()`. */
  taskDone(): Promise<void> {
    return this.callMethod('taskDone') as Promise<void>;
  }
  /**
   * Waits until every item put has been marked done. Python: `join()`.
   * @throws {EOFError} when nothing could ever call `taskDone()` (as `put()`).
   */
  join(): Promise<void> {
    return this.waitCall('join', -1, []) as Promise<void>;
  }
}
proxyClass('Queue', QueueProxy);
proxyClass('JoinableQueue', QueueProxy);
refuseExtraArguments(QueueProxy.prototype, 'Queue');
