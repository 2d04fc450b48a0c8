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
import { WorkerEntryNotFoundError, WorkerStartError } from '../errors.js';
import { LOAD_FAILURE_ADVICE, loadFailureDetail } from './load-failure.js';
import { isOutOfMemory } from './out-of-memory.js';

type Context = 'thread' | 'process';
/** Why a worker could not start: refused by the system, or a tinypool entry that is not where it looks. */
export type StartFailure = WorkerStartError | WorkerEntryNotFoundError;
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
 * `killedInRow`: how many workers in a row were killed from outside as they started, this one
 * included (named in the message when more than one).
 */
export function diedStarting(
  context: Context,
  exitCode: number | null,
  signal: string | null,
  cause: unknown,
  killedInRow = 1,
): StartFailure {
  const entry = missingTinypoolEntry(cause);
  if (entry !== undefined) {
    return new WorkerEntryNotFoundError('pool', [entry], { advice: TINYPOOL_ENTRY_ADVICE, cause });
  }
  if (cause !== undefined && isStartFailure(cause)) return startError(context, cause);
  if (killedFromOutside(signal)) {
    return new WorkerStartError(context, {
      detail:
        killedInRow > 1
          ? `it was killed by ${signal} while starting, before it was ready: the last of ${killedInRow} workers in a row killed from outside as they started`
          : `it was killed by ${signal} while starting, before it was ready`,
      advice: OUTSIDE_SIGNAL_ADVICE,
      ...(cause === undefined ? {} : { cause }),
    });
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  if (cause instanceof Error && !isOutOfMemory(cause)) {
    return new WorkerStartError(context, {
      detail: loadFailureDetail(cause, `it ${how}`),
      advice: LOAD_FAILURE_ADVICE,
      cause,
    });
  }
  if (isOutOfMemory(cause)) {
    // A child whose heap limit is too small to load its code (V8 aborts it: SIGTRAP or SIGABRT).
    return new WorkerStartError(context, {
      detail: `it ran out of memory while booting (it ${how}); raise the \`resourceLimits\` given to it`,
      cause,
    });
  }
  // Node exits with 9 when it refuses an option (NODE_OPTIONS, execArgv) before running anything.
  const why =
    exitCode === 9 && signal === null
      ? 'as Node does for an option it refuses, in NODE_OPTIONS or execArgv: its message is on stderr above'
      : 'as Node does when it cannot create its own threads';
  return new WorkerStartError(context, {
    detail: `it ${how} before it was ready (${why})`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Whether a worker that ended by `signal` before it was ready was stopped from outside: nothing
 * refused it, so the pool tries again after its delay even when no worker is left, and counts such
 * deaths apart from failed starts, with a much higher bound (`start-policy.ts`, `entry.ts`); a
 * `Process` ends with `exitCode` -N, as Python's does whatever signal N ended it.
 */
export function killedFromOutside(signal: string | null): boolean {
  return signal !== null && !FAILURE_SIGNALS.has(signal);
}

// Signals a worker that cannot start dies of: Node aborts when it cannot create its own threads
// (SIGABRT, or SIGTRAP from V8 out of memory), a fault while booting raises SIGSEGV, SIGBUS, SIGILL,
// SIGFPE or SIGSYS, and the kernel sends SIGXCPU or SIGXFSZ when a resource limit is hit. Every
// other signal came from outside (Ctrl-C to the group, kill, a service manager, the kernel's
// out-of-memory killer), SIGUSR2 and SIGALRM as much as SIGTERM: no limit was hit.
const FAILURE_SIGNALS = new Set([
  'SIGABRT',
  'SIGTRAP',
  'SIGSEGV',
  'SIGBUS',
  'SIGILL',
  'SIGFPE',
  'SIGSYS',
  'SIGXCPU',
  'SIGXFSZ',
]);
const OUTSIDE_SIGNAL_ADVICE =
  'The signal came from outside the worker (Ctrl-C sends SIGINT to the whole process group; for ' +
  "SIGKILL, also the kernel's out-of-memory killer): no limit was hit. If you did not send it, find what did.";

/** What to do when tinypool's entries are not beside its own code. */
const TINYPOOL_ENTRY_ADVICE =
  "tinypool (the pool behind Pool) looks for entry/worker.js and entry/process.js in the folder of the chunk that holds its code, so the bundle must put that chunk beside the entry/ folder workerEntryPoints() emits. With Vite or Rollup, name chunks without a folder: build.rollupOptions.output.chunkFileNames: '[name]-[hash].js' (Vite's default puts them in assets/).";

/**
 * The tinypool entry a worker could not load, when that is why it died: a thread reports Node's
 * `MODULE_NOT_FOUND` error for the file it was started from; a child prints the same error, read
 * back from its stderr. Only tinypool's two entries count, so a task module's missing import stays a
 * load failure of that module.
 */
function missingTinypoolEntry(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const path = /^Cannot find module '([^']+)'/.exec(cause.message)?.[1];
  if (path === undefined) return undefined;
  return /[\\/]entry[\\/](worker|process)\.js$/.test(path) ? path : undefined;
}
