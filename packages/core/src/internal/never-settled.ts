/**
 * A pool task whose promise can never settle: it is pending while its worker has nothing left
 * that could settle it (no timer, no I/O, no port or socket but the pool's own channel, no other
 * task). The worker notices (`worker/loop-watch.ts`), says so to its host in a crash record whose
 * cause carries {@link NEVER_SETTLED_CODE}, and exits with {@link NEVER_SETTLED_EXIT_CODE}; the
 * host fails the call with `WorkerCrashedError` (`reason: 'never settled'`) and replaces the worker.
 */

/** Node's exit code for an unsettled top-level await, which a `Process` ends with here too. */
export const NEVER_SETTLED_EXIT_CODE = 13;

/** The `code` of the cause a worker reports when its running task can never settle. */
export const NEVER_SETTLED_CODE = 'ERR_TASK_NEVER_SETTLED';

/**
 * What a worker reports as the cause of its end when its running task can never settle; with
 * `importing`, the URL of the task module whose import (its top-level `await`) never finished.
 */
export class TaskNeverSettled extends Error {
  readonly code = NEVER_SETTLED_CODE;
  readonly importing: string | undefined;
  constructor(importing?: string) {
    super(
      `${importing === undefined ? "The task's promise" : `The import of ${importing}`} never settled: nothing ` +
        'was left in its worker that could settle it (no timer, I/O, child process, port or socket of its ' +
        'own, and no other task).',
    );
    this.importing = importing;
  }
}

/** Whether a worker's exit `cause` says its running task could never settle. */
export function isNeverSettled(cause: unknown): boolean {
  return (cause as { code?: unknown } | null | undefined)?.code === NEVER_SETTLED_CODE;
}

/** The task module whose import never settled, from a worker's exit `cause` (see {@link TaskNeverSettled}). */
export function neverImported(cause: unknown): string | undefined {
  const importing = (cause as { importing?: unknown } | null | undefined)?.importing;
  return typeof importing === 'string' ? importing : undefined;
}
