/**
 * The message envelope between a Pool (host) and its workers. One tinypool task carries one
 * `Batch`: either several coalesced `apply` calls, or one chunk of a `map`. Numeric chunks travel
 * as transferred `Float64Array`s instead of cloned arrays (see `pool/packing.ts`).
 *
 *   host                                   worker (pool-entry.ts)
 *   Batch { init?, maxTasks, tasks[], jobs[] } ───▶ run init once, then each job
 *         ◀─── BatchReply { replies[] }    one reply per job, errors as ErrorRecords
 */
import type { ErrorRecord } from './error-record.js';

/** A task reference as it travels: the module URL and the function's name. */
export interface TaskSpec {
  readonly module: string;
  readonly taskName: string;
}

/** One `apply`-style call. `task` indexes the batch's `tasks` table. */
export interface CallJob {
  readonly kind: 'call';
  task: number;
  /** Set when the call has `onMessage`: `sendToCaller()` messages are tagged with it. */
  readonly listener?: number;
  readonly args: unknown[];
  /** Whether `args` holds codec records to decode. */
  readonly encoded: boolean;
}

/** One chunk of a `map`/`starmap`/`imap`: the task applied to each item. */
export interface MapJob {
  readonly kind: 'map';
  task: number;
  readonly listener?: number;
  /** The items, or a packed `Float64Array` when every item is a number. */
  readonly items: unknown[] | Float64Array;
  /** `starmap`: each item is an argument list. */
  readonly star: boolean;
  readonly encoded: boolean;
}

export type Job = CallJob | MapJob;

/** The initializer every worker runs once before its first task. */
export interface InitSpec extends TaskSpec {
  readonly args: unknown[];
  readonly encoded: boolean;
  /** Identifies the pool, so a worker runs each pool's initializer once. */
  readonly id: string;
}

/** What the host sends as one tinypool task. */
export interface Batch {
  readonly init: InitSpec | null;
  /** Where `sendToCaller()` posts: a BroadcastChannel name (thread context); child processes use their IPC channel. */
  readonly messages: string | null;
  /** The tasks the jobs run, each sent once per batch (module URLs are long). */
  readonly tasks: TaskSpec[];
  /** `maxTasksPerChild`, or 0 for no limit. */
  readonly maxTasks: number;
  readonly jobs: Job[];
}

/** A call's outcome. */
export type CallReply =
  | { readonly ok: true; readonly value: unknown; readonly encoded: boolean }
  | { readonly ok: false; readonly error: ErrorRecord };

/** A chunk's outcome: every value, or the values before the item that failed and its error. */
export interface MapReply {
  readonly values: unknown[] | Float64Array;
  readonly encoded: boolean;
  readonly error?: ErrorRecord;
  /** Worker time spent on the chunk, for adaptive chunk sizes. */
  readonly ms?: number;
}

export type JobReply = CallReply | MapReply;

/** What a worker answers for one batch. */
export interface BatchReply {
  /** Set when this worker had reached `maxTasksPerChild` and ran nothing: resubmit the batch. */
  readonly recycled?: true;
  /** Set once the worker has served `maxTasksPerChild`: its id (thread id, or pid), for the host to stop it. */
  readonly retire?: number;
  readonly replies: JobReply[];
  /**
   * Thread workers: how many `sendToCaller()` messages each listener id was sent during the batch.
   * They travel on a BroadcastChannel, which may deliver them after this reply, so the host keeps
   * a call's listener until that many have arrived.
   */
  readonly sent?: readonly (readonly [listener: number, count: number])[];
}

/** The message a thread worker's `process.exit()` turns into (see pool-entry.ts). */
export const EXIT_MARKER = '__multiproc_exit__';

/** The message of the error the host stops a worker with once it has served `maxTasksPerChild`. */
export const RETIRED_MARKER = '__multiproc_retired__';

/** A `sendToCaller()` message on its way to the host. */
export interface CallerMessage {
  readonly __multiproc_message__: number;
  readonly value: unknown;
}
