/** The 'thread' context: a `node:worker_threads` Worker running the process entry. */
import { isMainThread, type TransferListItem, Worker, type WorkerOptions } from 'node:worker_threads';
import { describeError } from '@multiproc/shared';
import { writesOutputDirectly } from '../worker/direct-output.js';
import { rescueOutput } from '../worker/output-board.js';
import { isOutOfMemory, processOutOfMemoryLine } from './out-of-memory.js';
import { forwardLines, forwardThreadOutput, writeForwarded } from './output.js';
import { recoverOnExit } from './owner-death.js';
import {
  type ExitInfo,
  isPreloadFailed,
  osExitCode,
  type PreloadFailedMessage,
  type Runner,
  type SpareMessage,
  type StartMessage,
} from './runner.js';
import { threadExecArgv, workerArgv, workerEnv } from './start-args.js';
import { isStartFailure, startError } from './start-failure.js';
import { threadResourceLimits } from './thread-stack.js';
import { workerEntryUrl } from './worker-entries.js';

// Node reports a worker stopped by terminate() with exit code 1; Python reports -SIGTERM / -SIGKILL,
// and -SIGINT for interrupt() (a thread gets no signal: it is stopped as by terminate()).
const SIGTERM_CODE = -15;
const SIGKILL_CODE = -9;
const SIGINT_CODE = -2;
const SIGNAL_NAMES = new Map([
  [SIGTERM_CODE, 'SIGTERM'],
  [SIGKILL_CODE, 'SIGKILL'],
  [SIGINT_CODE, 'SIGINT'],
]);

/**
 * Starts a worker thread for `message`.
 * @throws {WorkerStartError} when Node cannot create the thread (`EAGAIN`: too many threads).
 */
export function startThread(message: StartMessage, transfer: readonly object[]): Runner {
  // Reading a worker's stdout refs it, so a daemon (which must not keep the program alive) keeps
  // Node's own chunk-by-chunk forwarding; every other worker gets whole-line forwarding. Both only
  // carry what a worker writes before it writes to the descriptors itself (worker/direct-output.ts).
  const lineBuffered = !message.identity.daemon;
  const worker = newWorker({
    workerData: { ...message, directOutput: writesOutputDirectly(isMainThread) },
    transferList: transfer as TransferListItem[],
    stdout: lineBuffered,
    stderr: lineBuffered,
  });
  if (!lineBuffered) forwardThreadOutput(worker);
  return threadRunner(worker, lineBuffered);
}

/** `new Worker()` on the process entry; a thread Node cannot create throws {@link WorkerStartError}. */
function newWorker(options: WorkerOptions): Worker {
  try {
    return new Worker(workerEntryUrl('process'), {
      ...options,
      argv: workerArgv(),
      execArgv: threadExecArgv(),
      // The program's own --stack-size, which a thread does not get from the flag (thread-stack.ts).
      resourceLimits: threadResourceLimits(),
      env: workerEnv(process.env),
    });
  } catch (error) {
    // Anything else (an argument structured clone refuses) is the caller's to report.
    throw isStartFailure(error) ? startError('thread', error) : error;
  }
}

/** A thread started ahead of need, waiting for its start message (see `warm.ts`). */
export interface ThreadSpare {
  /** Set once the spare cannot be used: it failed to boot, or it ended. */
  readonly failed: boolean;
  activate(message: StartMessage, transfer: readonly object[]): Runner;
  dispose(): void;
}

/**
 * Starts a spare thread: it boots and preloads, unref'd, and runs whatever it is given later.
 * `onPreloadFailed` hears of each preload module that failed to import.
 * @throws {WorkerStartError} when Node cannot create the thread.
 */
export function startThreadSpare(
  spare: SpareMessage,
  onPreloadFailed: (message: PreloadFailedMessage) => void,
): ThreadSpare {
  const worker = newWorker({
    workerData: { ...spare, directOutput: writesOutputDirectly(isMainThread) },
    stdout: true,
    stderr: true,
  });
  // Listened to before unref(): on Node 22+ a 'message' listener added later refs the worker again.
  worker.on('message', (message: unknown) => {
    if (isPreloadFailed(message)) onPreloadFailed(message);
  });
  worker.unref();
  let online = false;
  let failed = false;
  worker.once('online', () => {
    online = true;
  });
  // A spare that cannot boot is dropped (`failed`); a Process never runs on it.
  worker.on('error', () => {
    if (!online) failed = true;
  });
  const threadId = worker.threadId; // -1 once it has exited
  worker.once('exit', () => {
    failed = true;
    // A spare disposed of unused: its place on the output board is free again.
    rescueOutput(threadId);
  });
  return {
    get failed() {
      return failed;
    },
    activate(message, transfer) {
      try {
        worker.postMessage(message, transfer as TransferListItem[]);
      } catch (err) {
        // An argument that cannot be cloned: this spare is spent, and must not linger.
        void worker.terminate();
        throw err;
      }
      worker.ref();
      return threadRunner(worker, true, online);
    },
    dispose() {
      void worker.terminate();
    },
  };
}

function threadRunner(worker: Worker, lineBuffered: boolean, online = false): Runner {
  let stoppedWith: number | undefined;
  const threadId = worker.threadId; // -1 once it has exited
  let failedToStart: ExitInfo['startError'];
  // A target that returned (or exit(0)) ended normally; terminate/kill, a throw or exit(n) failed.
  recoverOnExit(worker, (code) => code === 0 && stoppedWith === undefined && !failedToStart);
  const output = lineBuffered
    ? Promise.all([forwardLines(worker.stdout, process.stdout), forwardLines(worker.stderr, process.stderr)])
    : Promise.resolve();
  worker.once('online', () => {
    online = true;
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    worker.once('exit', (code) => {
      // What it printed last without a newline, when it was terminated: written now, never lost.
      rescueOutput(threadId);
      if (failedToStart) {
        resolve({ exitCode: 1, signal: null, startError: failedToStart });
        return;
      }
      const exitCode = stoppedWith ?? osExitCode(code);
      const signal = stoppedWith === undefined ? null : (SIGNAL_NAMES.get(stoppedWith) ?? null);
      void output.then(() => resolve({ exitCode, signal }));
    });
  });
  worker.on('error', (err) => {
    // Before 'online' no JavaScript ran in the worker: it could not start (join() reports it).
    if (!online && !failedToStart) {
      failedToStart = startError('thread', err);
      return;
    }
    // An error thrown at the worker's top level also ends it with code 1; print it like Python.
    // Out of memory: Node's ERR_WORKER_OUT_OF_MEMORY names only its own frames; the line says it.
    // What a child's Node prints on its own stderr, which this program forwards: dropped, as that
    // is, once the program's stderr is closed.
    if (isOutOfMemory(err)) writeForwarded(process.stderr, processOutOfMemoryLine(process.pid, threadId));
    else writeForwarded(process.stderr, `${describeError(err)}\n`);
  });
  return {
    pid: process.pid,
    threadId: worker.threadId,
    exited,
    terminate() {
      stoppedWith ??= SIGTERM_CODE;
      void worker.terminate();
    },
    kill() {
      stoppedWith ??= SIGKILL_CODE;
      void worker.terminate();
    },
    interrupt() {
      stoppedWith ??= SIGINT_CODE;
      void worker.terminate();
    },
    unref() {
      worker.unref();
    },
    ref() {
      worker.ref();
    },
  };
}
