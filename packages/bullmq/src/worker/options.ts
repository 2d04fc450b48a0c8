/** The options of {@link startWorker} (and of `multiproc-worker`), checked by hand. */
import { type ContextName, ValidationError } from '@multiproc/core';
import { checkOptionKeys } from '@multiproc/shared';
import type { RedisConnectionOptions } from '../internal/connection.js';
import type { LogWriter } from './log.js';

/**
 * Options of {@link startWorker}. The command line's flags have the same names in kebab-case
 * (`lockDuration` is `--lock-duration`) and the same bounds.
 */
export interface WorkerOptions {
  /**
   * The task modules to load, as paths or file URLs, each optionally `name=path` (the name pools
   * use for it, by default the file's base name without extension). Only their exported tasks run.
   */
  tasks: readonly string[];
  /** Where Redis is (URL or ioredis options). @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  connection?: RedisConnectionOptions | undefined;
  /** The shared secret; must equal the pools'. @default process.env.MULTIPROC_SECRET */
  secret?: string | Uint8Array | undefined;
  /** The key prefix shared with the pools. @default 'multiproc' */
  prefix?: string | undefined;
  /** Tasks run at once: the size of the local pool, and BullMQ's `concurrency`; 1 to 4096. @default cpuCount() */
  concurrency?: number | undefined;
  /** Where the local pool runs tasks: `'thread'` or `'process'`. @default getStartMethod() */
  context?: ContextName | undefined;
  /** Replace a local worker after this many tasks (at least 1). Python: `maxtasksperchild`. @default unlimited */
  maxTasksPerChild?: number | undefined;
  /**
   * The JavaScript heap limit (MB, at least 16) of each local worker that runs tasks, thread or
   * child process, as the local Pool's `resourceLimits.maxOldGenerationSizeMb`. A task that
   * exceeds it fails its call with `WorkerCrashedError` (`reason: 'out of memory'`) and the worker
   * is replaced; this process (Redis, the queues) is not limited by it.
   * @default Node's own limit
   */
  maxOldSpaceSize?: number | undefined;
  /**
   * How long (ms) a job's lock lives unless renewed (BullMQ `lockDuration`). A job whose worker
   * dies is handed to another once its lock has expired and a stalled check has seen it twice.
   * At least 100.
   * @default 30000
   */
  lockDuration?: number | undefined;
  /** How often (ms, at least 100) this worker looks for jobs whose worker died (BullMQ `stalledInterval`). @default 30000 */
  stalledInterval?: number | undefined;
  /** How many times a job may lose its worker before it fails (BullMQ `maxStalledCount`). @default 1 */
  maxStalledCount?: number | undefined;
  /** How long (ms, at least 300) this worker's registration lives without a heartbeat. @default 15000 */
  ttl?: number | undefined;
  /** On `stop()`/SIGTERM, how long (ms) running jobs may finish before they go back to the queue. @default 30000 */
  grace?: number | undefined;
  /** How long (ms) to wait for Redis at start. @default 10000 */
  connectTimeout?: number | undefined;
  /**
   * Where status lines go. A writer that throws does not disturb the worker: its error is thrown
   * again on a turn of its own (an uncaught exception). @default one line each to stdout
   */
  log?: LogWriter | undefined;
  /** Log only lifecycle events and failures, not every job started and completed. @default false */
  quiet?: boolean | undefined;
}

const PREFIX = /^[A-Za-z0-9_.{}-][A-Za-z0-9_.{}:-]{0,63}$/;

/** The local Pool's largest `processes` (core's own limit). */
const MAX_CONCURRENCY = 4096;

/** The bounds of a whole-number option (the same for its `multiproc-worker` flag). */
export interface Bounds {
  readonly min: number;
  readonly max?: number;
}

/**
 * The whole-number options: one table for `startWorker()`'s checks and the command line's
 * (which names the flag as typed, and prints the bounds in `--help`).
 */
export const WORKER_BOUNDS = {
  concurrency: { min: 1, max: MAX_CONCURRENCY },
  maxTasksPerChild: { min: 1 },
  // Below about 16 MB a Node worker cannot even start (it runs out of memory while booting).
  maxOldSpaceSize: { min: 16 },
  // Shorter locks and checks are lost to a busy event loop: jobs would be taken back as stalled.
  lockDuration: { min: 100 },
  stalledInterval: { min: 100 },
  maxStalledCount: { min: 0 },
  // A heartbeat every ttl / 3 ms: shorter would be missed under load.
  ttl: { min: 300 },
  grace: { min: 0 },
  connectTimeout: { min: 1 },
} as const satisfies Record<string, Bounds>;

/** The bounds as a phrase: `an integer >= 100`, `an integer from 1 to 4096`. */
export function describeBounds(bounds: Bounds, noun = 'an integer'): string {
  return bounds.max === undefined
    ? `${noun} >= ${bounds.min}`
    : `${noun} from ${bounds.min} to ${bounds.max}`;
}

/** Whether `value` is a whole number within `bounds`. */
export function withinBounds(value: unknown, bounds: Bounds): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= bounds.min &&
    (bounds.max === undefined || value <= bounds.max)
  );
}

/** Every key of {@link WorkerOptions} (the record makes the compiler check that none is left out). */
const WORKER_KEYS = Object.keys({
  tasks: true,
  connection: true,
  secret: true,
  prefix: true,
  concurrency: true,
  context: true,
  maxTasksPerChild: true,
  maxOldSpaceSize: true,
  lockDuration: true,
  stalledInterval: true,
  maxStalledCount: true,
  ttl: true,
  grace: true,
  connectTimeout: true,
  log: true,
  quiet: true,
} satisfies Record<keyof WorkerOptions, true>);

/** The options with defaults, checked: bad values throw `ValidationError` naming the option. */
export function checkWorkerOptions(o: WorkerOptions) {
  if (o === null || typeof o !== 'object')
    throw new ValidationError('multiproc-worker: the options must be an object.');
  // First: a misspelt key (`concurency`) would otherwise be a default silently, or fail later.
  checkOptionKeys(o, WORKER_KEYS, 'startWorker()');
  if (
    !Array.isArray(o.tasks) ||
    o.tasks.length === 0 ||
    !o.tasks.every((t) => typeof t === 'string' && t !== '')
  ) {
    throw new ValidationError(
      "multiproc-worker: 'tasks' must list at least one task module (--tasks ./dist/tasks.js); only those are loaded.",
    );
  }
  const prefix = o.prefix ?? 'multiproc';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ValidationError(
      `multiproc-worker: 'prefix' must be 1-64 letters, digits or '_.-{}:', got '${prefix}'.`,
    );
  }
  if (o.context !== undefined && o.context !== 'thread' && o.context !== 'process') {
    throw new ValidationError(
      `multiproc-worker: 'context' must be 'thread' or 'process', got '${o.context}'.`,
    );
  }
  return {
    tasks: o.tasks,
    prefix,
    concurrency: int(o, 'concurrency'),
    context: o.context,
    maxTasksPerChild: int(o, 'maxTasksPerChild'),
    maxOldSpaceSize: int(o, 'maxOldSpaceSize'),
    lockDuration: int(o, 'lockDuration') ?? 30_000,
    stalledInterval: int(o, 'stalledInterval') ?? 30_000,
    maxStalledCount: int(o, 'maxStalledCount') ?? 1,
    ttl: int(o, 'ttl') ?? 15_000,
    grace: int(o, 'grace') ?? 30_000,
    connectTimeout: int(o, 'connectTimeout') ?? 10_000,
    quiet: o.quiet ?? false,
  };
}

function int(o: WorkerOptions, name: keyof typeof WORKER_BOUNDS): number | undefined {
  const value = o[name];
  if (value === undefined) return undefined;
  if (!withinBounds(value, WORKER_BOUNDS[name])) {
    throw new ValidationError(
      `multiproc-worker: '${name}' must be ${describeBounds(WORKER_BOUNDS[name])}, got ${String(value)}.`,
    );
  }
  return value;
}
