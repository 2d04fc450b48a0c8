/**
 * Error classes first thrown by `@multiproc/bullmq`. Every other class it throws (`ValidationError`,
 * `TimeoutError`, `WorkerCrashedError`, `PoolClosedError`, `AuthenticationError`, ...) comes from
 * `@multiproc/core`.
 */
import { ProcessError } from '@multiproc/core';

// A job or a result whose signature does not match the shared secret is an `AuthenticationError`:
// the one class of `@multiproc/ipc` (through core), so `instanceof` holds whichever package threw it.
export { AuthenticationError } from '@multiproc/core';

/**
 * A job named a task that the worker did not load: the worker rejects it without importing
 * anything. Start `multiproc-worker` with `--tasks` naming the module that defines the task.
 * @example
 * try { await pool.apply(tasks.cube, [3]); }
 * catch (err) { if (err instanceof UnknownTaskError) console.log(err.taskId); } // 'math#cube'
 */
export class UnknownTaskError extends ProcessError {
  override get name(): string {
    return 'UnknownTaskError';
  }
  override get code(): 'MP_UNKNOWN_TASK' {
    return 'MP_UNKNOWN_TASK';
  }
  /** The portable id of the task, `<module name>#<task name>`. */
  readonly taskId: string;
  constructor(taskId: string, message: string) {
    super(message);
    this.taskId = taskId;
  }
}

/**
 * Redis could not be reached within `connectTimeout`, refused the credentials, lost the pool's
 * keys, or is out of memory and refused to store jobs or results (an `OOM` reply). The cause is
 * the driver's last error. Also the error of a call whose job was removed from Redis before it
 * finished (`Job.remove()`, `Queue.drain()`, ... on the pool's queue, by hand or from a dashboard).
 * @example
 * try { await pool.apply(tasks.square, [3]); }
 * catch (err) { if (err instanceof RedisConnectionError) console.log(err.cause); }
 */
export class RedisConnectionError extends ProcessError {
  override get name(): string {
    return 'RedisConnectionError';
  }
  override get code(): 'MP_REDIS_CONNECTION' {
    return 'MP_REDIS_CONNECTION';
  }
}

/**
 * The pool and a worker speak different wire formats: one of them runs an older
 * `@multiproc/bullmq` (the format changes when values travel differently). Nothing ran; upgrade
 * `@multiproc/bullmq` on the older side, so that the pool and its workers run the same version.
 * @example
 * try { await pool.apply(tasks.square, [3]); }
 * catch (err) { if (err instanceof VersionMismatchError) console.log(err.message); }
 */
export class VersionMismatchError extends ProcessError {
  override get name(): string {
    return 'VersionMismatchError';
  }
  override get code(): 'MP_VERSION_MISMATCH' {
    return 'MP_VERSION_MISMATCH';
  }
}
