/**
 * The shapes the dispatcher (`dispatcher.ts`) works with: a call's job waiting for a worker, the
 * batch it is held in once handed to the adapter, and what the dispatcher needs from its pool.
 */
import type { Batch, BatchReply, Job, JobReply, TaskSpec } from '../internal/batch.js';
import type { CallOrder } from './job-order.js';
import type { Flight } from './outcome.js';

/**
 * A call not started that was in flight in this many workers that died, each death charged to no
 * started call (the worker died reading the batch, or between a job's announcement and its code),
 * fails with `WorkerCrashedError` and is never sent again: what it carries kills the worker before
 * it can start (its arguments exceed the worker's heap as they are read, its task module exits as
 * it loads), and resending it would replace workers forever. Three, not one or two: the first
 * death may be another call's of its batch (the calls of that batch go alone from then on, so an
 * innocent one never dies with the culprit again), and one death the call did not cause (a timer
 * an earlier task left, a worker killed from outside) must not fail it; three deaths, the last two
 * with the call alone in a fresh worker, are the call's own. Each costs one worker start.
 */
export const MAX_UNSTARTED_DEATHS = 3;
/**
 * Deaths of workers killed from outside (`killedFromOutside`: a SIGKILL or SIGTERM from another
 * program, the kernel's out-of-memory killer) that held a call not started are not the call's
 * doing: they are counted apart, and fail it only at this many × `processes`, as
 * `OUTSIDE_KILLS_PER_WORKER` bounds such kills of starting workers.
 */
export const MAX_OUTSIDE_DEATHS_PER_WORKER = 10;

/**
 * Counts the death of a worker that held `entry` before it started (`outside`: killed from outside)
 * in a pool of `processes`; returns the count of that kind once it reached its bound: the call fails.
 */
export function unstartedDeath(entry: Entry, outside: boolean, processes: number): number | undefined {
  const deaths = (outside ? (entry.outsideDeaths ?? 0) : (entry.deaths ?? 0)) + 1;
  if (outside) entry.outsideDeaths = deaths;
  else entry.deaths = deaths;
  return deaths >= (outside ? MAX_OUTSIDE_DEATHS_PER_WORKER * processes : MAX_UNSTARTED_DEATHS)
    ? deaths
    : undefined;
}

/** One job waiting for, or held by, a worker. */
export interface Entry {
  /** The task the job runs. */
  readonly spec: TaskSpec;
  /**
   * Builds the job to post. Called at each dispatch: a job handed back or taken back is posted
   * again, and what the first post transferred (a packed chunk's buffer) is gone by then.
   */
  build(): { job: Job; transfer: object[] };
  /** Its last build never left (taken back from tinypool's queue, or sent empty): post it as is. */
  unposted?(): void;
  /**
   * Its batch was posted to a worker: the shared memory its job carries has left this thread
   * (until then a blocking wait on it throws rather than hang, `encodeUnsent`).
   */
  sent?(): void;
  /** Calls that cannot be aborted can share a batch with other calls. */
  readonly batchable: boolean;
  /** Position of the job's first item in its call's input (a map chunk), for `taskIndex`. */
  readonly taskIndex: number | undefined;
  resolve(reply: JobReply): void;
  reject(error: unknown): void;
  /**
   * Its worker died running item `item` of it (a map chunk; `exact` false: at or after it);
   * without this, `reject(error)`.
   */
  crashed?(error: unknown, item: number, exact: boolean): void;
  /**
   * What fails the job, alone in its batch, when structured clone refused what the codec passed
   * (`error`: the platform's); undefined: the pool's own "Cannot send args" error.
   */
  unsent?(error: unknown): Error | undefined;
  /**
   * True once structured clone refused it and its rejection sends it again in parts (a map chunk's
   * halves): no task failed, so `stats().failed` does not count it (its parts count as they end).
   */
  readonly goesInParts?: boolean;
  /**
   * Gives back what its job's encoding reserved for a worker (the copies of the queues and pipe ends
   * among its arguments or items, `undelivered.ts`). The dispatcher calls it once the job is settled
   * or given up and no live worker holds it decoded: it never reached a worker, or the one it
   * reached did not start it, or is gone. It may be called more than once.
   */
  drop?(): void;
  /**
   * The worker that started its job has ended (it crashed, exited, or was killed, terminated or
   * recycled while it ran it): the copies among its arguments count as closed now, before it
   * settles, not once that worker's links close (`undelivered.ts`, `endEncoded`).
   */
  holderEnded?(): void;
  /** The dispatcher's bookkeeping (fields, not maps: they are set for every call). */
  held?: Held | undefined;
  /** Its call's place in the order calls were made (`job-order.ts`); given at submit when unset. */
  order?: CallOrder | undefined;
  /** Settled, or given up by its call. */
  settled?: boolean;
  /**
   * Set once its batch could not be sent, or its worker died before it started: it goes on its
   * own from then on.
   */
  alone?: boolean;
  /** Workers that died holding it before it started, each death charged to no started call. */
  deaths?: number;
  /** Of such workers, those killed from outside: counted apart (`MAX_OUTSIDE_DEATHS_PER_WORKER`). */
  outsideDeaths?: number;
  /** The call a map chunk belongs to, and its item count: a worker may queue it behind that call's chunk only. */
  readonly group?: object;
  readonly items?: number;
}

/** What the dispatcher needs from its pool. */
export interface DispatcherConfig {
  readonly processes: number;
  readonly maxTasksPerChild: number;
  readonly init: Batch['init'];
  /** The BroadcastChannel name thread workers post `sendToCaller()` messages on. */
  readonly messages: string | null;
  /** The error queued and running jobs reject with once the pool is terminated. */
  closedError(): unknown;
  /** Told, before the batch's calls settle, how many messages a thread worker sent per listener. */
  messagesSent(sent: NonNullable<BatchReply['sent']>): void;
  /** The pool ran out of work. */
  onDrain(): void;
  /** Jobs may have left the queue (settled, given up, or started): a call waiting for room under `maxQueue` looks again. */
  onRoom(): void;
}

/** A batch handed to the adapter: the flight itself, with the dispatcher's bookkeeping (one object a batch). */
export interface Held extends Flight {
  /** By job index; `undefined` once the job was taken back or given up. */
  readonly entries: (Entry | undefined)[];
  live: number;
}
