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
import type * as api from './public.js';
import {
  ArrayProxy,
  AsyncResult,
  AuthenticationError,
  abandonOwner,
  activeChildren,
  Barrier,
  BarrierProxy,
  BaseManager,
  BaseProxy,
  BoundedSemaphore,
  BrokenBarrierError,
  BrokenPipeError,
  BufferTooShortError,
  ByteChannel,
  Client,
  ClosedError,
  Condition,
  ConditionProxy,
  ConnectError,
  Connection,
  ContextError,
  cpuCount,
  currentProcess,
  DictProxy,
  decodeValue,
  defineTasks,
  disableWarmStart,
  EOFError,
  Event,
  EventProxy,
  enableWarmStart,
  encodeSymbol,
  encodeValue,
  getAllStartMethods,
  getContext,
  getStartMethod,
  isMain,
  isTaskRef,
  JoinableQueue,
  KeyError,
  Listener,
  ListProxy,
  Lock,
  LockError,
  LockProxy,
  Manager,
  ManagerClosedError,
  MessageTooLongError,
  move,
  NamespaceProxy,
  ownerIdOfThread,
  Pipe,
  Pool,
  PoolClosedError,
  Process,
  ProcessError,
  ProcessSentinel,
  parentProcess,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueProxy,
  RawArray,
  RawValue,
  RLock,
  registerCodec,
  Semaphore,
  SemaphoreProxy,
  SerializationError,
  SharedArray,
  SimpleQueue,
  SynchronizedArray,
  SynchronizedArrayProxy,
  SynchronizedValue,
  SynchronizedValueProxy,
  SyncManager,
  sendToCaller,
  setProcessAuthkey,
  setStartMethod,
  TimeoutError,
  ValidationError,
  Value,
  ValueProxy,
  WorkerCrashedError,
  WorkerEntryNotFoundError,
  WorkerStartError,
  wait,
  waitable,
} from './public.js';

export * from './public.js';

/**
 * Every public name (what `public.ts` exports, read as one namespace), and Python's `Array` (the
 * `SharedArray` factory, as on a context object): on the default namespace only, since a named
 * export `Array` would shadow JavaScript's own in `import * as` and `export *` code.
 */
type All = typeof api & { Array: typeof shared.SharedArray };

/**
 * The public names as one object, in the order of a module namespace (sorted). Written out rather
 * than read from `import * as api`: a bundled module's namespace is an object of getters, one
 * function per name, and a worker compiled each of them at its first read (~0.6 ms of every
 * worker's import of the umbrella: issue #18). The type makes it exact: a name missing here, or
 * one `public.ts` does not export, is a type error; `test/exports.test.ts` checks the order.
 */
const all: All = {
  Array: SharedArray,
  ArrayProxy,
  AsyncResult,
  AuthenticationError,
  Barrier,
  BarrierProxy,
  BaseManager,
  BaseProxy,
  BoundedSemaphore,
  BrokenBarrierError,
  BrokenPipeError,
  BufferTooShortError,
  ByteChannel,
  Client,
  ClosedError,
  Condition,
  ConditionProxy,
  ConnectError,
  Connection,
  ContextError,
  DictProxy,
  EOFError,
  Event,
  EventProxy,
  JoinableQueue,
  KeyError,
  ListProxy,
  Listener,
  Lock,
  LockError,
  LockProxy,
  Manager,
  ManagerClosedError,
  MessageTooLongError,
  NamespaceProxy,
  Pipe,
  Pool,
  PoolClosedError,
  Process,
  ProcessError,
  ProcessSentinel,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueProxy,
  RLock,
  RawArray,
  RawValue,
  Semaphore,
  SemaphoreProxy,
  SerializationError,
  SharedArray,
  SimpleQueue,
  SyncManager,
  SynchronizedArray,
  SynchronizedArrayProxy,
  SynchronizedValue,
  SynchronizedValueProxy,
  TimeoutError,
  ValidationError,
  Value,
  ValueProxy,
  WorkerCrashedError,
  WorkerEntryNotFoundError,
  WorkerStartError,
  abandonOwner,
  activeChildren,
  cpuCount,
  currentProcess,
  decodeValue,
  defineTasks,
  disableWarmStart,
  enableWarmStart,
  encodeSymbol,
  encodeValue,
  getAllStartMethods,
  getContext,
  getStartMethod,
  isMain,
  isTaskRef,
  move,
  ownerIdOfThread,
  parentProcess,
  registerCodec,
  sendToCaller,
  setProcessAuthkey,
  setStartMethod,
  wait,
  waitable,
};

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
export default mp;
