/**
 * Worker side, pool worker processes only: the error a child dies of reaches its host as the
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
