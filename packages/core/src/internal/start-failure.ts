/**
 * Host side: telling a worker that could not start from one that started and failed, and turning
 * the first into a {@link WorkerStartError}. Node reports a refused start in three ways:
 *
 * - `new Worker()` throws `ERR_WORKER_INIT_FAILED` (message: the libuv error name, such as
 *   `EAGAIN`) when the thread cannot be created;
 * - a Worker emits `'error'` before `'online'` when its isolate cannot boot (`ERR_WORKER_INIT_FAILED`,
 *   `ERR_WORKER_OUT_OF_MEMORY` for `resourceLimits` too small to start);
 * - `fork()` returns a child without a pid and emits a system error (`EAGAIN`, `ENOENT`, `EACCES`)
 *   on the next tick, and never `'exit'`; other system errors (`ENOMEM`) are thrown by `fork()`.
 */
import { WorkerStartError } from '../errors.js';
import { LOAD_FAILURE_ADVICE, loadFailureDetail } from './load-failure.js';
import { isOutOfMemory } from './out-of-memory.js';

type Context = 'thread' | 'process';
type NodeError = Error & { code?: unknown; syscall?: unknown; errno?: unknown };

/** Whether `error`, thrown or emitted while a worker was being created, means it could not start. */
export function isStartFailure(error: unknown): boolean {
  const e = error as NodeError | undefined;
  if (e instanceof WorkerStartError) return true;
  if (e?.code === 'ERR_WORKER_INIT_FAILED' || e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return true;
  return typeof e?.errno === 'number' && typeof e.syscall === 'string';
}

/** The {@link WorkerStartError} for `error`, the failure to create a worker of `context`. */
export function startError(context: Context, error: unknown): WorkerStartError {
  if (error instanceof WorkerStartError) return error;
  const e = error as NodeError | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (code === 'ERR_WORKER_INIT_FAILED') {
    // The message is the libuv error's name when the thread itself could not be created.
    const errno = /^E[A-Z0-9]+$/.test(message) ? message : undefined;
    return new WorkerStartError(context, {
      errno,
      syscall: errno ? 'uv_thread_create' : undefined,
      detail: `Node could not initialise it (${message})`,
      cause: error,
    });
  }
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkerStartError(context, {
      detail:
        'it ran out of memory while booting (ERR_WORKER_OUT_OF_MEMORY); raise the `resourceLimits` given to it',
      cause: error,
    });
  }
  return new WorkerStartError(context, {
    errno: code,
    syscall: typeof e?.syscall === 'string' ? e.syscall : undefined,
    detail: message,
    cause: error,
  });
}

/**
 * A worker that ended before it said it was ready: it never started. `cause` is what it reported:
 * a start failure, or the error it threw while loading its modules (then the message names it).
 */
export function diedStarting(
  context: Context,
  exitCode: number | null,
  signal: string | null,
  cause: unknown,
): WorkerStartError {
  if (cause !== undefined && isStartFailure(cause)) return startError(context, cause);
  const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  if (cause instanceof Error && !isOutOfMemory(cause)) {
    return new WorkerStartError(context, {
      detail: loadFailureDetail(cause, `it ${how}`),
      advice: LOAD_FAILURE_ADVICE,
      cause,
    });
  }
  return new WorkerStartError(context, {
    detail: `it ${how} before it was ready (as Node does when it cannot create its own threads)`,
    ...(cause === undefined ? {} : { cause }),
  });
}
