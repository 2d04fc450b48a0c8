/**
 * `@multiproc/ipc`: message passing between threads and processes. Mirrors Python's
 * `multiprocessing.connection` and `multiprocessing.queues`.
 * @module @multiproc/ipc
 */
export {
  BrokenBarrierError,
  ClosedError,
  ContextError,
  LockError,
  ProcessError,
  SerializationError,
  TimeoutError,
  ValidationError,
} from '@multiproc/shared';
export { processAuthkey, setProcessAuthkey } from './authkey.js';
export { Client, type ClientOptions } from './client.js';
export { Connection } from './connection.js';
export {
  AuthenticationError,
  BrokenPipeError,
  BufferTooShortError,
  ConnectError,
  EOFError,
  KeyError,
  ManagerClosedError,
  MessageTooLongError,
  QueueEmptyError,
  QueueFullError,
} from './errors.js';
export { JoinableQueue } from './joinable-queue.js';
export { type Address, Listener, type ListenerOptions } from './listener.js';
export {
  BaseManager,
  type Factory,
  type ManagerOptions,
  type RegisterOptions,
} from './manager/base-manager.js';
export { DictProxy } from './manager/data-proxies.js';
export { type ItemsProxy, ListProxy } from './manager/list-proxy.js';
export type { ListSortOptions } from './manager/list-sort.js';
export { SyncManager } from './manager/manager.js';
export { Manager, type ManagerFactory } from './manager/manager-factory.js';
export { processManager } from './manager/process-manager.js';
export { type AutoProxy, BaseProxy } from './manager/proxy.js';
export { QueueProxy } from './manager/queue-proxy.js';
export type { ManagerServerHandle, TypeidMethod } from './manager/register-options.js';
export {
  type AcquireArg,
  BarrierProxy,
  type BarrierState,
  ConditionProxy,
  EventProxy,
  LockProxy,
  type ManagerBarrierOptions,
  SemaphoreProxy,
} from './manager/sync-proxies.js';
export { SynchronizedArrayProxy, SynchronizedValueProxy } from './manager/synchronized-proxies.js';
export { ArrayProxy, NamespaceProxy, ValueProxy } from './manager/value-proxies.js';
export { Pipe, type PipeOptions, type ReceiveEnd, type SendEnd } from './pipe.js';
export { Queue } from './queue.js';
export type { QueueOptions, TimeoutOptions } from './queue-options.js';
export { SimpleQueue, type SimpleQueueOptions } from './simple-queue.js';
export { wait } from './wait.js';
export { isWaitableObject, type WaitableObject, type WaitReadiness, waitable } from './waitable.js';

import './python-names.js';
import './manager/python-names.js';
import './internal/net/listener-bound.js'; // a Listener refuses to be sent
