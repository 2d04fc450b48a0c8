/**
 * What the pool says when it stops a worker whose import of a task module had not ended
 * `LOADING_ABORT_MS` after its call was aborted (`Slot.abort`). A top level that never settles
 * while something keeps the worker alive (an interval, a socket) cannot be told from a slow one, so
 * a later call of that module imports it again in another worker and waits for it as the first call
 * did (as Python's pool waits): bound such calls with `timeout`. The warning makes that wait visible:
 * the pool gave up on a load once, which it never does for a call that was not aborted.
 */

/** The warning's `code`. */
export const LOAD_ABANDONED_CODE = 'MP_TASK_LOAD_ABANDONED';

/**
 * Warns (a `ProcessWarning` with code {@link LOAD_ABANDONED_CODE}) that the import of the task
 * module `module` (the one a worker was importing for its batch: the others of the batch loaded
 * before it, or were not reached) was still running `ms` after its call was aborted, and its worker stopped.
 */
export function warnLoadAbandoned(module: string, ms: number): void {
  // Each time: it takes an abort and that long each, and each time the work of the import is lost.
  process.emitWarning(
    `Pool: a worker importing the task module ${module} had not finished ${ms / 1000} s after its call was aborted ` +
      '(a top-level await that never settles, or a slow one), so the pool stopped it. A later call of ' +
      'that module imports it again in another worker and waits for that import, as the first call ' +
      "did: give such calls a timeout, or move what waits at the module's top level behind " +
      "`if (isMain()) { ... }` (Python: `if __name__ == '__main__':`).",
    { type: 'ProcessWarning', code: LOAD_ABANDONED_CODE },
  );
}
