/**
 * Error classes first thrown by `@multiproc/core`. The others (`ProcessError`, `TimeoutError`,
 * `SerializationError`, ...) live in `@multiproc/shared` and `@multiproc/ipc` and are re-exported.
 */
import { ClosedError, ProcessError } from '@multiproc/shared';

/**
 * A worker died while it ran this task: the task threw at top level (an uncaught error, also one
 * thrown later from a timer), called `process.exit()`, was killed, or ran out of memory. The pool
 * replaced the worker. Only the call that was running fails: calls that had finished keep their
 * results and calls the worker had not started run on another worker, once.
 * Python's `Pool` hangs in this case.
 * @example
 * try { await pool.apply(tasks.crash, []); }
 * catch (err) { if (err instanceof WorkerCrashedError) console.log(err.exitCode, err.signal); }
 */
export class WorkerCrashedError extends ProcessError {
  override get name(): string {
    return 'WorkerCrashedError';
  }
  override get code(): string {
    return 'MP_WORKER_CRASHED';
  }
  /** The worker's exit code, or `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it (`'SIGKILL'`), or `null`. */
  readonly signal: string | null;
  /**
   * For a `map`/`starmap`/`imap` call: the position in its input of the item that was running.
   * Exact in the `'thread'` context; in the `'process'` context, the item the child last reported
   * (exact once items take more than a few ms; never before the first item of its chunk).
   */
  readonly taskIndex: number | undefined;
  constructor(
    message: string,
    details: { exitCode: number | null; signal: string | null; taskIndex?: number; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.taskIndex = details.taskIndex;
  }
}

/** A pool was used after `close()` or `terminate()`; also the rejection of calls a `terminate()` cut short. */
export class PoolClosedError extends ClosedError {
  override get name(): string {
    return 'PoolClosedError';
  }
  override get code(): string {
    return 'MP_POOL_CLOSED';
  }
}
