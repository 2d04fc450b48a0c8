/** The options of `Pool` and of its calls, validated with zod at the call that takes them. */
import { resolveTimeout, ValidationError } from '@multiproc/shared';
import { cpuCount } from '../identity.js';
import {
  CONTEXT_NAMES,
  type ContextLike,
  type ContextName,
  contextSchema,
  intIn,
  lazySchema,
  optional,
  type QuickCheck,
  taskRefSchema,
} from '../options.js';
import type { ArgsOption, TaskArgList, TaskFunction, TaskRef } from '../task.js';
import { isTaskRef } from '../task.js';

/**
 * Per-worker memory limits (thread context: Worker `resourceLimits`; process context: the V8 heap
 * flag). What a context cannot apply is refused by `new Pool()` with `ValidationError`.
 */
export interface PoolResourceLimits {
  /** The maximum size of the main heap, in MB: at least 4 ('process': a whole number, at least 16). */
  maxOldGenerationSizeMb?: number | undefined;
  /**
   * The maximum size of the heap's young generation, in MB ('thread' context only), at most 48
   * beside `maxOldGenerationSizeMb` (more let a worker reaching its heap limit abort the program).
   * @default 48 when `maxOldGenerationSizeMb` is set, else Node's
   */
  maxYoungGenerationSizeMb?: number | undefined;
  /**
   * The maximum stack size of the thread, in MB, from 0.5 to 1024 ('thread' context only).
   * @default Node's 4 MB, or as much as the program's own stack when it runs with a larger
   * `node --stack-size=<KiB>` (which reaches forked children but not threads): `(KiB + 256) / 1024`
   */
  stackSizeMb?: number | undefined;
}

/**
 * What `new Pool()` takes: {@link PoolOptions} with `initargs` required when the initializer has a
 * required parameter.
 */
export type CheckedPoolOptions<I extends TaskFunction = TaskFunction> = PoolOptions<I> &
  ArgsOption<I, 'initargs'>;

/** Options of {@link Pool}. */
export interface PoolOptions<I extends TaskFunction = TaskFunction> {
  /**
   * How many workers: an integer from 1 to 4096 (more is refused with `ValidationError`, as a typo
   * that would exhaust memory). Python: `processes`; `null` (Python's `None`) also means the default.
   * @default cpuCount()
   */
  processes?: number | null | undefined;
  /** `'thread'` (worker_threads) or `'process'` (child processes), or a context from `getContext()` (Python: `Pool(context=ctx)`). @default getStartMethod() */
  context?: ContextName | ContextLike | null | undefined;
  /**
   * A task every worker runs once before its first task (replacements too). Python: `initializer`.
   * As in Python, the workers the pool keeps (`minProcesses`) start at once and each runs it then,
   * with no task submitted; a worker started later (a replacement, one started on demand) runs it
   * as it starts, task or not; `join()` waits for it.
   *
   * If it throws (or kills the worker), no task ever runs in that worker: the calls it was given
   * reject with the initializer's error (`WorkerCrashedError` if it killed the worker) and the
   * worker is replaced, after a delay that grows with each failure in a row (100 ms to 5 s). Only
   * those calls fail: workers whose initializer succeeded keep serving. The calls still waiting
   * reject with the error only when no live worker has initialised and the last `2 × processes`
   * initializers failed (`8 × processes` once one has succeeded in this pool); a later call tries
   * again. (Python respawns failing workers forever.) `null` (Python's `None`) means none, as
   * when it is left out, and so does `undefined`, except right after a read of a name that
   * `defineTasks()` did not define (`initializer: tasks.initt`): that throws `ValidationError`
   * naming the name and the nearest task (`Did you mean tasks.init?`).
   * @example
   * const pool = new Pool({ initializer: tasks.connect, initargs: ['postgres://db'] });
   */
  initializer?: TaskRef<I> | null | undefined;
  /**
   * The initializer's arguments. Python: `initargs`. Encoded for each worker as it starts, so a
   * `Queue`, pipe end or manager proxy here is that worker's own copy (replacements get one too).
   * The pool keeps a copy of each queue and pipe end from the constructor on, so the caller may
   * close its own handle right after `new Pool()`, as in Python.
   * Checked against the initializer's parameters, like a pool call's arguments.
   * @default []
   */
  initargs?: TaskArgList<I> | undefined;
  /**
   * Replace a worker after it has run this many tasks. Python: `maxtasksperchild`. A hard cap: a
   * worker never starts more, however calls are batched. One `apply`/`applyAsync` call is one
   * task; one chunk of a `map`/`starmap`/`imap` is one task (as in Python). `null` (Python's
   * `None`) means unlimited, as when it is left out. Each worker's `currentProcess().name` is
   * `ThreadPoolWorker-N` (`ProcessPoolWorker-N` in the `'process'` context), N counting the
   * workers the pool started, so a replacement has a new name, as in Python. The replacement
   * starts once the worker it replaces has exited (or 2 s after it was told to stop), so live
   * workers never exceed `processes`, as in Python.
   * @default unlimited
   */
  maxTasksPerChild?: number | null | undefined;
  /**
   * Workers kept even when idle; more start on demand up to `processes`. More than an explicit
   * `processes` throws `ValidationError`. @default processes
   */
  minProcesses?: number | null | undefined;
  /**
   * How long (ms) a worker above `minProcesses` may stay idle before it is stopped. More than
   * 2^31 - 1 ms (about 24.8 days, the longest timer) or `Infinity`: never. In milliseconds, as
   * every timeout (fractions too). `null` (Python's `None`, as for every timeout): never.
   * @default 30000
   */
  idleTimeout?: number | null | undefined;
  /**
   * The most queued (not yet running) tasks; past it `apply`/`map`/`starmap` wait, and the forms
   * that return no Promise (`…Async`, `imap`, `imapUnordered`) throw `QueueFullError` at the call. A call's `timeout` and `signal` count from the call, so they also end a wait
   * for room (the call then never runs). A task handed ahead to a busy worker, not started, is queued: with
   * `processes: 1, maxQueue: 1`, one task runs and one waits. A task that a free (idle or starting)
   * worker will take is not: an idle pool of `processes` workers takes a burst of
   * `processes + maxQueue` calls made in one turn (`stats().queued` counts them all until posted).
   * One `apply` call is one task; one chunk of a map call is one task.
   * @default unlimited
   */
  maxQueue?: number | null | undefined;
  /**
   * Memory limits per worker; exceeding them is a `WorkerCrashedError`, and the pool goes on.
   * A limit the context cannot apply (`stackSizeMb` or `maxYoungGenerationSizeMb` with 'process',
   * `stackSizeMb` outside 0.5 to 1024, a thread heap under 4 MB or young one over 48 MB beside it,
   * a 'process' heap that is fractional or under 16 MB) throws
   * `ValidationError` naming it; so does a heap limit that a V8 flag of the program would replace
   * (Node sizes every thread's heap from `--max-old-space-size`, `--max-semi-space-size` or
   * `--max-heap-size` when set, also in `NODE_OPTIONS`, over the Worker's limits; a child's from
   * `--max-heap-size` or `--max-old-space-size-percentage`).
   * @example new Pool({ context: 'thread', resourceLimits: { maxOldGenerationSizeMb: 256, stackSizeMb: 8 } })
   */
  resourceLimits?: PoolResourceLimits | null | undefined;
}

/** Options every submitting call takes. */
export interface CallOptions {
  /**
   * Cancels the call: it rejects with an error named `AbortError` (the signal's reason as `cause`);
   * a task not started never runs (its worker is kept, also one it was posted to), and a running
   * one is stopped by recycling its worker. Such a call is posted a microtask after it is made: an
   * abort in the same synchronous run always finds it unposted. The call's listener is removed
   * when it settles, so one signal can serve any number of calls.
   */
  signal?: AbortSignal | null | undefined;
  /**
   * Rejects with `TimeoutError` this many ms after the call was submitted (like Python's
   * `apply_async(...).get(timeout)`): time spent waiting for a free worker counts (more than
   * 2^31 - 1 ms, about 24.8 days, `Infinity` or `null` (Python's `None`): no limit). In
   * milliseconds, as every timeout (for half a second pass `500`; a fraction of a millisecond
   * is taken as it is); 0 or less (a deadline already passed):
   * `TimeoutError` at once, as Python's negative timeouts do not wait. For `imap`/`imapUnordered` it fails only the
   * results not received by then: those received are still yielded, however slow the loop; the
   * `TimeoutError` comes after them. A task not started by then never runs (its worker is kept);
   * a running one is stopped by recycling its worker. A call with a `signal` or a `timeout` gets a
   * worker of its own (it is never batched with other calls).
   */
  timeout?: number | null | undefined;
  /**
   * Receives what the task sends with `sendToCaller()` while it runs (progress, partial results).
   * Every message a task sent before it returned has been received when the call settles (for
   * `imap`, when its chunk's results are yielded). If it throws, the call rejects with that error
   * at once, as if aborted (a running task is stopped by replacing its worker), and it is not
   * called again; the program goes on. In a worker, a task reference in a message is callable at
   * once: its module is imported before the message is handed over (one that cannot be fails the
   * call with `ProcessError`). (Python has no equivalent.)
   * @example
   * const seen: unknown[] = [];
   * await pool.apply(tasks.crunch, [1e6], { onMessage: (m) => seen.push(m) });
   * console.log(seen.length); // every message crunch sent
   */
  onMessage?: ((value: unknown) => void) | null | undefined;
}

/** Options of the `…Async` calls. */
export interface AsyncCallOptions<R> extends CallOptions {
  /**
   * Called with the result on success, before the `AsyncResult` settles. Python: `callback`.
   * If it throws, the `AsyncResult` rejects with that error instead of the result
   * (`successful()` is `false`) and `errorCallback` is not called. (Python's pool prints the
   * error, and that result and every later one never become ready.) A promise it returns (an
   * `async` callback) is awaited before the `AsyncResult` settles; its rejection counts as a throw.
   * @example
   * pool.applyAsync(tasks.square, [7], { callback: (v) => console.log('got', v) }); // got 49
   */
  callback?: ((result: R) => void) | null | undefined;
  /**
   * Called with the error on failure: the task's error, or the error `onMessage`/`onProgress`
   * threw. Python: `error_callback`. If it throws, the `AsyncResult` rejects with that error
   * instead of the one it was given, which becomes the thrown error's `cause` when it is an `Error`
   * without one (as Python sets `__context__`) and that makes no cycle (a rethrown error is kept as is).
   * A promise it returns is awaited, as `callback`'s is.
   * @example
   * pool.applyAsync(tasks.fail, [], { errorCallback: (e) => console.error('failed:', e) });
   */
  errorCallback?: ((error: unknown) => void) | null | undefined;
}

/** Options of the map-style calls. */
export interface MapOptions extends CallOptions {
  /**
   * Items per message to a worker (Python's `chunksize`: fixed when given).
   * @default adaptive: each call starts with one item a chunk, then about 10 ms of worker time per
   * chunk; for an input of known length never more than Python's size, length / (4 * processes)
   */
  chunksize?: number | null | undefined;
  /**
   * Called as each chunk finishes (in completion order, not input order) with the number of
   * results ready so far and the input length when known; the last call has every result.
   * If it throws, the call rejects with that error (an `imap` loop throws it), the chunks still
   * out stop, and it is not called again; the program goes on.
   * @example
   * const items = [1, 2, 3, 4];
   * await pool.map(tasks.square, items, { chunksize: 2, onProgress: (done, total) => console.log(`${done}/${total}`) }); // 2/4 4/4
   */
  onProgress?: ((done: number, total: number | undefined) => void) | null | undefined;
}

/** Options of `imap`/`imapUnordered`. */
export interface ImapOptions extends MapOptions {
  /**
   * How many chunks may be read ahead of the consumer. With the automatic `chunksize`, an `imap`
   * (results in input order) makes its chunks long enough that, while a chunk as slow as its
   * slowest so far holds up the results, the chunks read after it keep the other workers busy: at
   * least (processes - 1) / (inflight - processes) of that chunk's worker time each.
   * @default 2 * processes
   */
  inflight?: number | null | undefined;
}

/**
 * A count option: an integer from `min` (to `max`), its message saying what the count is and what
 * to do; zod's own ("Too small: expected number to be >0") says neither.
 */
const count = (z: any, min: number, what: string, max = Number.POSITIVE_INFINITY) =>
  z.custom(
    (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
    `expected an integer ${max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`}: ${what}`,
  );
/** The most workers a pool may ask for; more is a typo (and would exhaust memory at once). */
export const MAX_PROCESSES = 4096;
const fn = (z: any) => z.custom((v: unknown) => typeof v === 'function', 'expected a function');

export const poolOptionsSchema = lazySchema((z) =>
  z
    .object({
      processes: count(z, 1, 'the number of workers; null or leave it out for cpuCount()', MAX_PROCESSES)
        .nullable()
        .optional(),
      context: contextSchema(z).optional(),
      initializer: taskRefSchema(z).nullable().optional(),
      initargs: z.array(z.unknown()).optional(),
      maxTasksPerChild: count(
        z,
        1,
        'tasks a worker runs before it is replaced; null or leave it out for no limit',
      )
        .nullable()
        .optional(),
      minProcesses: count(
        z,
        0,
        'workers kept when idle, at most processes; leave it out to keep them all',
      ).optional(),
      // Infinity or null (never) too; resolvePoolOptions reads it as every timeout is read.
      idleTimeout: z
        .custom<number | null>(
          (v) => v === null || (typeof v === 'number' && v >= 0),
          'expected a number of ms >= 0, or null for never',
        )
        .optional(),
      maxQueue: count(
        z,
        1,
        "tasks that may wait beyond those the workers run; leave it out for no limit (piscina's 'auto' is processes * processes)",
      ).optional(),
      resourceLimits: z
        .object({
          maxOldGenerationSizeMb: z.number().positive().optional(),
          maxYoungGenerationSizeMb: z.number().positive().optional(),
          stackSizeMb: z.number().positive().optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
);

/** Python's `None` default: the option may be null, missing, or else must pass `test`. */
const noneOr = (test: (value: unknown) => boolean) => (value: unknown) =>
  value === null || optional(test)(value);

/** The usual Pool options, checked without zod (see `parseOptions`). */
export const poolOptionsQuick: QuickCheck = {
  processes: noneOr(intIn(1, MAX_PROCESSES)),
  context: optional((v) => (CONTEXT_NAMES as readonly unknown[]).includes(v)),
  initializer: noneOr(isTaskRef),
  initargs: optional(Array.isArray),
  maxTasksPerChild: noneOr(intIn(1)),
  minProcesses: optional(intIn(0)),
  idleTimeout: noneOr((v) => typeof v === 'number' && v >= 0),
  maxQueue: optional(intIn(1)),
  resourceLimits: optional(isResourceLimits),
};

const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'stackSizeMb'];

/** A plain object of known limits, each a positive number (what the schema surely accepts). */
function isResourceLimits(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Reflect.ownKeys(v).every((key) => {
    const limit = (v as Record<PropertyKey, unknown>)[key];
    return (
      LIMIT_KEYS.includes(key as string) &&
      (limit === undefined || (typeof limit === 'number' && limit > 0 && Number.isFinite(limit)))
    );
  });
}

export const callOptionsSchema = lazySchema((z) =>
  z
    .object({
      signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, 'expected an AbortSignal').optional(),
      // Infinity or null (no limit) too, and 0 or less (do not wait), as every other timeout in
      // multiproc takes; checkCall reads the number as every wait does (NaN refused).
      timeout: z
        .custom<number | null>(
          (v) => v === null || typeof v === 'number',
          'expected a number of ms (0 or less: do not wait), or null for no limit',
        )
        .optional(),
      callback: fn(z).optional(),
      errorCallback: fn(z).optional(),
      chunksize: count(
        z,
        1,
        'items per message to a worker; null or leave it out for an automatic size',
      ).optional(),
      onProgress: fn(z).optional(),
      onMessage: fn(z).optional(),
      inflight: count(z, 1, 'chunks read ahead of the consumer; leave it out for 2 * processes').optional(),
    })
    .strict(),
);

const isFunction = (v: unknown) => typeof v === 'function';

/**
 * The usual call options, checked without zod (see `parseOptions`): the first call that passes a
 * `timeout`, a `signal` or a `chunksize` would otherwise stop the program for zod's import (0.3-2.5 s
 * on a busy machine), and with it every timer, socket and abort due then, and the call's first item.
 * Only a bad option loads zod, for its message.
 */
export const callOptionsQuick: QuickCheck = {
  signal: optional((v) => v instanceof AbortSignal),
  timeout: optional((v) => v === null || typeof v === 'number'),
  callback: optional(isFunction),
  errorCallback: optional(isFunction),
  chunksize: optional(intIn(1)),
  onProgress: optional(isFunction),
  onMessage: optional(isFunction),
  inflight: optional(intIn(1)),
};

/**
 * The pool's defaults filled in.
 * @throws {ValidationError} when `minProcesses` exceeds an explicit `processes` (with the default,
 * `cpuCount()`, it is capped there, so a program behaves alike on machines of any size).
 */
export function resolvePoolOptions(opts: PoolOptions) {
  if (opts.processes != null && opts.minProcesses != null && opts.minProcesses > opts.processes) {
    throw new ValidationError(
      `Pool: minProcesses (${opts.minProcesses}) must not exceed processes (${opts.processes}). Lower minProcesses, or raise processes.`,
    );
  }
  const processes = opts.processes ?? cpuCount();
  return {
    processes,
    minProcesses: Math.min(opts.minProcesses ?? processes, processes),
    // Infinity for never, also for more than a timer can measure (Node would fire it after 1 ms).
    idleTimeout:
      opts.idleTimeout === undefined
        ? 30_000
        : resolveTimeout(opts.idleTimeout, 'Pool idleTimeout').timeoutMs,
    maxTasksPerChild: opts.maxTasksPerChild ?? 0,
    maxQueue: opts.maxQueue ?? Number.POSITIVE_INFINITY,
  };
}
