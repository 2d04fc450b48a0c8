/** The options of {@link startWorker} (and of `multiproc-worker`), checked by hand. */
import { type ContextName, ValidationError } from '@multiproc/core';
import type { RedisConnectionOptions } from '../internal/connection.js';
import type { LogWriter } from './log.js';

/** Options of {@link startWorker}. The command line's flags have the same names in kebab-case. */
export interface WorkerOptions {
  /**
   * The task modules to load, as paths or file URLs, each optionally `name=path` (the name pools
   * use for it, by default the file's base name without extension). Only their exported tasks run.
   */
  tasks: readonly string[];
  /** Where Redis is (URL or ioredis options). @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  connection?: RedisConnectionOptions;
  /** The shared secret; must equal the pools'. @default process.env.MULTIPROC_SECRET */
  secret?: string | Uint8Array;
  /** The key prefix shared with the pools. @default 'multiproc' */
  prefix?: string;
  /** Tasks run at once: the size of the local pool, and BullMQ's `concurrency`. @default cpuCount() */
  concurrency?: number;
  /** Where the local pool runs tasks: `'thread'` or `'process'`. @default getStartMethod() */
  context?: ContextName;
  /** Replace a local worker after this many tasks. Python: `maxtasksperchild`. @default unlimited */
  maxTasksPerChild?: number;
  /**
   * How long (ms) a job's lock lives unless renewed (BullMQ `lockDuration`). A job whose worker
   * dies is handed to another once its lock has expired and a stalled check has seen it twice.
   * @default 30000
   */
  lockDuration?: number;
  /** How often (ms) this worker looks for jobs whose worker died (BullMQ `stalledInterval`). @default 30000 */
  stalledInterval?: number;
  /** How many times a job may lose its worker before it fails (BullMQ `maxStalledCount`). @default 1 */
  maxStalledCount?: number;
  /** How long (ms) this worker's registration lives without a heartbeat. @default 15000 */
  ttl?: number;
  /** On `stop()`/SIGTERM, how long (ms) running jobs may finish before they go back to the queue. @default 30000 */
  grace?: number;
  /** How long (ms) to wait for Redis at start. @default 10000 */
  connectTimeout?: number;
  /** Where status lines go. @default one line each to stdout */
  log?: LogWriter;
  /** Log only lifecycle events and failures, not every job started and completed. @default false */
  quiet?: boolean;
}

const PREFIX = /^[A-Za-z0-9_.{}-][A-Za-z0-9_.{}:-]{0,63}$/;

/** The options with defaults, checked: bad values throw `ValidationError` naming the option. */
export function checkWorkerOptions(o: WorkerOptions) {
  if (o === null || typeof o !== 'object')
    throw new ValidationError('multiproc-worker: the options must be an object.');
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
    concurrency: int('concurrency', o.concurrency, 1),
    context: o.context,
    maxTasksPerChild: int('maxTasksPerChild', o.maxTasksPerChild, 1),
    lockDuration: int('lockDuration', o.lockDuration, 100) ?? 30_000,
    stalledInterval: int('stalledInterval', o.stalledInterval, 100) ?? 30_000,
    maxStalledCount: int('maxStalledCount', o.maxStalledCount, 0) ?? 1,
    ttl: int('ttl', o.ttl, 300) ?? 15_000,
    grace: int('grace', o.grace, 0) ?? 30_000,
    connectTimeout: int('connectTimeout', o.connectTimeout, 1) ?? 10_000,
    quiet: o.quiet ?? false,
  };
}

function int(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ValidationError(
      `multiproc-worker: '${name}' must be an integer >= ${min}, got ${String(value)}.`,
    );
  }
  return value;
}
