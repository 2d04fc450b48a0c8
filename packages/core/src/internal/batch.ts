/**
 * The message envelope between a Pool (host) and its workers. One tinypool task carries one
 * `Batch`: either several coalesced `apply` calls, or one chunk of a `map`. Numeric chunks travel
 * as transferred `Float64Array`s instead of cloned arrays (see `pool/chunks.ts`).
 *
 *   host                                        worker (pool-entry.ts)
 *   Batch { seq, init?, tasks[], jobs[] }  ───▶ run init once, then claim and run job after job
 *         ◀─── each call's reply, committed before the next job starts (see worker/reporter.ts)
 *         ◀─── BatchReply { map?, retire?, initError? }   when the batch ends
 *
 * A call's reply is committed as soon as the call returns, so a worker that dies later in the
 * batch takes only the running call with it: thread workers write it into their slot's control
 * block (`internal/control.ts`) or post it on their slot's port; child processes send
 * `ProgressMessage`s over their IPC channel, each flushed to the pipe before the next job starts.
 */
import type { MessagePort } from 'node:worker_threads';
import type { JsonEncoded } from '@multiproc/shared';
import type { ErrorRecord } from './error-record.js';

/** The most jobs one batch holds (job indexes fit the 16-bit halves of the claim word). */
export const MAX_BATCH = 1024;

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
  /** The index of the first item in its call: error paths name the call's index (`result[base + i]`). */
  readonly base?: number;
  readonly encoded: boolean;
}

export type Job = CallJob | MapJob;

/** The initializer every worker runs once before its first task; every batch names it. */
export interface InitSpec extends TaskSpec {
  /** Identifies the pool, so a worker runs each pool's initializer once. */
  readonly id: string;
}

/**
 * The initializer's arguments, encoded for one worker (a queue or pipe end among them is that
 * worker's own copy): they travel in the first batch posted to each worker only.
 */
export interface InitArgs {
  readonly args: unknown[];
  /** Whether `args` holds codec records to decode. */
  readonly encoded: boolean;
  /**
   * Set when they could not be encoded for this worker (a queue closed since the pool was made):
   * the worker's initializer fails with it, as if it had thrown it.
   */
  readonly error?: ErrorRecord;
}

/** What the host sends as one tinypool task. */
export interface Batch {
  /** Numbers the batches of a pool; progress messages name the batch they belong to. */
  readonly seq: number;
  readonly init: InitSpec | null;
  /** Where `sendToCaller()` posts: a BroadcastChannel name (thread context); child processes use their IPC channel. */
  readonly messages: string | null;
  /** The tasks the jobs run, each sent once per batch (module URLs are long). */
  readonly tasks: TaskSpec[];
  /** `maxTasksPerChild`, or 0 for no limit. */
  readonly maxTasks: number;
  readonly jobs: Job[];
  /**
   * Thread context, the first batch a worker slot is handed only: the slot's control block, and the
   * port its worker posts replies on (the worker keeps both; a block per batch would be
   * deserialized, with its five views, for every map chunk). Set by the host as the batch is posted.
   */
  control?: SharedArrayBuffer;
  port?: MessagePort;
  /** The first batch a worker is handed only: `init`'s arguments, encoded for that worker. */
  initArgs?: InitArgs;
  /** Set when the host gave the batch up before a worker took it: run nothing. */
  cancelled?: true;
  /** Set on a batch the host emptied (`SideLanes.divert`): answer once the side chunks queued there have run. */
  hold?: true;
}

/**
 * A batch for a child process, sent by the host on the child's IPC channel itself: tinypool's
 * child_process runtime would first clone it over a MessagePort to its own forwarder, a second
 * copy of every argument on the host. tinypool carries the batch's `PostedBatch` instead, which
 * reaches the child after this (one channel, in order).
 */
export interface BatchPost {
  readonly __multiproc_post__: number;
  readonly batch: Batch;
}

/** What tinypool hands a child process for a batch sent as a `BatchPost`: its `seq`. */
export interface PostedBatch {
  readonly posted: number;
}

/**
 * A child's answer to a batch, sent on its IPC channel itself (a map chunk's results, once through
 * tinypool, were cloned again over its MessagePort on the host); tinypool carries `AnsweredBatch`.
 */
export interface BatchAnswer {
  readonly __multiproc_answer__: number;
  readonly reply: BatchReply;
}

/** What a child's tinypool task resolves with for a batch answered as a `BatchAnswer`. */
export interface AnsweredBatch {
  readonly answered: number;
}

/** A call's outcome. */
export type CallReply = (
  | {
      readonly ok: true;
      readonly value: unknown;
      readonly encoded: boolean;
      /** Set when `value` is the result as a `JsonEncoded` (see `encodeJson` in @multiproc/shared). */
      readonly json?: true;
    }
  | { readonly ok: false; readonly error: ErrorRecord }
) & {
  /**
   * Thread workers: how many `sendToCaller()` messages the call posted on the pool's
   * BroadcastChannel, which the host waits for before it settles the call (they travel apart).
   */
  sent?: number;
};

/** A chunk's outcome: every value, or the values before the item that failed and its error. */
export interface MapReply {
  /** The results; empty when they came as `json`. */
  readonly values: unknown[] | Float64Array;
  /** The results as one JSON text, when `encodeJson` (@multiproc/shared) could carry them all. */
  readonly json?: JsonEncoded;
  /** How many results `json` holds. */
  readonly count?: number;
  readonly encoded: boolean;
  readonly error?: ErrorRecord;
  /** Worker time spent on the chunk, for adaptive chunk sizes. */
  readonly ms?: number;
}

export type JobReply = CallReply | MapReply;

/** What a worker answers when a batch ends. */
export interface BatchReply {
  /** How many jobs the worker claimed: the ones after them were not started (handed back). */
  readonly ran: number;
  /** The reply of the batch's map job, when it has one. */
  readonly map?: MapReply;
  /** Worker time spent on the jobs, for adaptive batch sizes. */
  readonly ms: number;
  /** Set once the worker has served `maxTasksPerChild`: the host stops and replaces it. */
  readonly retire?: true;
  /**
   * Set when a task left a non-daemon `Process` running in this worker: an orderly stop waits for
   * the worker's exit, which comes once they have ended, without the usual bound.
   */
  readonly children?: true;
  /** Set when the initializer ran in this batch and succeeded. */
  readonly initialized?: true;
  /** The initializer failed in this worker: no job ran, and none ever will here. */
  readonly initError?: ErrorRecord;
  /**
   * Thread workers: how many `sendToCaller()` messages each listener id was sent during the batch.
   * They travel on a BroadcastChannel, which may deliver them after this reply, so the host keeps
   * a call's listener until that many have arrived.
   */
  readonly sent?: readonly (readonly [listener: number, count: number, threadId?: number])[];
}

/** A child process's account of a batch's progress, sent before the step it describes is taken. */
export type ProgressMessage =
  | { readonly __multiproc_batch__: number; readonly step: 'init' }
  /** The initializer returned or threw (the host waits for it before it stops a child that holds an aborted batch). */
  | { readonly __multiproc_batch__: number; readonly step: 'initEnd' }
  /**
   * The child imports the module of the batch's task `task` (an index in `Batch.tasks`), which it
   * had not loaded (its top level runs), before any claim; one message per such module.
   */
  | { readonly __multiproc_batch__: number; readonly step: 'load'; readonly task: number }
  /** Those imports ended (the host waits for it before it stops a child that holds an aborted batch). */
  | { readonly __multiproc_batch__: number; readonly step: 'loadEnd' }
  | { readonly __multiproc_batch__: number; readonly step: 'start'; readonly job: number }
  | {
      readonly __multiproc_batch__: number;
      readonly step: 'done';
      readonly job: number;
      readonly reply: CallReply;
      /** The job started right after this one, or -1. */
      readonly next: number;
    }
  /** The map chunk reached item `item`; `final`: sent as the child exits, it was running that item. */
  | {
      readonly __multiproc_batch__: number;
      readonly step: 'item';
      readonly item: number;
      readonly final?: true;
    }
  /** Sent as the child exits: job `job` was announced as started, yet none of it ran. */
  | { readonly __multiproc_batch__: number; readonly step: 'unstart'; readonly job: number };

/** The host telling a child process to stop the map chunk of batch `seq` at its next item. */
export interface CancelMessage {
  readonly __multiproc_cancel__: number;
}

/** A `sendToCaller()` message on its way to the host. */
export interface CallerMessage {
  readonly __multiproc_message__: number;
  readonly value: unknown;
  /** `value` went through the value codec: the host passes it to `decodeValue()`. */
  readonly encoded?: true;
  /** The sending thread's id (thread workers): the host counts each thread's messages apart. */
  readonly from?: number;
}

/** The key of a {@link CrashMessage}. */
export const CRASH_KEY = '__multiproc_crash__';

/**
 * What a pool worker process sends its host just before it dies of an uncaught error or an
 * unhandled rejection (worker/crash-report.ts): the error, which becomes the crashed call's `cause`.
 */
export interface CrashMessage {
  readonly [CRASH_KEY]: ErrorRecord;
}

/**
 * A thread worker's reply posted on the slot's port: a call reply that did not fit its control
 * block, or a map chunk's reply that moves memory back (its results buffer), which thus needs no
 * transfer through tinypool (whose `markMovable` costs a worker a first import of tinypool's main
 * module, and an `import()` per chunk after that: issue 18).
 */
export interface PostedReply {
  readonly seq: number;
  readonly job: number;
  readonly reply: CallReply | MapReply;
}

/**
 * A thread's side chunk (`pool/side-lane.ts`): one map chunk of numbers posted straight on its
 * slot's port, outside tinypool, so that `imap` over millions of numbers allocates one message a
 * chunk instead of a tinypool task, its promise and its reply (issue 18).
 */
export interface SideChunk {
  readonly seq: number;
  readonly job: MapJob;
  readonly spec: TaskSpec;
  /** The pool's initializer id: the worker runs the chunk only once that initializer succeeded. */
  readonly init: string | null;
  /** The first side chunk of a slot only: the port the worker answers side chunks on. */
  readonly replies?: MessagePort;
}

/** The host giving up a side chunk the worker may not have started yet. */
export interface SideCancel {
  readonly cancel: number;
}

/**
 * The host stopping an idle thread that ends normally (its pool idled it out, or a closed pool's
 * `join()`): the thread calls `process.exit(0)` itself, so its managers are told it ends normally
 * and the locks it holds there stay taken (`worker.terminate()` would end it without a word).
 */
export interface SlotExit {
  readonly exit: 0;
}

/**
 * A thread's answer to {@link SlotExit} when it first joins the non-daemon Processes its tasks
 * started, however late they started (a map chunk on its side lane sends no batch reply): the host
 * then waits for its exit without the usual bound. Posted on the slot's port, which the host reads
 * with `receiveMessageOnPort`.
 */
export interface SlotJoining {
  readonly joining: true;
}

/**
 * A worker's answer to a side chunk: its reply, `refused` (it did not run: its task is not loaded
 * here yet, send it through tinypool), or `skipped` (it did not run: the host gave it up).
 */
export type SideReply =
  | { readonly seq: number; readonly reply: MapReply }
  | { readonly seq: number; readonly refused: true }
  | { readonly seq: number; readonly skipped: true };
