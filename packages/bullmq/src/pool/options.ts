/** The options of the BullMQ `Pool`, checked by hand (the package has no zod). */
import { type TaskRef, ValidationError } from '@multiproc/core';
import { MAX_PROCESSES, nodePoolOptionHint, taskSetOf } from '@multiproc/core/internal';
import { notAnObject, omitNullOptions, spellingOf, unknownOption } from '@multiproc/shared';
import type { RedisConnectionOptions } from '../internal/connection.js';
import { checkModuleName, moduleUrlOf } from '../internal/task-ids.js';

/** Options of the BullMQ {@link Pool}. */
export interface PoolOptions {
  /**
   * Where Redis is: a URL (`redis://user:password@host:6379/0`, `rediss://` for TLS) or ioredis
   * options (`host`, `port`, `username`, `password`, `tls`, `db`, ...), passed through to BullMQ.
   * @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
   */
  connection?: RedisConnectionOptions | undefined;
  /**
   * The shared secret that signs jobs and results (HMAC-SHA256), at least 16 bytes; every worker
   * needs the same. Python: `authkey`.
   * @default process.env.MULTIPROC_SECRET
   */
  secret?: string | Uint8Array | undefined;
  /**
   * The key prefix shared with the workers (`multiproc-worker --prefix`). Each pool keeps its jobs
   * under a unique `<prefix>:pool-<id>:` and deletes them all in `join()`/`terminate()`.
   * @default 'multiproc'
   */
  prefix?: string | undefined;
  /**
   * How many workers to plan chunks for (automatic `chunksize`, default `inflight`).
   * An integer from 1 to 4096; `null` (Python's `None`), as every option here, means not given.
   * @default the concurrency of the workers serving the pool when a call starts, else `cpuCount()`
   */
  processes?: number | null | undefined;
  /**
   * How many times a job may run when its task throws or its local worker crashes (BullMQ's
   * `attempts`); the last failure is the call's. A job whose worker machine dies is retried
   * separately, up to the worker's `--max-stalled-count`.
   * @default 1
   */
  attempts?: number | undefined;
  /**
   * How long (ms) the pool's registration lives without a heartbeat. When a client vanishes,
   * workers cancel its running jobs and delete its keys once this has passed.
   * @default 30000
   */
  clientTtl?: number | undefined;
  /**
   * How long (ms) to wait for Redis before calls reject with `RedisConnectionError`. Time the event
   * loop is blocked by synchronous work does not count (the connection could not proceed then).
   * @default 10000
   */
  connectTimeout?: number | undefined;
  /**
   * Portable names for task modules whose file base name is not the name the workers use: name ->
   * module URL (`import.meta.url` style) or absolute path, or name -> the object a `defineTasks()`
   * call returned (or one of its task references), which names that call's tasks alone: the way to
   * name two task modules bundled into one file, whose URL they share (anything else throws
   * `ValidationError`). Mirrors `multiproc-worker --tasks name=path`. A job carries a fingerprint of
   * the task names of its task's `defineTasks()` call: a worker whose module of that name defines
   * other tasks refuses it (`UnknownTaskError`).
   * @default each module is named by its file's base name without extension; a client bundle
   * that holds `tasks-a.js` and `tasks-b.js`, whose workers load those two files, gives
   * `{ 'tasks-a': tasksA, 'tasks-b': tasksB }`
   */
  moduleNames?: Record<string, string | TaskRef | Readonly<Record<string, TaskRef>>> | undefined;
  /**
   * How long (ms) calls may wait with no worker serving this pool before the pool says so, once,
   * with a process warning of type `ProcessWarning` and code `MP_NO_WORKER` (what to check: is a
   * `multiproc-worker` running, on the same Redis, `--prefix` and secret?). The calls go on
   * waiting (a worker started later serves them); give them a `timeout` to bound the wait.
   * `false` turns the warning off. Python's manager client fails at once instead
   * (`ConnectionRefusedError`, `AuthenticationError`).
   * @default 10000
   */
  noWorkerWarning?: number | false | undefined;
}

/** The pool's options with defaults filled in. */
export interface ResolvedPoolOptions {
  readonly connection: RedisConnectionOptions | undefined;
  readonly secret: string | Uint8Array | undefined;
  readonly prefix: string;
  readonly processes: number | undefined;
  readonly attempts: number;
  readonly clientTtl: number;
  readonly connectTimeout: number;
  /** module URL -> portable name */
  readonly moduleNames: ReadonlyMap<string | object, string>;
  /** ms, or `undefined` for no warning. */
  readonly noWorkerWarning: number | undefined;
}

const KNOWN = new Set([
  'connection',
  'secret',
  'prefix',
  'processes',
  'attempts',
  'clientTtl',
  'connectTimeout',
  'moduleNames',
  'noWorkerWarning',
]);
const SETUP =
  'has no counterpart on the workers: do the setup at the top level of a task module given to ' +
  "multiproc-worker's --tasks (it runs once in each local worker that loads the module, before its tasks)";
const SIZE =
  'belongs to the workers, which keep their local workers (multiproc-worker --concurrency <n>) ' +
  'running: start or stop multiproc-worker processes to scale';
/**
 * Local Pool options that the BullMQ pool refuses, and what to do instead: they shape the
 * workers, which run elsewhere and are started by the user.
 */
const WORKER_SIDE: Record<string, string> = {
  context: 'belongs to the workers: start multiproc-worker with --context thread or --context process',
  maxTasksPerChild: 'belongs to the workers: start multiproc-worker with --max-tasks-per-child <n>',
  resourceLimits:
    'belongs to the workers: start multiproc-worker with --max-old-space-size <MB> (the heap limit ' +
    'of each local worker that runs tasks)',
  initializer: SETUP,
  initargs: SETUP,
  minProcesses: SIZE,
  idleTimeout: SIZE,
  maxQueue:
    'is not supported: jobs wait in Redis without a bound (imap and imapUnordered keep at most ' +
    '`inflight` jobs out)',
};
const PREFIX = /^[A-Za-z0-9_.{}-][A-Za-z0-9_.{}:-]{0,63}$/;

/**
 * Options of piscina's, tinypool's and workerpool's pools that shape
 * the workers: the local Pool's option each is, which {@link WORKER_SIDE} explains for this pool.
 */
const OTHER_POOLS: Record<string, string> = {
  maxThreads: 'minProcesses',
  minThreads: 'minProcesses',
  maxWorkers: 'minProcesses',
  minWorkers: 'minProcesses',
  concurrentTasksPerWorker: 'minProcesses',
  maxQueueSize: 'maxQueue',
  runtime: 'context',
  workerType: 'context',
  isolateWorkers: 'maxTasksPerChild',
  workerData: 'initializer',
};
/** Their options for what a worker process inherits, which here is its own command line's. */
const INHERITED = new Set(['env', 'argv', 'execArgv', 'workerThreadOpts', 'forkArgs', 'forkOpts']);
const OWN_PROCESS =
  'belongs to the workers: each runs with the environment, arguments and Node flags of its own ' +
  'multiproc-worker process (set them where you start it)';

/**
 * The `Pool` option check: bad values throw `ValidationError` naming the option; an option set to
 * `null` (Python's `None`) is one not given, and `null` or `undefined` options are none, as for
 * the local Pool.
 */
export function resolvePoolOptions(given: PoolOptions | null | undefined): ResolvedPoolOptions {
  const options = omitNullOptions(given ?? {});
  if (typeof options !== 'object' || Array.isArray(options)) {
    const error = notAnObject(options, [...KNOWN], 'new Pool()');
    const hint =
      typeof options === 'number' ? ` For ${options} workers write new Pool({ processes: ${options} }).` : '';
    throw new ValidationError(`${error.message}${hint}`);
  }
  for (const key of Object.keys(options)) checkOptionName(key);
  const prefix = options.prefix ?? 'multiproc';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw bad('prefix', "1-64 letters, digits or '_.-{}:' (no spaces)", prefix);
  }
  const names = new Map<string | object, string>();
  if (options.moduleNames !== undefined) {
    if (typeof options.moduleNames !== 'object' || options.moduleNames === null) {
      throw bad('moduleNames', 'an object of name -> module URL or path', options.moduleNames);
    }
    for (const [name, where] of Object.entries(options.moduleNames)) {
      const moduleName = checkModuleName(name, 'Pool: option moduleNames');
      const key = typeof where === 'string' ? moduleUrlOf(where) : taskSetOf(where);
      if (key === undefined) {
        throw bad(
          `moduleNames.${name}`,
          "a module URL (import.meta.url style: new URL('./tasks.js', import.meta.url).href) or an " +
            'absolute path (a relative path would be read from the working directory, not from this ' +
            'module), or the object defineTasks() returned',
          where,
        );
      }
      names.set(key, moduleName);
    }
  }
  return {
    connection: options.connection,
    secret: options.secret,
    prefix,
    processes: optionalInt('processes', options.processes, 1, MAX_PROCESSES),
    attempts: optionalInt('attempts', options.attempts, 1) ?? 1,
    clientTtl: optionalInt('clientTtl', options.clientTtl, 1000) ?? 30_000,
    connectTimeout: optionalInt('connectTimeout', options.connectTimeout, 1) ?? 10_000,
    moduleNames: names,
    noWorkerWarning: noWorkerWarning(options.noWorkerWarning),
  };
}

function noWorkerWarning(value: unknown): number | undefined {
  if (value === false) return undefined;
  if (value === undefined) return 10_000;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw bad('noWorkerWarning', 'an integer >= 1 (ms) or false', value);
  }
  return value;
}

function optionalInt(name: string, value: unknown, min: number, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(name, max === Infinity ? `an integer >= ${min}` : `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/**
 * Throws `ValidationError` for an option this pool does not take: where it belongs when it shapes
 * the workers (also under Python's or another Node pool's name), else the local Pool's hints.
 */
function checkOptionName(key: string): void {
  if (KNOWN.has(key)) return;
  if (Object.hasOwn(WORKER_SIDE, key))
    throw new ValidationError(`Pool: option '${key}' ${WORKER_SIDE[key]}.`);
  // Python's spelling (`maxtasksperchild`, `start_method`) is named with multiproc's.
  const local = key === 'start_method' ? 'context' : spellingOf(key, [...KNOWN, ...Object.keys(WORKER_SIDE)]);
  if (local !== undefined && Object.hasOwn(WORKER_SIDE, local)) {
    throw new ValidationError(`Pool: option '${key}' (${local} in multiproc) ${WORKER_SIDE[local]}.`);
  }
  if (Object.hasOwn(OTHER_POOLS, key)) {
    throw new ValidationError(`Pool: option '${key}' ${WORKER_SIDE[OTHER_POOLS[key]!]}.`);
  }
  if (INHERITED.has(key)) throw new ValidationError(`Pool: option '${key}' ${OWN_PROCESS}.`);
  const error = unknownOption(key, [...KNOWN], 'new Pool()');
  const node = local === undefined ? nodePoolOptionHint(key) : '';
  throw node ? new ValidationError(`${error.message} ${node}`) : error;
}

function bad(name: string, expected: string, got: unknown): ValidationError {
  return new ValidationError(`Pool: option '${name}' must be ${expected}, got ${describe(got)}.`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object')
    return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
