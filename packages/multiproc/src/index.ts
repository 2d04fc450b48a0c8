/**
 * `@multiproc/multiproc`: Python's `multiprocessing` for TypeScript on Node.js. Re-exports the
 * public API of `@multiproc/core`, `@multiproc/ipc` and `@multiproc/shared` (see `public.ts`: not
 * the helpers those packages export for one another), by name and as a default namespace object,
 * so `import mp from '@multiproc/multiproc'` reads like `import multiprocessing as mp`.
 *
 * A name exported by more than one package (the error classes live in `@multiproc/shared` and are
 * re-exported by the others) is the same binding in each, so the star exports do not conflict; a
 * clash between two different objects would be a type error here and a test failure.
 *
 * @example
 * import mp from '@multiproc/multiproc';
 * const pool = new mp.Pool({ processes: mp.cpuCount() });
 * @module @multiproc/multiproc
 */

import {
  type CallableMembers,
  callableMembers,
  PYTHON_MODULE_NAMES,
} from '@multiproc/core/internal/callable';
import * as shared from '@multiproc/shared';
import { followStartMethod } from './follow.js';
import { type All, all } from './members.js';
import type * as api from './public.js';

export * from './public.js';

/**
 * The whole API as one namespace object: every named export, under the same name, and Python's
 * `mp.Array('i', 5)` (the `SharedArray` factory). A Python user writes `mp.Lock()` and
 * `mp.Queue()`, so every class and factory on it can be called with or without `new` (as on a
 * `getContext()` object), and gives the same object either way; functions and constants are the
 * named exports themselves.
 *
 * The shared-memory factories (`Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`, `Event`,
 * `Condition`, `Barrier`, `Value`, `Array`/`SharedArray`, `RawValue`, `RawArray`) are the default
 * context's, as Python's `multiprocessing.Lock` is `get_context().Lock`: each call reads
 * `getStartMethod()`. While it is `'thread'` (the default, and in a thread worker) they make the
 * `@multiproc/shared` objects; once `setStartMethod('process')` is called (and in a `'process'`
 * worker, whose start method is `'process'`) they return what `getContext('process').Lock()`
 * returns: a process-safe proxy (`LockProxy`, `SynchronizedValueProxy`, …) that a `'process'`
 * `Process` or `Pool` task can take. An object already made keeps its kind. Their static types
 * stay the thread classes' (TypeScript cannot know the start method): a program that sets
 * `'process'` gets the proxies' types from `getContext('process').Lock()`.
 *
 * The named exports stay the classes: import `Lock` to extend it (`class L extends mp.Lock` too
 * makes a thread `Lock`, whatever the start method); `mp.Lock() instanceof Lock` is true while the
 * start method is `'thread'`, and `mp.Lock() instanceof mp.Lock` in either. A member shares its
 * class's prototype, which names the member as its `constructor`: `mp.Lock().constructor ===
 * mp.Lock` (for the thread objects; a proxy names its proxy class). Python's spellings of the
 * module's functions (`mp.cpu_count()`, `mp.set_start_method()`) throw `ValidationError` naming
 * the member to write (`cpuCount()`); they are hidden from `Object.keys(mp)` and printing.
 * Python: `import multiprocessing as mp`.
 * @example
 * import mp from '@multiproc/multiproc';
 * const lock = mp.Lock(); // or new mp.Lock()
 * const counts = mp.Array('i', 4); // Python's multiprocessing.Array: a SharedArray
 * const p = new mp.Process({ target: tasks.greet, args: ['bob'] });
 * mp.setStartMethod('process');
 * const shared = mp.Lock(); // now getContext('process').Lock(): a child process can take it
 */
const mp: CallableMembers<All> = followStartMethod(callableMembers(all), all);
shared.definePythonNames(mp, PYTHON_MODULE_NAMES);
// Sent as an argument, it would be refused at its first member, a function, with advice about
// task references: it is the library itself, which the task's module imports.
Object.defineProperty(mp, shared.encodeSymbol, {
  value(ctx: shared.EncodeContext): never {
    throw new shared.SerializationError(
      ctx.path,
      `Cannot send ${ctx.path}: it is this library's namespace (import mp from '@multiproc/multiproc'), ` +
        "whose classes and functions cannot be copied. Import the library in the task's module instead " +
        '(a worker imports that module), and send only data, or the objects made with it.',
    );
  },
});
Object.freeze(mp);

/**
 * The same names as types, so code written against `import mp from '@multiproc/multiproc'` can
 * annotate with them, as Python code annotates with `mp.Queue`: `(q: mp.Queue<number>, lock:
 * mp.Lock) => ...`, `const r: mp.AsyncResult<number>`. Each is the named export's type (`mp.Array`
 * is `SharedArray`'s, as the member is its factory); `test/namespace-types.test.ts` keeps the list
 * whole. Types only: nothing of it exists at run time. Hidden from the API reference, which lists
 * each type under its named export.
 * @hidden
 */
declare namespace mp {
  export type Array<C extends Typecode = Typecode> = api.SharedArray<C>;
  export type ApplyParams<F, O> = api.ApplyParams<F, O>;
  export type ArgsOption<F, K extends string> = api.ArgsOption<F, K>;
  export type AsyncCallOptions<R> = api.AsyncCallOptions<R>;
  export type AsyncResult<R> = api.AsyncResult<R>;
  export type AuthenticationError = api.AuthenticationError;
  export type BrokenBarrierError = api.BrokenBarrierError;
  export type BrokenPipeError = api.BrokenPipeError;
  export type BufferTooShortError = api.BufferTooShortError;
  export type CallOptions = api.CallOptions;
  export type CheckedPoolOptions<I extends TaskFunction = TaskFunction> = api.CheckedPoolOptions<I>;
  export type CheckedProcessOptions<F extends TaskFunction = TaskFunction> = api.CheckedProcessOptions<F>;
  export type ClosedError = api.ClosedError;
  export type ConnectError = api.ConnectError;
  export type Context = api.Context;
  export type ContextError = api.ContextError;
  export type ContextLike = api.ContextLike;
  export type ContextName = api.ContextName;
  export type EOFError = api.EOFError;
  export type GetStartMethodOptions = api.GetStartMethodOptions;
  export type ImapIterator<T> = api.ImapIterator<T>;
  export type ImapOptions = api.ImapOptions;
  export type KeyError = api.KeyError;
  export type LockError = api.LockError;
  export type ManagerClosedError = api.ManagerClosedError;
  export type MapOptions = api.MapOptions;
  export type MessageTooLongError = api.MessageTooLongError;
  export type Movable = api.Movable;
  export type OneArgTask = api.OneArgTask;
  export type ParentProcessInfo = api.ParentProcessInfo;
  export type Pool<I extends TaskFunction = TaskFunction> = api.Pool<I>;
  export type PoolClosedError = api.PoolClosedError;
  export type PoolEvents = api.PoolEvents;
  export type PoolOptions<I extends TaskFunction = TaskFunction> = api.PoolOptions<I>;
  export type PoolResourceLimits = api.PoolResourceLimits;
  export type PoolStats = api.PoolStats;
  export type PoolWorkerInfo = api.PoolWorkerInfo;
  export type PrimitiveFactory<A extends unknown[], R> = api.PrimitiveFactory<A, R>;
  export type Process<F extends TaskFunction = TaskFunction> = api.Process<F>;
  export type ProcessArrayFactory = api.ProcessArrayFactory;
  export type ProcessContext = api.ProcessContext;
  export type ProcessError = api.ProcessError;
  export type ProcessInfo = api.ProcessInfo;
  export type ProcessOptions<F extends TaskFunction = TaskFunction> = api.ProcessOptions<F>;
  export type ProcessPrimitives = api.ProcessPrimitives;
  export type ProcessRawArrayFactory = api.ProcessRawArrayFactory;
  export type ProcessRawValueFactory = api.ProcessRawValueFactory;
  export type ProcessSentinel = api.ProcessSentinel;
  export type ProcessSynchronizedOptions = api.ProcessSynchronizedOptions;
  export type ProcessValueFactory = api.ProcessValueFactory;
  export type QueueEmptyError = api.QueueEmptyError;
  export type QueueFullError = api.QueueFullError;
  export type SerializationError = api.SerializationError;
  export type TaskArgList<F> = api.TaskArgList<F>;
  export type TaskArgs<T> = api.TaskArgs<T>;
  export type TaskFunction = api.TaskFunction;
  export type TaskRef<F extends TaskFunction = TaskFunction> = api.TaskRef<F>;
  export type TaskRefs<T extends Record<string, TaskFunction>> = api.TaskRefs<T>;
  export type TaskResult<T> = api.TaskResult<T>;
  export type ThreadContext = api.ThreadContext;
  export type TimeoutError = api.TimeoutError;
  export type ValidationError = api.ValidationError;
  export type WarmStartOptions = api.WarmStartOptions;
  export type WorkerCrashedError = api.WorkerCrashedError;
  export type WorkerCrashInfo = api.WorkerCrashInfo;
  export type WorkerEntryNotFoundError = api.WorkerEntryNotFoundError;
  export type WorkerExitInfo = api.WorkerExitInfo;
  export type WorkerExitReason = api.WorkerExitReason;
  export type WorkerStartError = api.WorkerStartError;
  export type AcquireArg = api.AcquireArg;
  export type Address = api.Address;
  export type ArrayProxy<T extends number | bigint = number> = api.ArrayProxy<T>;
  export type AutoProxy<T = Record<string, (...args: never[]) => unknown>> = api.AutoProxy<T>;
  export type BarrierProxy = api.BarrierProxy;
  export type BarrierState = api.BarrierState;
  export type BaseManager = api.BaseManager;
  export type BaseProxy = api.BaseProxy;
  export type ClientOptions = api.ClientOptions;
  export type ConditionProxy = api.ConditionProxy;
  export type Connection<T = unknown, In = T> = api.Connection<T, In>;
  export type DictProxy<K = unknown, V = unknown> = api.DictProxy<K, V>;
  export type EventProxy = api.EventProxy;
  export type Factory = api.Factory;
  export type ItemsProxy<T> = api.ItemsProxy<T>;
  export type JoinableQueue<T = unknown, In = T> = api.JoinableQueue<T, In>;
  export type Listener = api.Listener;
  export type ListenerOptions = api.ListenerOptions;
  export type ListProxy<T = unknown> = api.ListProxy<T>;
  export type ListSortOptions = api.ListSortOptions;
  export type LockProxy = api.LockProxy;
  export type Manager = api.Manager;
  export type ManagerBarrierOptions = api.ManagerBarrierOptions;
  export type ManagerFactory = api.ManagerFactory;
  export type ManagerOptions = api.ManagerOptions;
  export type NamespaceProxy<T extends object = Record<string, unknown>> = api.NamespaceProxy<T>;
  export type PipeOptions<T, In = T> = api.PipeOptions<T, In>;
  export type Queue<T = unknown, In = T> = api.Queue<T, In>;
  export type QueueOptions<T, In = T> = api.QueueOptions<T, In>;
  export type QueueProxy<T = unknown> = api.QueueProxy<T>;
  export type ReceiveEnd<T = unknown, In = T> = api.ReceiveEnd<T, In>;
  export type RegisterOptions = api.RegisterOptions;
  export type SemaphoreProxy = api.SemaphoreProxy;
  export type SendEnd<T = unknown, In = T> = api.SendEnd<T, In>;
  export type SimpleQueue<T = unknown, In = T> = api.SimpleQueue<T, In>;
  export type SimpleQueueOptions<T, In = T> = api.SimpleQueueOptions<T, In>;
  export type SynchronizedArrayProxy<T extends number | bigint = number> = api.SynchronizedArrayProxy<T>;
  export type SynchronizedValueProxy<T extends number | bigint = number> = api.SynchronizedValueProxy<T>;
  export type SyncManager = api.SyncManager;
  export type TimeoutOptions = api.TimeoutOptions;
  export type ValueProxy<T extends number | bigint = number> = api.ValueProxy<T>;
  export type WaitableObject = api.WaitableObject;
  export type WaitReadiness = api.WaitReadiness;
  export type AbandonOptions = api.AbandonOptions;
  export type AcquireOptions = api.AcquireOptions;
  export type Barrier = api.Barrier;
  export type BarrierAction = api.BarrierAction;
  export type BarrierOptions = api.BarrierOptions;
  export type BlockingWaitOptions = api.BlockingWaitOptions;
  export type BoundedSemaphore = api.BoundedSemaphore;
  export type ByteChannel = api.ByteChannel;
  export type ByteChannelOptions = api.ByteChannelOptions;
  export type ChannelReadOptions = api.ChannelReadOptions;
  export type ChannelWaitOptions = api.ChannelWaitOptions;
  export type CodecTarget = api.CodecTarget;
  export type Condition = api.Condition;
  export type DecodeContext = api.DecodeContext;
  export type Decoder = api.Decoder;
  export type Encodable = api.Encodable;
  export type EncodeContext = api.EncodeContext;
  export type Encoded = api.Encoded;
  export type EncodeOptions = api.EncodeOptions;
  export type EncodeResult<T = unknown> = api.EncodeResult<T>;
  export type ErrorEncoder = api.ErrorEncoder;
  export type Event = api.Event;
  export type Keeper = api.Keeper;
  export type Lock = api.Lock;
  export type RawArray<C extends Typecode = Typecode> = api.RawArray<C>;
  export type RawValue<C extends Typecode = Typecode> = api.RawValue<C>;
  export type RLock = api.RLock;
  export type Semaphore = api.Semaphore;
  export type SharedArray<C extends Typecode = Typecode> = api.SharedArray<C>;
  export type SharedArrayConstructor = api.SharedArrayConstructor;
  export type SynchronizedArray<C extends Typecode = Typecode> = api.SynchronizedArray<C>;
  export type SynchronizedOptions = api.SynchronizedOptions;
  export type SynchronizedValue<C extends Typecode = Typecode> = api.SynchronizedValue<C>;
  export type Timeout = api.Timeout;
  export type TransferItem = api.TransferItem;
  export type Typecode = api.Typecode;
  export type TypecodeArray<C extends Typecode> = api.TypecodeArray<C>;
  export type TypecodeValue<C extends Typecode> = api.TypecodeValue<C>;
  export type Value<C extends Typecode = Typecode> = api.Value<C>;
  export type ValueConstructor = api.ValueConstructor;
  export type WaitOptions = api.WaitOptions;
}

export default mp;
