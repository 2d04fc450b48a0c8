/**
 * Error classes first thrown by `@multiproc/core`. The others (`ProcessError`, `TimeoutError`,
 * `SerializationError`, ...) live in `@multiproc/shared` and `@multiproc/ipc` and are re-exported.
 */
import { ClosedError, ProcessError, registerErrorClasses } from '@multiproc/shared';

/**
 * A worker died while it ran this task: the task threw at top level (an uncaught error, also one
 * thrown later from a timer), called `process.exit()`, was killed, ran out of memory, or returned
 * a promise that nothing left in the worker could ever settle (`reason: 'never settled'`). The pool
 * replaced the worker. Only the call that was running fails: calls that had finished keep their
 * results and calls the worker had not started run on another worker, once.
 * Python's `Pool` hangs in this case.
 * @example
 * try { await pool.apply(tasks.crash, []); }
 * catch (err) { if (err instanceof WorkerCrashedError) console.log(err.exitCode, err.signal); }
 */
export class WorkerCrashedError extends ProcessError {
  /** The class name, `'WorkerCrashedError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'WorkerCrashedError';
  }
  override get code(): 'MP_WORKER_CRASHED' {
    return 'MP_WORKER_CRASHED';
  }
  /** The worker's exit code, or `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it (`'SIGKILL'`), or `null`. */
  readonly signal: string | null;
  /**
   * For a `map`/`starmap`/`imap` call: the position in its input of the item that was running.
   * Exact in the `'thread'` context, and in the `'process'` context when the child could say
   * (`process.exit()`, an uncaught error). A child killed outright (SIGKILL, a heap abort) says
   * nothing as it dies: this is then the last item it reported starting, which it reports once
   * 0.5 ms have passed since its last report. So it is exact for items of 0.5 ms or more, and for
   * faster items it may be an earlier item of the same chunk (at most ~0.5 ms of work before the
   * one running), never a later one.
   */
  readonly taskIndex: number | undefined;
  /**
   * Why it died, when known: `'out of memory'` when its JavaScript heap reached its limit (a
   * thread's `resourceLimits`, a child's `--max-old-space-size`; V8 then aborts a child, so
   * `signal` is `'SIGABRT'`); `'never settled'` when the task returned a promise that nothing
   * left in the worker could settle (no timer, I/O, port, socket or child process of its own, no
   * other task): the worker then ends itself with `exitCode` 13, as a `Process` whose target
   * never settles does, instead of the call hanging forever; else `null`. When it died of an
   * uncaught error or an unhandled rejection, `cause` is that error (or the thrown value), in
   * both contexts.
   */
  readonly reason: 'out of memory' | 'never settled' | null;
  constructor(
    message: string,
    details: {
      exitCode: number | null;
      signal: string | null;
      taskIndex?: number;
      cause?: unknown;
      reason?: 'out of memory' | 'never settled';
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.taskIndex = details.taskIndex;
    this.reason = details.reason ?? null;
  }
}

/**
 * A pool was used after `close()` or `terminate()`; also the rejection of calls a `terminate()` cut short.
 * Python raises `ValueError` ("Pool not running").
 * @example
 * const pool = new Pool();
 * pool.close();
 * try { await pool.apply(tasks.greet, ['bob']); } catch (err) { console.log(err instanceof PoolClosedError); } // true
 */
export class PoolClosedError extends ClosedError {
  /** The class name, `'PoolClosedError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'PoolClosedError';
  }
  override get code(): 'MP_POOL_CLOSED' {
    return 'MP_POOL_CLOSED';
  }
}

/**
 * A worker's entry file is missing, so no worker could start. This happens in a bundled app whose
 * build did not emit the worker entries (see the bundling guide), or when `MULTIPROC_WORKER_DIR`
 * points at a folder without them. Thrown by `new Pool()` and `Process.start()`. A pool's calls
 * reject with it when a worker dies at start because tinypool (the pool behind `Pool`) cannot find
 * its `entry/worker.js` or `entry/process.js` beside its own code: a bundler put tinypool's chunk in
 * another folder than those entries (Vite's `assets/`); `searched` is the path tinypool looked for.
 * @example
 * try { new Pool(); } catch (err) { if (err instanceof WorkerEntryNotFoundError) console.log(err.searched); }
 */
export class WorkerEntryNotFoundError extends ProcessError {
  override get name(): string {
    return 'WorkerEntryNotFoundError';
  }
  override get code(): 'MP_WORKER_ENTRY_NOT_FOUND' {
    return 'MP_WORKER_ENTRY_NOT_FOUND';
  }
  /** Which entry: `'pool'` (pool workers) or `'process'` (`Process` workers). */
  readonly entry: 'pool' | 'process';
  /** The files looked for, in order. */
  readonly searched: readonly string[];
  constructor(
    entry: 'pool' | 'process',
    searched: readonly string[],
    details?: { advice?: string; cause?: unknown },
  ) {
    super(
      `Cannot start a ${entry} worker: its entry file is missing (looked for ${searched.join(', ')}). ` +
        (details?.advice ??
          'A bundled app must emit the worker entries next to the bundle: add workerEntryPoints() from ' +
            "'@multiproc/multiproc/bundle' to the bundler's entry points, or set MULTIPROC_WORKER_DIR to the " +
            'folder that holds them. Or keep multiproc out of the bundle (esbuild --packages=external, ' +
            'or external: [/^@multiproc\\//]) and install it beside the app.') +
        ' See https://github.com/multiproc/multiproc/blob/main/apps/docs/guide/bundling.md',
      details?.cause === undefined ? undefined : { cause: details.cause },
    );
    this.entry = entry;
    this.searched = searched;
  }
}

/**
 * The system refused to start a worker: a thread or a child process could not be created
 * (`EAGAIN`: too many processes or threads for this user; `ENOMEM`; the Node.js executable
 * missing), or the worker died before it was ready. Python raises `OSError` (`BlockingIOError` for
 * `EAGAIN`) from `Pool()` and `Process.start()` here. A pool worker that threw while loading (its
 * entry, or a module it imports) gives one without `errno` whose message names that error and the
 * file it was thrown in; `cause` is the worker's error (for a child process, read back from what it
 * printed on stderr).
 *
 * Thrown by `Process.start()` when the refusal is immediate (a thread Node cannot create);
 * `Process.join()` rejects with it when it comes later (a child process, whose spawn error Node
 * reports on the next tick; a thread that fails while booting). A pool that cannot start any
 * worker rejects its waiting calls with it; a pool with live workers keeps serving with them and
 * retries the missing ones with a growing delay, until `2 × processes` starts in a row failed with
 * none ready (or `10 × processes` workers in a row were killed from outside as they started): then
 * its waiting calls reject too, and only a new call starts a worker again.
 * @example
 * try { await pool.map(tasks.square, [1, 2, 3]); }
 * catch (err) { if (err instanceof WorkerStartError) console.log(err.errno); } // 'EAGAIN'
 */
export class WorkerStartError extends ProcessError {
  override get name(): string {
    return 'WorkerStartError';
  }
  override get code(): 'MP_WORKER_START' {
    return 'MP_WORKER_START';
  }
  /** Where the worker was to run: `'thread'` or `'process'`. */
  readonly context: 'thread' | 'process';
  /** The system error's name (`'EAGAIN'`, `'ENOMEM'`, `'ENOENT'`), when the system refused. */
  readonly errno: string | undefined;
  /** The call that failed (`'spawn /usr/bin/node'`, `'uv_thread_create'`), when known. */
  readonly syscall: string | undefined;
  constructor(
    context: 'thread' | 'process',
    details: {
      errno?: string | undefined;
      syscall?: string | undefined;
      detail?: string;
      /** What to do, when it is not about the system's limits. */
      advice?: string;
      cause?: unknown;
    },
  ) {
    super(
      startMessage(context, details.errno, details.detail, details.advice, details.syscall),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.context = context;
    this.errno = details.errno;
    this.syscall = details.syscall;
  }
}

function startMessage(
  context: 'thread' | 'process',
  errno: string | undefined,
  detail: string | undefined,
  advice = "Start fewer workers, or check the system's limits.",
  syscall?: string,
): string {
  const what = context === 'thread' ? 'worker thread' : 'child process';
  const head = `Cannot start a ${what}`;
  if (syscall === 'uv_cwd') {
    // Node reads the working directory to start a worker thread; it fails once it was removed.
    return (
      `${head}: the working folder of this program no longer exists (it was removed or renamed while ` +
      `the program ran; uv_cwd: ${errno ?? 'failed'}). Call process.chdir() with an existing folder first.`
    );
  }
  switch (errno) {
    case 'EAGAIN':
      return (
        `${head}: the system refused a new ${context} (EAGAIN): too many processes or threads for this user. ` +
        'Start fewer workers (lower a pool’s `processes`), end other programs of this user, or raise the limit (`ulimit -u`, RLIMIT_NPROC).'
      );
    case 'ENOMEM':
      return `${head}: the system is out of memory (ENOMEM). Start fewer workers or free memory.`;
    case 'ENOENT':
    case 'EACCES':
      return `${head}: the Node.js executable (${process.execPath}) is missing or not executable (${errno}). Reinstall Node.js or fix its permissions.`;
    default:
      return `${head}: ${detail ?? (errno ? `the system refused (${errno})` : 'it failed before it was ready')}. ${advice}`;
  }
}

// They travel as themselves from the moment they exist (a manager's dict, a queue), not only once
// the pool's code has loaded (@multiproc/shared's error-classes.ts).
registerErrorClasses([WorkerCrashedError, PoolClosedError, WorkerEntryNotFoundError, WorkerStartError]);
