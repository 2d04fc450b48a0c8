export { AuthenticationError, RedisConnectionError, UnknownTaskError } from './errors.js';
export type { RedisConnectionOptions } from './internal/connection.js';
export type { PoolOptions } from './pool/options.js';
export { Pool } from './pool/pool.js';
export type { WorkerInfo } from './pool/session.js';
export type { LogWriter } from './worker/log.js';
export type { WorkerOptions } from './worker/options.js';
export { startWorker, type WorkerHandle } from './worker/worker.js';
