/** The 'thread' context: a `node:worker_threads` Worker running the process entry. */
import { type TransferListItem, Worker } from 'node:worker_threads';
import { forwardLines } from './output.js';
import { recoverOnExit } from './owner-death.js';
import type { ExitInfo, Runner, SpareMessage, StartMessage } from './runner.js';
import { workerEntryUrl } from './worker-entries.js';

// Node reports a worker stopped by terminate() with exit code 1; Python reports -SIGTERM / -SIGKILL.
const SIGTERM_CODE = -15;
const SIGKILL_CODE = -9;

/** Starts a worker thread for `message`. */
export function startThread(message: StartMessage, transfer: readonly object[]): Runner {
  // Reading a worker's stdout refs it, so a daemon (which must not keep the program alive) keeps
  // Node's own chunk-by-chunk forwarding; every other worker gets whole-line forwarding.
  const lineBuffered = !message.identity.daemon;
  const worker = new Worker(workerEntryUrl('process'), {
    workerData: message,
    transferList: transfer as TransferListItem[],
    stdout: lineBuffered,
    stderr: lineBuffered,
  });
  return threadRunner(worker, lineBuffered);
}

/** A thread started ahead of need, waiting for its start message (see `warm.ts`). */
export interface ThreadSpare {
  activate(message: StartMessage, transfer: readonly object[]): Runner;
  dispose(): void;
}

/** Starts a spare thread: it boots and preloads, unref'd, and runs whatever it is given later. */
export function startThreadSpare(spare: SpareMessage): ThreadSpare {
  const worker = new Worker(workerEntryUrl('process'), { workerData: spare, stdout: true, stderr: true });
  worker.unref();
  worker.on('error', () => {});
  return {
    activate(message, transfer) {
      try {
        worker.postMessage(message, transfer as TransferListItem[]);
      } catch (err) {
        // An argument that cannot be cloned: this spare is spent, and must not linger.
        void worker.terminate();
        throw err;
      }
      worker.ref();
      return threadRunner(worker, true);
    },
    dispose() {
      void worker.terminate();
    },
  };
}

function threadRunner(worker: Worker, lineBuffered: boolean): Runner {
  let stoppedWith: number | undefined;
  recoverOnExit(worker);
  const output = lineBuffered
    ? Promise.all([forwardLines(worker.stdout, process.stdout), forwardLines(worker.stderr, process.stderr)])
    : Promise.resolve();
  const exited = new Promise<ExitInfo>((resolve) => {
    worker.once('exit', (code) => {
      const exitCode = stoppedWith ?? code;
      const signal =
        stoppedWith === SIGKILL_CODE ? 'SIGKILL' : stoppedWith === SIGTERM_CODE ? 'SIGTERM' : null;
      void output.then(() => resolve({ exitCode, signal }));
    });
  });
  // An error thrown at the worker's top level also ends it with code 1; print it like Python.
  worker.on('error', (err) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
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
    unref() {
      worker.unref();
    },
    ref() {
      worker.ref();
    },
  };
}
