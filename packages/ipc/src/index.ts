/**
 * `@multiproc/ipc`: message passing between threads and processes. Mirrors Python's
 * `multiprocessing.connection` and `multiprocessing.queues`.
 */
export {
  ClosedError,
  ProcessError,
  SerializationError,
  TimeoutError,
  ValidationError,
} from '@multiproc/shared';
export { Connection } from './connection.js';
export {
  AuthenticationError,
  BufferTooShortError,
  EOFError,
  QueueEmptyError,
  QueueFullError,
} from './errors.js';
export { JoinableQueue } from './joinable-queue.js';
export { type Address, Client, type ClientOptions, Listener, type ListenerOptions } from './listener.js';
export { Pipe, type PipeOptions } from './pipe.js';
export { Queue, type QueueOptions, type TimeoutOptions } from './queue.js';
export { SimpleQueue, type SimpleQueueOptions } from './simple-queue.js';
export { wait } from './wait.js';
