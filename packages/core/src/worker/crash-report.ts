/**
 * Worker side (reportUncaught: pool worker processes only): the error a child dies of reaches its host as the
 * crashed call's `cause`, as a worker thread's does (its 'error' event carries it). Node prints an
 * uncaught exception (or an unhandled rejection it raises as one) and exits with code 1; just before,
 * it calls the `'uncaughtExceptionMonitor'` listeners, which change neither. The record is handed to
 * the IPC channel then, while the channel's write queue is empty as a rule, so it is written at once
 * and is read by the host before the channel closes (watch-worker.ts reads it to the end).
 */
import { CRASH_KEY, type CrashMessage } from '../internal/batch.js';
import { toErrorRecord } from '../internal/error-record.js';
import { restoreProcess } from './own-process.js';

/** Sends the error this child dies of to its host, when it does die of it. */
export function reportUncaught(): void {
  process.on('uncaughtExceptionMonitor', (error) => {
    restoreProcess(); // a task may have replaced it (own-process.ts)
    // A listener of the user's own handles it: the worker lives on, nothing died.
    if (process.listenerCount('uncaughtException') > 0 || process.connected !== true) return;
    try {
      process.send!({ [CRASH_KEY]: toErrorRecord(error, 0, 'error', 'process') } satisfies CrashMessage);
    } catch {
      // The channel refused it: the host reports the crash without a cause, as before.
    }
  });
}

// Taken at load, before any task ran: the failure this path is for may be a task's replacing one of
// these globals (`globalThis.Promise = ...` broke the runner's own `new Promise`, and the check
// `reply instanceof Promise` then missed the rejection, read by the host as arguments refused).
const OwnPromise = Promise;
const then = Promise.prototype.then;
const nextTick = process.nextTick.bind(process);

/**
 * `run` (a worker's batch runner), except that a batch whose running fails in this worker's own
 * code, not in a task (a task broke a global that code relies on, such as `Atomics`), ends the
 * worker with that error, as an uncaught one would: the call fails with `WorkerCrashedError`
 * carrying it as `cause`, and the pool replaces the worker. Answered as a rejection, it read to the
 * host as a post that structured clone refused: the worker was kept, and every later call of its
 * pool failed (tinypool's suite, test/globals.test.ts, found it through `globalThis.process`).
 */
export function endOnFailure<B, R>(run: (batch: B) => R | Promise<R>): (batch: B) => R | Promise<R> {
  const die = (error: unknown): Promise<R> => {
    nextTick(() => {
      throw error;
    });
    return new OwnPromise<R>(() => {}); // the worker ends first
  };
  return (batch) => {
    try {
      const reply = run(batch);
      return reply instanceof OwnPromise ? (then.call(reply, undefined, die) as Promise<R>) : reply;
    } catch (error) {
      return die(error);
    }
  };
}
