/**
 * Context objects (Python: `multiprocessing.get_context()`): the same API with a fixed context, so
 * code can pick 'thread' or 'process' once and use `ctx.Process`, `ctx.Pool`, `ctx.Queue`, ....
 */
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { ContextError, definePythonNames } from '@multiproc/shared';
import { PoolClosedError, WorkerCrashedError, WorkerEntryNotFoundError, WorkerStartError } from './errors.js';
import { cpuCount, currentProcess, isMain, parentProcess } from './identity.js';
import { tooManyArguments } from './internal/arity.js';
import { callableConstructor, callableMembers, PYTHON_MODULE_NAMES } from './internal/callable.js';
import { HELPERS, type HelperName } from './internal/helper-names.js';
import { refuseToSend } from './internal/host-bound.js';
import { assertContextName, type ContextName } from './options.js';
import type { CheckedPoolOptions } from './pool/options.js';
import { Pool } from './pool/pool.js';
import { activeChildren, type CheckedProcessOptions, Process } from './process.js';
import { type ProcessPrimitives, processPrimitives } from './process-primitives.js';
import { getAllStartMethods, getStartMethod } from './start-method.js';
import type { TaskFunction } from './task.js';

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A package's exports without the {@link HELPERS}. */
function publicPart<T extends object>(ns: T): Omit<T, HelperName> {
  const out: Record<string, unknown> = { ...(ns as Record<string, unknown>) };
  for (const helper of HELPERS) delete out[helper];
  // Not an export: the `default` a CommonJS build's namespace interop adds (core's first-use code
  // runs as a CommonJS function on Node, scripts/first-use-factory.mjs).
  delete out.default;
  return out as Omit<T, HelperName>;
}

/** The Pool of a context: `Pool` with `{ context: name }` unless the options name one. */
function contextPoolClass(name: ContextName): typeof Pool {
  class ContextPool<I extends TaskFunction = TaskFunction> extends Pool<I> {
    constructor(options?: CheckedPoolOptions<I> | null) {
      if (arguments.length > 1) throw tooManyArguments('new Pool', arguments.length);
      const given = options ?? {};
      super((isObject(given) ? { context: name, ...given } : given) as CheckedPoolOptions<I>);
    }
  }
  Object.defineProperty(ContextPool, 'name', { value: 'Pool' });
  return ContextPool as typeof Pool;
}

function bindContext(name: ContextName) {
  class ContextProcess<F extends TaskFunction = TaskFunction> extends Process<F> {
    constructor(options: CheckedProcessOptions<F>) {
      if (arguments.length > 1) throw tooManyArguments('new Process', arguments.length);
      // Anything but an options object goes through as given, for Process to name the mistake.
      super(isObject(options) ? { context: name, ...options } : options);
    }
  }
  Object.defineProperty(ContextProcess, 'name', { value: 'Process' });
  // Every class and factory can be called with or without `new` (Python: `ctx.Queue()`).
  const members = callableMembers({
    ...publicPart(shared),
    ...publicPart(ipc),
    // The error classes of this package, as Python's contexts carry `ProcessError` and the others.
    PoolClosedError,
    WorkerCrashedError,
    WorkerEntryNotFoundError,
    WorkerStartError,
    // Python's `ctx.Array`: this library's `SharedArray` (the name `Array` is JavaScript's own).
    Array: shared.SharedArray,
    // SharedArrayBuffer primitives cannot reach a child process: there, manager-backed ones. Typed
    // as the shared names they replace (ProcessContext retypes them), never as `typeof shared`:
    // that typed every helper deleted above as an optional member of both contexts.
    ...(name === 'process'
      ? (processPrimitives as unknown as Pick<typeof shared, keyof ProcessPrimitives & keyof typeof shared>)
      : {}),
    name,
    Process: ContextProcess as typeof Process,
    // Made on first read (below): the pool's code loads when a program uses a Pool.
    Pool: undefined as unknown as typeof Pool,
    activeChildren,
    cpuCount,
    currentProcess,
    isMain,
    parentProcess,
    /** The context this object is bound to. Python: `ctx.get_start_method()`. */
    getStartMethod(_allowNone?: boolean | { allowNone?: boolean | null | undefined } | null): ContextName {
      // Python's ctx.get_start_method(allow_none=False) takes allow_none too, and returns its name.
      if (arguments.length > 1) throw tooManyArguments('getStartMethod', arguments.length);
      return name;
    },
    /** This context with no name (or `null`), else the one named. Python: `ctx.get_context(method)`. */
    getContext(method?: ContextName | null): Context {
      if (arguments.length > 1) throw tooManyArguments('getContext', arguments.length);
      return getContext(method ?? name);
    },
    getAllStartMethods,
    /** Throws `ContextError`: a context object is bound to its context (Python raises `ValueError`). */
    setStartMethod: (
      _method?: ContextName | null,
      _options?: { force?: boolean | null | undefined } | null,
    ): never => {
      throw new ContextError(
        `getContext('${name}').setStartMethod(): a context object is bound to '${name}' (Python: "cannot set ` +
          'start method of concrete context"). Call setStartMethod() of the library to change the default.',
      );
    },
  });
  // `ctx.Pool` extends Pool, whose code (the pool's, with its own hub) a program that makes only
  // queues, locks or processes from a context never runs: the class is made when first read, not
  // when the context is (issue #18: getContext('process') loaded it, ~10 ms of CPU). In the built
  // package this module imports Pool's first-use facade from the index (multiprocBuild.throughIndex).
  let contextPool: typeof Pool | undefined;
  Object.defineProperty(members, 'Pool', {
    get: () => (contextPool ??= callableConstructor(contextPoolClass(name)) as typeof Pool),
    enumerable: true,
    configurable: true,
  });
  // `ctx.cpu_count()`: a ValidationError naming `cpuCount()` rather than `undefined` (hidden names).
  definePythonNames(members, PYTHON_MODULE_NAMES);
  refuseToSend(members, 'Context');
  return Object.freeze(members);
}

/**
 * The `'thread'` context: the library's API with `Process` and `Pool` bound to worker threads.
 * Every class and factory on it can be called with or without `new`, as Python code calls
 * `ctx.Queue()` and `ctx.Lock()`; the result is the same object either way.
 */
export type ThreadContext = ReturnType<typeof bindContext>;

/**
 * The `'process'` context: as {@link ThreadContext} (every class and factory callable with or
 * without `new`), with `Lock()`, `RLock()`, `Semaphore()`,
 * `BoundedSemaphore()`, `Event()`, `Condition()`, `Barrier()`, `Value()` and `Array()` (also named
 * `SharedArray()`, `RawValue()` and `RawArray()`) returning process-safe proxies of a manager this
 * program starts on first use.
 */
export type ProcessContext = Omit<ThreadContext, keyof ProcessPrimitives> & ProcessPrimitives;

/**
 * A context object, either one: code that takes a `Context` accepts `getContext('thread')` and
 * `getContext('process')` alike (their `Process`, `Pool`, queues and pipes are the same types).
 */
export type Context = ThreadContext | ProcessContext;

const contexts = new Map<ContextName, Context>();

/**
 * The API bound to a context: `'thread'` (worker_threads) or `'process'` (child processes); the
 * default context ({@link getStartMethod}) when no name (or `null`) is given. Python:
 * `multiprocessing.get_context(method)`. The object also has `getContext()`, `getStartMethod()`,
 * `getAllStartMethods()`, and a `setStartMethod()` that throws, as Python's context objects do.
 * @throws {ContextError} for an unknown name.
 * @example
 * const ctx = getContext('process');
 * const p = new ctx.Process({ target: tasks.work });
 * const lock = ctx.Lock(); // process-safe: a proxy of a manager started on first use
 * const q = ctx.Queue<number>(); // or `new ctx.Queue<number>()`: every member works both ways
 */
export function getContext(name: 'process'): ProcessContext;
export function getContext(name: 'thread'): ThreadContext;
export function getContext(name?: ContextName | null): Context;
export function getContext(name?: ContextName | null): Context | ProcessContext {
  if (arguments.length > 1) throw tooManyArguments('getContext', arguments.length);
  const resolved = name ?? getStartMethod();
  assertContextName(resolved);
  let ctx = contexts.get(resolved);
  if (!ctx) {
    ctx = bindContext(resolved);
    contexts.set(resolved, ctx);
  }
  return ctx;
}
