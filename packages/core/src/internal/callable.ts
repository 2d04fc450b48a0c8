/**
 * Context members callable with or without `new`: Python code writes `ctx.Queue()` and
 * `ctx.Lock()`, JavaScript code `new ctx.Queue()`. A class cannot be called, so a context hands out
 * a Proxy of each constructor whose call trap constructs. The Proxy forwards `prototype` and every
 * static, so `x instanceof ctx.Queue`, `ctx.Queue.name` and `ctx.Manager.start()` behave as on the
 * class itself, and `class X extends mp.Process` extends the class. The class's prototype names
 * the Proxy as its `constructor`: `new mp.Pool().constructor === mp.Pool` with `mp.Pool.prototype
 * === Pool.prototype` can hold only so (the named export `Pool` stays the class, a different
 * object: making it the Proxy would turn every package's exported classes into Proxies).
 *
 * Also core's `./internal/callable` entry, which the umbrella imports for its default namespace:
 * built self-contained (it imports nothing), so the umbrella's import does not load core's hub of
 * pool and host code (issue #18). The first-use file carries a second copy for `getContext()`;
 * the wrappers live on `globalThis`, so both copies hand out the same wrapper per constructor.
 * (Its imports below are types only: erased from the built file.)
 */
import type { JoinableQueue, Queue, QueueOptions, SimpleQueue, SimpleQueueOptions } from '@multiproc/ipc';
import type {
  LockChoice,
  LockedResult,
  RawArray,
  RawValue,
  SynchronizedArray,
  SynchronizedOptions,
  SynchronizedValue,
  Typecode,
  TypecodeValue,
} from '@multiproc/shared';
import type { CheckedPoolOptions } from '../pool/options.js';
import type { Pool } from '../pool/pool.js';
import type { CheckedProcessOptions, Process } from '../process.js';
import type { TaskFunction } from '../task.js';

/**
 * A constructor that can also be called without `new`, or a factory that can also be used with
 * `new`, with the same result either way. The call form derived here keeps one overload and drops
 * type parameters (a TypeScript limit), so the generic and overloaded members get theirs from
 * {@link CallForms} instead.
 */
export type Callable<C> = C extends abstract new (
  ...args: infer A
) => infer R
  ? C & ((...args: A) => R)
  : C extends (...args: infer A) => infer R
    ? R extends object
      ? C & (new (...args: A) => R)
      : C
    : C;

/**
 * The call forms of the generic classes and overloaded factories, written out: `mp.Queue<number>()`
 * is a `Queue<number>`, `mp.Value('q', 0n)` a `Value<'q'>` (its `value` a `bigint`) and
 * `mp.Process({ target, args })` checks `args` against the target, as their `new` forms do.
 */
export interface CallForms {
  Queue: <T = unknown, In = T>(options?: QueueOptions<T, In> | number | null) => Queue<T, In>;
  JoinableQueue: <T = unknown, In = T>(options?: QueueOptions<T, In> | number | null) => JoinableQueue<T, In>;
  SimpleQueue: <T = unknown, In = T>(options?: SimpleQueueOptions<T, In> | null) => SimpleQueue<T, In>;
  Process: <F extends TaskFunction = TaskFunction>(options: CheckedProcessOptions<F>) => Process<F>;
  Pool: <I extends TaskFunction = TaskFunction>(options?: CheckedPoolOptions<I> | null) => Pool<I>;
  Value: ValueCall;
  RawValue: <C extends Typecode>(typecode: C, value?: TypecodeValue<C>) => RawValue<C>;
  SharedArray: ArrayCall;
  /** Python's `ctx.Array` on a context object: the `SharedArray` factory. */
  Array: ArrayCall;
  RawArray: <C extends Typecode>(
    typecode: C,
    sizeOrValues: number | Iterable<TypecodeValue<C>>,
  ) => RawArray<C>;
}

/** `Value(...)` called without `new`: the signature of `new Value(...)`. */
type ValueCall = <C extends Typecode, const O extends LockChoice | undefined = undefined>(
  typecode: C,
  value?: TypecodeValue<C>,
  options?: O & SynchronizedOptions,
) => LockedResult<O, RawValue<C>, SynchronizedValue<C>>;

/** `SharedArray(...)` called without `new`: the signature of `new SharedArray(...)`. */
type ArrayCall = <C extends Typecode, const O extends LockChoice | undefined = undefined>(
  typecode: C,
  sizeOrValues: number | Iterable<TypecodeValue<C>>,
  options?: O & SynchronizedOptions,
) => LockedResult<O, RawArray<C>, SynchronizedArray<C>>;

/**
 * Every capitalised member of `T` made {@link Callable} (with its {@link CallForms} entry where it
 * has one); other members are unchanged.
 */
export type CallableMembers<T> = {
  readonly [K in keyof T]: K extends keyof CallForms
    ? T[K] & CallForms[K]
    : K extends `${string}Error`
      ? T[K]
      : K extends `${infer First}${string}`
        ? First extends Uppercase<First>
          ? First extends Lowercase<First>
            ? T[K]
            : Callable<T[K]>
          : T[K]
        : T[K];
};

/**
 * Python's spellings of the `multiprocessing` module's own names (`mp.cpu_count()`,
 * `mp.set_start_method()`), for `definePythonNames()` on the umbrella's default namespace and on
 * each context object: reading one throws `ValidationError` naming the member to write instead
 * (or why there is none), where it would otherwise be plain `undefined`. Hidden (not enumerable).
 */
export const PYTHON_MODULE_NAMES: Readonly<Record<string, string | { readonly message: string }>> = {
  cpu_count: 'cpuCount()',
  current_process: 'currentProcess()',
  parent_process: 'parentProcess()',
  active_children: 'activeChildren()',
  get_context: 'getContext()',
  get_start_method: 'getStartMethod()',
  get_all_start_methods: 'getAllStartMethods()',
  set_start_method: 'setStartMethod()',
  set_forkserver_preload: 'enableWarmStart({ preload })',
  BufferTooShort: 'BufferTooShortError',
  freeze_support: {
    message:
      "freeze_support is Python's spelling; multiproc needs no such call (Node programs are not frozen " +
      'that way): guard the main program with if (isMain()) { ... }.',
  },
  set_executable: {
    message:
      "set_executable is Python's spelling; multiproc has none: a child process runs the same node as " +
      'its parent (process.execPath), with its flags.',
  },
  allow_connection_pickling: {
    message:
      "allow_connection_pickling is Python's spelling; multiproc needs none: connections and queues can " +
      'always be sent to workers as arguments.',
  },
  get_logger: {
    message:
      "get_logger is Python's spelling; multiproc has none: use console or your logging library in each " +
      'worker (their output reaches yours line by line; NODE_DEBUG=multiproc logs workers starting and exiting).',
  },
  log_to_stderr: {
    message:
      "log_to_stderr is Python's spelling; multiproc has none: console.error in a worker already reaches " +
      'your stderr, line by line (NODE_DEBUG=multiproc logs workers starting and exiting).',
  },
  // Python's submodules: their names are this namespace's own (`from multiprocessing.connection import wait`).
  connection: { message: "multiprocessing.connection's names are top-level here: Listener, Client, wait." },
  pool: {
    message:
      "multiprocessing.pool's names are top-level here: Pool, AsyncResult (ThreadPool is the 'thread' context's Pool).",
  },
  managers: {
    message: "multiprocessing.managers' names are top-level here: Manager, SyncManager, BaseManager.",
  },
  dummy: {
    message: "multiprocessing.dummy is the 'thread' context here: getContext('thread'), the default.",
  },
  shared_memory: {
    message:
      'multiprocessing.shared_memory has no equivalent: share memory between threads with SharedArray or ' +
      'RawArray (a SharedArrayBuffer), between processes through a Manager.',
  },
};

// Per realm, not per copy of this module (see above): constructor -> its callable wrapper.
const WRAPPED_KEY = Symbol.for('multiproc.callableWrappers');
const wrapped: WeakMap<object, unknown> = ((globalThis as any)[WRAPPED_KEY] ??= new WeakMap());
// The first-use facades (scripts/first-use.mjs), each with its real export once loaded (null
// until then: reading the facade's `prototype` would load it; it claims its constructor for its
// wrapper, above, once it loads).
const FACADES_KEY = Symbol.for('multiproc.firstUse.facades');

/** Whether `fn` can be used with `new` (classes and plain functions; not arrows or methods). */
function isConstructor(fn: unknown): fn is new (...args: unknown[]) => unknown {
  if (typeof fn !== 'function') return false;
  try {
    // A Proxy can be constructed only if its target can; the trap runs instead of `fn`, and
    // nothing of `fn` is read (a lazily loaded export stays unloaded).
    new (new Proxy(fn, { construct: () => ({}) }) as new () => object)();
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `wrapper` the `constructor` that the prototype of class `fn` names, so that every instance
 * (made through the wrapper, the class, or a context's wrapper of a subclass) says `x.constructor
 * === mp.Pool`, while `mp.Pool.prototype` stays the class's own prototype (`instanceof` holds both
 * ways). Only a prototype that names `fn` itself: a factory that lends its class's prototype
 * (`Value` → `SynchronizedValue`, `Manager` → `SyncManager`) leaves it to the class's wrapper. The
 * first-use facades carry a copy of this (scripts/first-use.mjs).
 */
function claimConstructor(fn: object, wrapper: unknown): void {
  const prototype = (fn as { prototype?: unknown }).prototype;
  if (typeof prototype !== 'object' || prototype === null) return;
  const own = Object.getOwnPropertyDescriptor(prototype, 'constructor');
  if (!own?.writable || own.value !== fn) return;
  try {
    Object.defineProperty(prototype, 'constructor', { ...own, value: wrapper });
  } catch {
    // A frozen prototype keeps its constructor.
  }
}

/**
 * Whether `fn` is a class or a `function` factory rather than an async or arrow function (such
 * as `Client`): a lazily loaded export is a constructible stand-in whatever it stands for, so only
 * the real function's `prototype` (read through the stand-in, which loads it) tells.
 */
function hasPrototype(fn: object): boolean {
  const prototype = (fn as { prototype?: unknown }).prototype;
  return typeof prototype === 'object' && prototype !== null;
}

/**
 * `fn` made callable without `new` when it is a constructor (a class, or a factory such as
 * `Value`); anything else is returned as it is. The same constructor always gives the same
 * wrapper, so two contexts share their common members, and the wrapper is the `constructor` its
 * instances name (see claimConstructor).
 */
export function callableConstructor<T>(fn: T): Callable<T> {
  if (!isConstructor(fn)) return fn as Callable<T>;
  let proxy = wrapped.get(fn);
  if (proxy === undefined) {
    // Whether a call constructs: known at the first call, once a lazily loaded export is loaded.
    let constructs: boolean | undefined;
    proxy = new Proxy(fn, {
      apply: (target, thisArg, args) => {
        constructs ??= hasPrototype(target);
        return constructs ? Reflect.construct(target, args) : Reflect.apply(target, thisArg, args);
      },
    });
    wrapped.set(fn, proxy);
    // A first-use facade stands for its real export, and claims it itself once it loads.
    const facades: WeakMap<object, object | null> | undefined = (globalThis as any)[FACADES_KEY];
    const real = facades?.has(fn as object) ? facades.get(fn as object) : fn;
    if (real) claimConstructor(real, proxy);
  }
  return proxy as Callable<T>;
}

/**
 * A copy of `members` whose capitalised members (classes and factories: `Queue`, `Lock`, `Value`)
 * are {@link callableConstructor}s; functions such as `wait` or `cpuCount` stay as they are, and
 * so do the error classes (`…Error`): each is one class (`mp.TimeoutError === TimeoutError`, and
 * `err.constructor === mp.TimeoutError`), and their constructors are not part of the API.
 */
export function callableMembers<T extends object>(members: T): CallableMembers<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(members)) {
    // A capital first letter (A-Z), read by code: a regular expression here was compiled in
    // every worker that imports the umbrella (issue #18).
    const first = key.charCodeAt(0);
    const capital = first >= 65 && first <= 90;
    out[key] = capital && !key.endsWith('Error') ? callableConstructor(value) : value;
  }
  return out as CallableMembers<T>;
}
