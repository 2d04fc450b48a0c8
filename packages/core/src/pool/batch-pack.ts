/**
 * How the dispatcher packs the entries it takes off its queue into one batch for one worker: each
 * entry builds its job (an entry that cannot be built fails alone), jobs share one task table, and
 * the batch travels as the `Held` flight the adapter runs and the dispatcher settles.
 */
import type { Batch, Job, TaskSpec } from '../internal/batch.js';
import type { DispatcherConfig, Entry, Held } from './entry.js';

/** What packing needs of the dispatcher. */
export interface PackContext {
  readonly config: DispatcherConfig;
  /** `[spec]`, the task list of a one-job batch, made once a task (it is only read). */
  readonly alone: WeakMap<TaskSpec, TaskSpec[]>;
  /** The next batch's sequence number (taken only for a batch that is sent). */
  nextSeq(): number;
  /** Fails an entry whose job could not be built. */
  fail(entry: Entry, error: unknown): void;
}

/** Packs `all` into one batch, each entry's `held` set to it; `undefined` when no job could be built. */
export function packBatch(all: Entry[], ctx: PackContext): Held | undefined {
  // One job (a map chunk, a lone call) builds no lists of its own: what a batch holds lives
  // until its results are read, through scavenges of an `imap` loop (issue 18).
  if (all.length === 1) {
    const entry = all[0]!;
    let built: ReturnType<Entry['build']>;
    try {
      built = entry.build();
    } catch (error) {
      ctx.fail(entry, error);
      return undefined;
    }
    built.job.task = 0;
    let tasks = ctx.alone.get(entry.spec);
    if (!tasks) ctx.alone.set(entry.spec, (tasks = [entry.spec]));
    // The transfer list is copied: the slot adds its port to it, and a fixed chunk reuses its own.
    return held(ctx, all, tasks, [built.job], built.transfer.slice());
  }
  const tasks: TaskSpec[] = [];
  const transfer: object[] = [];
  const entries: Entry[] = [];
  const jobs: Job[] = [];
  for (const entry of all) {
    let built: ReturnType<Entry['build']>;
    try {
      built = entry.build();
    } catch (error) {
      // It cannot be sent again (a move()d buffer is gone with the worker it went to).
      ctx.fail(entry, error);
      continue;
    }
    entries.push(entry);
    jobs.push(built.job);
    let t = tasks.indexOf(entry.spec);
    if (t === -1) t = tasks.push(entry.spec) - 1;
    built.job.task = t;
    for (const item of built.transfer) transfer.push(item);
  }
  return entries.length > 0 ? held(ctx, entries, tasks, jobs, transfer) : undefined;
}

function held(ctx: PackContext, entries: Entry[], tasks: TaskSpec[], jobs: Job[], transfer: object[]): Held {
  const { init, maxTasksPerChild: maxTasks, messages } = ctx.config;
  // `control` and `port` are set as the batch is posted (`progress.ts`): declared here, so
  // setting them adds no property storage.
  const batch: Batch = {
    seq: ctx.nextSeq(),
    init,
    messages,
    maxTasks,
    tasks,
    jobs,
    control: undefined,
    port: undefined,
  };
  const flight: Held = {
    batch,
    transfer,
    cancelled: false,
    slot: undefined,
    progress: undefined,
    lane: undefined,
    refused: undefined,
    group: entries.length === 1 ? entries[0]!.group : undefined,
    diverted: false,
    entries,
    live: entries.length,
  };
  for (const entry of entries) entry.held = flight;
  return flight;
}

/**
 * A worker's start (`Dispatcher.#initWorkers`): a batch of no jobs that runs the pool's
 * initializer `init`, numbered `seq`.
 */
export function packStart(init: Batch['init'], seq: number): Held {
  const batch = { seq, init, messages: null, maxTasks: 0, tasks: [], jobs: [] };
  return {
    start: true,
    batch,
    transfer: [],
    cancelled: false,
    slot: undefined,
    progress: undefined,
    lane: undefined,
    refused: undefined,
    group: undefined,
    diverted: false,
    entries: [],
    live: 0,
  };
}

/**
 * Takes the jobs of `held` from job `from` on out of it (its worker will not run them), and adds
 * the live ones to `into` in their order; one given up is skipped (already not counted live).
 */
export function takeJobs(held: Held, from: number, into: Entry[] = []): Entry[] {
  for (let j = from; j < held.entries.length; j++) {
    const entry = held.entries[j];
    held.entries[j] = undefined;
    if (!entry || entry.settled) continue;
    held.live--;
    into.push(entry);
  }
  return into;
}
