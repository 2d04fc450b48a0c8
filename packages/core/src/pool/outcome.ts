/**
 * What became of one batch handed to the pool's workers: the typed answer of the tinypool adapter
 * (`tinypool.ts`), which `dispatcher.ts` switches on. Nothing outside the adapter looks at what
 * tinypool itself resolved or rejected with.
 */
import type { Batch, BatchReply, CallReply, MapReply } from '../internal/batch.js';
import type { Progress } from './progress.js';
import type { SideLane } from './side-lane.js';
import type { Slot } from './slot.js';

/** How far a batch got, as its worker committed it (see `internal/control.ts`, `worker/reporter.ts`). */
export interface JobsState {
  /** Jobs [0, claimed) were started by the worker; the jobs after them never started. */
  readonly claimed: number;
  /** The reply of every call job that finished, by job index. */
  readonly replies: ReadonlyArray<CallReply | undefined>;
  /** The reply of the batch's map job when its worker posted it (a thread moving its results back). */
  readonly map?: MapReply | undefined;
  /** The item the batch's map chunk had reached (its index within the chunk). */
  readonly item: number;
  /**
   * False when `item` is only where the chunk was at least (a child process killed outright, which
   * could not tell the item it was running: the item of its loop's last pause).
   */
  readonly itemExact?: boolean;
  /** The worker was still running the pool's initializer. */
  readonly inInit: boolean;
}

/** A batch on its way through the adapter. */
export interface Flight {
  readonly batch: Batch;
  readonly transfer: object[];
  /** Set when its calls were given up (aborted, or their map call failed): the worker runs nothing more of it. */
  cancelled: boolean;
  /**
   * Set by the adapter as the flight is posted: the worker slot it went to and the batch's
   * progress there (fields, not maps: every map chunk is a flight, see issue 18).
   */
  slot: Slot | undefined;
  progress: Progress | undefined;
  /** Set when it went on a worker's side lane instead of through tinypool (`side-lane.ts`). */
  lane: SideLane | undefined;
  /** Set when no worker could start to run it (a `WorkerStartError`): it fails with that. */
  refused: unknown;
  /** The call its one job belongs to (a map call's chunk), if any: a side lane queues only chunks of one call. */
  readonly group: object | undefined;
  /**
   * Set when tinypool posted it to a worker still running a side chunk while another worker was
   * free: it went there empty, its jobs were handed back at once (`SideLanes.divert`).
   */
  diverted: boolean;
  /** Set on a worker's start (no jobs, the pool's initializer): it goes to a worker just ready (`start-queue.ts`). */
  readonly start?: boolean;
}

export type Outcome =
  /** The worker answered. `jobs` says which jobs ran; the unclaimed ones were handed back. */
  | { readonly kind: 'reply'; readonly reply: BatchReply; readonly jobs: JobsState }
  /** The worker died: the call it was running dies with it, the finished ones keep their replies. */
  | {
      readonly kind: 'crashed';
      readonly exitCode: number | null;
      readonly signal: string | null;
      /** What killed it, when known: the uncaught error, or out of memory. */
      readonly cause: unknown;
      readonly jobs: JobsState;
    }
  /** The batch's worker was stopped because its call was aborted (signal or timeout). */
  | { readonly kind: 'aborted' }
  /** The worker was retired before it started the batch: run its jobs elsewhere. */
  | { readonly kind: 'handedBack'; readonly jobs: JobsState }
  /** The pool was terminated. */
  | { readonly kind: 'terminated' }
  /** The batch could not be posted to a worker at all (a value structured clone refused). */
  | { readonly kind: 'unsent'; readonly error: unknown }
  /** No worker could start to run it (`WorkerStartError`). */
  | { readonly kind: 'refused'; readonly error: unknown };

/** Nothing ran. */
export const NOTHING_RAN: JobsState = { claimed: 0, replies: [], item: 0, inInit: false };
/** Nothing of the batch ran: its jobs go again. */
export const HANDED_BACK: Outcome = { kind: 'handedBack', jobs: NOTHING_RAN };

/**
 * A worker that has `served` its `maxTasksPerChild` tasks retires and hands back any batch it gets:
 * `flight`, which tinypool is posting to it, goes empty instead (as `SideLanes.divert` sends one)
 * and its calls are queued again at once, in front, so they run in the order they were made.
 * Reports whether it did.
 */
export function divertFromRetired(flight: Flight, served: number): boolean {
  const { batch } = flight;
  if (batch.maxTasks === 0 || served < batch.maxTasks || flight.diverted) return false;
  flight.diverted = true;
  (batch as { jobs: unknown[] }).jobs = [];
  flight.transfer.length = 0;
  return true;
}
