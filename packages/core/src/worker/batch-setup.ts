/**
 * What a pool worker does for a batch before it claims the batch's first job: it runs the pool's
 * initializer (once per pool), then imports the task modules the batch needs that it has not loaded.
 * Both phases are told to the host (`Reporter.initStarting`/`initEnded`, `loadStarting`/`loadEnded`):
 * a worker holding a batch whose call was aborted is stopped only once it has been idle in neither
 * for a while (`UNANSWERED_ABORT_MS` in `pool/slot.ts`), so it is not killed in the middle of a slow
 * initializer or import its replacement would run again.
 */
import { ProcessError } from '@multiproc/shared';
import type { Batch, InitArgs, InitSpec } from '../internal/batch.js';
import { decodeValue, type ErrorRecord, toErrorRecord } from '../internal/error-record.js';
import { callAfterRefs, loadTask, preloadTasks, unloadedTasks } from '../internal/load-task.js';
import { context } from './map-run.js';
import type { Reporter } from './reporter.js';

// Per pool (a worker may serve nested pools' ids too): undefined once its initializer succeeded,
// or the record of the error it failed with; no task ever runs in a worker whose initializer failed.
const initialized = new Map<string, ErrorRecord | undefined>();
// Per pool: the initializer's arguments, which come in the first batch only (kept until it runs).
const initArgs = new Map<string, InitArgs>();

/** Keeps the initializer's arguments `batch` carries (its pool's first batch to this worker) until it runs. */
export function keepInitArgs(batch: Batch): void {
  if (batch.initArgs && batch.init) initArgs.set(batch.init.id, batch.initArgs);
}

/** Whether the initializer of pool `id` ran here (it succeeded or failed). */
export function initRan(id: string): boolean {
  return initialized.has(id);
}

/** Whether the initializer of pool `id` ran here and succeeded: its tasks may run. */
export function initSucceeded(id: string): boolean {
  return initialized.has(id) && initialized.get(id) === undefined;
}

/** Runs the pool's initializer once; returns its error record if it failed (now or before). */
export async function runInit(init: InitSpec, report: Reporter): Promise<ErrorRecord | undefined | 'ran'> {
  if (initialized.has(init.id)) return initialized.get(init.id);
  await report.initStarting();
  try {
    const fn = await loadTask(init.module, init.taskName);
    const given = initArgs.get(init.id);
    initArgs.delete(init.id);
    if (!given) throw new ProcessError(MISSING_INIT_ARGS);
    if (given.error) {
      initialized.set(init.id, given.error);
      return given.error;
    }
    const args = given.encoded ? decodeValue(given.args, context) : given.args;
    await callAfterRefs(fn, args);
    initialized.set(init.id, undefined);
    return 'ran';
  } catch (err) {
    initialized.set(init.id, toErrorRecord(err, 0, 'error', context));
    return initialized.get(init.id);
  } finally {
    await report.initEnded(); // before any claim: a cancel sent meanwhile is read first
  }
}

const MISSING_INIT_ARGS =
  "The pool's initializer arguments never reached this worker (the batch that carried them was lost); the pool replaces it.";

/**
 * Imports the modules of the batch's tasks not loaded here yet, one after another, each after a
 * `loadStarting(task)` naming it (the index of one of its tasks in `batch.tasks`), then
 * `loadEnded()`: a slow top level (a blocking one, or a long top-level await) is a load phase the
 * host waits for after an abort, as for the initializer, and names in its warning when it gives up
 * (only the module still loading). Nothing is told when all are loaded.
 */
export async function loadBatchTasks(batch: Batch, report: Reporter): Promise<void> {
  if (unloadedTasks(batch.tasks).length === 0) return;
  try {
    await preloadTasks(batch.tasks, (task) => report.loadStarting(task));
  } finally {
    await report.loadEnded(); // before any claim: a cancel sent meanwhile is read first
  }
}
