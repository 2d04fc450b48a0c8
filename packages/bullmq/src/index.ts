/**
 * `@multiproc/bullmq`: the `Pool` of `@multiproc/core` across many machines, with tasks run by
 * `multiproc-worker` processes through BullMQ queues on Redis, jobs and results signed with a
 * shared secret. Mirrors Python's `multiprocessing.managers` serving a pool with an `authkey`.
 * @module @multiproc/bullmq
 */
export {
  AuthenticationError,
  RedisConnectionError,
  UnknownTaskError,
  VersionMismatchError,
} from './errors.js';
export type { RedisConnectionOptions } from './internal/connection.js';
export type { PoolOptions } from './pool/options.js';
export { Pool } from './pool/pool.js';
export type { WorkerInfo } from './pool/session.js';
export type { LogWriter } from './worker/log.js';
export type { WorkerOptions } from './worker/options.js';
export { startWorker, type WorkerHandle } from './worker/start.js';
