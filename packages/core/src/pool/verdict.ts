/**
 * What becomes of each job of a batch, given the batch's `Outcome`. This is the whole failure
 * policy of the pool in one switch:
 *
 * | outcome      | finished jobs      | the running job         | jobs not started |
 * | ------------ | ------------------ | ----------------------- | ---------------- |
 * | `reply`      | their replies      | (none)                  | run again        |
 * | `crashed`    | their replies      | `WorkerCrashedError`    | run again (*)    |
 *
 * (A map chunk's running job is its item: `sink.crashed` names it, and an `imap` without
 * `chunksize` sends the chunk's other items again, see `ChunkEntry.crashed`.)
 *
 * | `handedBack` | (none)             | (none)                  | run again        |
 * | `aborted`    | the one call was rejected when it was aborted                   |
 * | `terminated` | every job rejects with `PoolClosedError`                         |
 * | `refused`    | no worker could start: every job rejects with `WorkerStartError` |
 *
 * (*) When no started job was running as the worker died (it died reading the batch, or between
 * jobs), the death is charged to none: the jobs not started go again alone, and one that was in
 * flight in `MAX_UNSTARTED_DEATHS` such workers fails with `WorkerCrashedError` instead. Deaths by a
 * signal from outside (`killedFromOutside`) are counted apart, against `MAX_OUTSIDE_DEATHS_PER_WORKER`
 * × processes: the call did not cause them.
 *
 * A worker whose initializer failed (threw, or killed it) ran none of its jobs: they all reject
 * with the initializer's error, or `WorkerCrashedError` when it killed the worker. A worker killed
 * from outside while its initializer ran (`killedFromOutside`: SIGKILL, SIGTERM, ...) is no failed
 * initializer: its jobs run again, as after a death before the first job.
 */
import { ProcessError, type SerializationError } from '@multiproc/shared';
import { WorkerCrashedError } from '../errors.js';
import type { Batch, JobReply } from '../internal/batch.js';
import { isChannelCorruption } from '../internal/channel-guard.js';
import { refusedAt, UNSENDABLE_ADVICE } from '../internal/clone-refusal.js';
import { thrownOrError } from '../internal/error-record.js';
import { isNeverSettled, NEVER_SETTLED_EXIT_CODE, neverImported } from '../internal/never-settled.js';
import { isOutOfMemory } from '../internal/out-of-memory.js';
import { killedFromOutside } from '../internal/start-failure.js';
import type { Entry } from './dispatcher.js';
import type { Outcome } from './outcome.js';

/** Where the verdicts go, job by job. */
export interface VerdictSink {
  done(entry: Entry, reply: JobReply): void;
  failed(entry: Entry, error: unknown): void;
  /** The worker died running item `item` (its index in the chunk; `exact` false: at or after it) of this map chunk. */
  crashed(entry: Entry, error: unknown, item: number, exact: boolean): void;
  /**
   * The job never started: it runs again, on some worker. `died`: its worker died holding it
   * while no started job of the batch was running (the death is charged to no call), and makes
   * the error the job fails with once that happened too often (`deathsError`). `outside`: that
   * worker was killed from outside (`killedFromOutside`), counted apart.
   */
  again(entry: Entry, died?: (deaths: number) => WorkerCrashedError, outside?: boolean): void;
}

/** What the batch said about the worker's initializer. */
export interface InitNews {
  /** Set when the initializer failed: makes the error for any call it stands in for. */
  readonly initFailure?: () => unknown;
  /** The initializer ran and succeeded in this batch. */
  readonly initialized: boolean;
}

const LOST_REPLY = "The worker answered its batch without this call's reply (a pool bug: please report it).";
const STOPPED = 'The worker running this call was stopped.';

/** Sorts the jobs of `batch` (by job index in `entries`; `undefined` = taken back) by `outcome`. */
export function judge(
  batch: Batch,
  entries: ReadonlyArray<Entry | undefined>,
  outcome: Outcome,
  closedError: () => unknown,
  sink: VerdictSink,
): InitNews {
  const each = (fn: (entry: Entry, job: number) => void) => {
    for (let job = 0; job < entries.length; job++) {
      const entry = entries[job];
      if (entry) fn(entry, job);
    }
  };
  const failAll = (error: (entry: Entry) => unknown) => each((entry) => sink.failed(entry, error(entry)));
  switch (outcome.kind) {
    case 'reply': {
      const { reply, jobs } = outcome;
      const initError = reply.initError;
      if (initError) {
        const initFailure = () => thrownOrError(initError);
        failAll(initFailure);
        return { initFailure, initialized: false };
      }
      each((entry, job) => {
        if (job >= jobs.claimed) return sink.again(entry); // handed back unstarted
        const r = batch.jobs[job]!.kind === 'map' ? (reply.map ?? jobs.map) : jobs.replies[job];
        if (r) sink.done(entry, r);
        else sink.failed(entry, new ProcessError(LOST_REPLY));
      });
      return { initialized: reply.initialized === true };
    }
    case 'crashed': {
      const { jobs } = outcome;
      // A worker killed from outside (a signal no failure raises) while its initializer ran: the
      // initializer did not fail and no job started, so the jobs go again, as after any death
      // before a job's start (bounded the same way).
      if (jobs.inInit && killedFromOutside(outcome.signal)) {
        each((entry) => sink.again(entry, (deaths) => deathsError(outcome, entry, deaths), true));
        return { initialized: false };
      }
      if (jobs.inInit) {
        failAll((entry) => crashError(outcome, entry, 0, true));
        return { initFailure: () => crashError(outcome, undefined, 0, true), initialized: false };
      }
      // The last job started and has no reply: it was running, the death is its own. Else the
      // worker died between jobs, or before the first (reading the batch, loading a job): every
      // job not started is suspect (see `MAX_UNSTARTED_DEATHS` in entry.ts).
      const last = jobs.claimed - 1;
      const charged = last >= 0 && !(batch.jobs[last]!.kind === 'map' ? jobs.map : jobs.replies[last]);
      const outside = outsideDeath(outcome);
      // A task module whose top-level await never settles ends every worker that loads it before its
      // job starts (a worker imports the batch's modules first): that job fails at once, as one that
      // had started does; the other jobs go again.
      const neverLoaded = neverImported(outcome.cause);
      each((entry, job) => {
        // never started
        if (job >= jobs.claimed && neverLoaded !== undefined && neverLoaded === entry.spec.module)
          return sink.failed(entry, crashError(outcome, entry, 0, false));
        if (job >= jobs.claimed)
          return sink.again(
            entry,
            charged ? undefined : (deaths) => deathsError(outcome, entry, deaths),
            outside,
          );
        // A map chunk whose thread committed its reply (posted) before dying had finished.
        const isMap = batch.jobs[job]!.kind === 'map';
        const r = isMap ? jobs.map : jobs.replies[job];
        if (r) sink.done(entry, r);
        else if (isMap) {
          const error = crashError(outcome, entry, jobs.item, false);
          sink.crashed(entry, error, jobs.item, jobs.itemExact !== false);
        } else sink.failed(entry, crashError(outcome, entry, 0, false));
      });
      break;
    }
    case 'handedBack':
      each((entry) => sink.again(entry));
      break;
    case 'aborted':
      failAll(() => new ProcessError(STOPPED));
      break;
    case 'terminated':
      failAll(closedError);
      break;
    case 'refused':
      failAll(() => outcome.error);
      break;
    case 'unsent': {
      // Structured clone refused the batch. With several calls in it, each goes again on its own,
      // so only the call whose arguments cannot be sent fails: also the one left of them when the
      // others were taken back meanwhile (to an idle worker), which may well be one that can be sent.
      const live = entries.filter((entry) => entry !== undefined);
      if (entries.length > 1) {
        for (const entry of live) {
          entry.alone = true;
          sink.again(entry);
        }
      } else failAll((entry) => entry.unsent?.(outcome.error) ?? unsendable(outcome.error));
      break;
    }
  }
  return { initialized: false };
}

/**
 * Whether a live worker may hold job `job` of a batch decoded, given the batch's `outcome`: one that
 * answered and had started it. A job it did not start, or whose worker died or is being stopped
 * (crashed, aborted, terminated), or that never reached a worker, is held decoded by none: what its
 * encoding reserved may go back once it is settled (`Entry.drop`).
 */
export function heldDecoded(outcome: Outcome, job: number): boolean {
  return outcome.kind === 'reply' && !outcome.reply.initError && job < outcome.jobs.claimed;
}

function unsendable(error: unknown): SerializationError {
  return refusedAt(undefined, 'args', error, UNSENDABLE_ADVICE);
}

function crashError(
  outcome: Extract<Outcome, { kind: 'crashed' }>,
  entry: Entry | undefined,
  item: number,
  inInit: boolean,
): WorkerCrashedError {
  const { exitCode, signal, cause } = outcome;
  if (isNeverSettled(cause)) return neverSettledError(entry, item, inInit, neverImported(cause));
  const memory = isOutOfMemory(cause);
  const how = isChannelCorruption(cause)
    ? 'corrupted its IPC channel (it wrote bytes that are not a message to fd 3) and was killed'
    : memory
      ? `ran out of memory: its JavaScript heap reached its limit and it was stopped (${signal ? `by ${signal}` : `exit code ${exitCode}`})`
      : signal
        ? `was killed by ${signal}`
        : `exited with code ${exitCode}`;
  const advice = memory
    ? ' Raise the heap limit (the Pool option resourceLimits.maxOldGenerationSizeMb, or node --max-old-space-size), or use less memory per task.'
    : '';
  const message = inInit
    ? `The worker ${how} in the pool's initializer, before this task could start; the pool replaced it.${advice}`
    : `The worker running this task ${how}; the pool replaced it.${advice}`;
  return new WorkerCrashedError(message, {
    exitCode: signal ? null : exitCode,
    signal,
    ...(memory ? { reason: 'out of memory' as const } : {}),
    ...(entry?.taskIndex === undefined ? {} : { taskIndex: entry.taskIndex + item }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Whether a worker's death came from outside: a signal no failure raises, not the pool's own kill. */
function outsideDeath(outcome: Extract<Outcome, { kind: 'crashed' }>): boolean {
  const { signal, cause } = outcome;
  return killedFromOutside(signal) && !isOutOfMemory(cause) && !isChannelCorruption(cause);
}

/**
 * A call that was in flight, not started, in `deaths` workers that died in a row: what it carries
 * kills the worker before it can start (arguments too large for the worker's heap to read, a task
 * module that exits as it loads): it runs no more. Or, when they were killed from outside, that
 * many workers were killed before it could start (`MAX_OUTSIDE_DEATHS_PER_WORKER`).
 */
function deathsError(
  outcome: Extract<Outcome, { kind: 'crashed' }>,
  entry: Entry,
  deaths: number,
): WorkerCrashedError {
  const { exitCode, signal, cause } = outcome;
  const memory = isOutOfMemory(cause);
  const how = memory
    ? `ran out of memory (${signal ? `killed by ${signal}` : `exit code ${exitCode}`})`
    : signal
      ? `was killed by ${signal}`
      : `exited with code ${exitCode}`;
  const message = outsideDeath(outcome)
    ? `This call was in flight in ${deaths} workers killed from outside before it could start (the last one ${how}); ` +
      'the pool does not send it again. No limit was hit: something sends signals to the workers ' +
      "(for SIGKILL, also the kernel's out-of-memory killer). If you did not send them, find what did."
    : `This call was in flight in ${deaths} workers that died before it could start (the last one ${how}); ` +
      (memory
        ? 'the pool does not send it again. Its arguments or its task module kill the worker as they are ' +
          'read or loaded: send smaller arguments, or raise the heap limit (resourceLimits.maxOldGenerationSizeMb).'
        : 'the pool does not send it again. Its task module (or one it imports) ends the worker as it loads: ' +
          'a process.exit() or process.kill() at its top level, or an error thrown by a timer it starts there. ' +
          'A worker imports the module again, so its top level runs there too: put that behind ' +
          "`if (isMain()) { ... }` (Python: `if __name__ == '__main__':`), or move the tasks to a module of their own.");
  return new WorkerCrashedError(message, {
    exitCode: signal ? null : exitCode,
    signal,
    ...(memory ? { reason: 'out of memory' as const } : {}),
    ...(entry.taskIndex === undefined ? {} : { taskIndex: entry.taskIndex }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The worker ended itself: the task (or initializer) it ran returned a promise that could never settle. */
function neverSettledError(
  entry: Entry | undefined,
  item: number,
  inInit: boolean,
  importing: string | undefined,
): WorkerCrashedError {
  // A module whose top level waits for input (stdin, a prompt) or an unresolved promise: the
  // task never started, so "resolve every promise a task returns" would point at the wrong code.
  const what = importing
    ? `The task module ${importing} never finished loading in the worker: ` +
      'its top-level await (or that of a module it imports)'
    : inInit
      ? "The pool's initializer returned a promise that"
      : "This task's promise";
  const advice = importing
    ? "A worker imports the task's module again, so its top level runs there too: put what waits there " +
      "behind `if (isMain()) { ... }` (Python: `if __name__ == '__main__':`), or move the tasks to a module of their own."
    : 'Resolve or reject every promise a task returns.';
  return new WorkerCrashedError(
    `${what} never settled: nothing was left in its worker that could settle it (no timer, I/O, child ` +
      'process, port or socket of its own, no other task), so the worker ended with code ' +
      `${NEVER_SETTLED_EXIT_CODE} and the pool replaced it. ${advice}`,
    {
      exitCode: NEVER_SETTLED_EXIT_CODE,
      signal: null,
      reason: 'never settled',
      ...(entry?.taskIndex === undefined ? {} : { taskIndex: entry.taskIndex + item }),
    },
  );
}
