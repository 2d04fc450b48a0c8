/**
 * `@multiproc/core`: `Process`, `Pool`, `AsyncResult`, task references and contexts. Mirrors
 * Python's `multiprocessing.Process`, `multiprocessing.Pool` and the module functions.
 * @module @multiproc/core
 */
export {
  AuthenticationError,
  BrokenPipeError,
  BufferTooShortError,
  ConnectError,
  EOFError,
  KeyError,
  ManagerClosedError,
  MessageTooLongError,
  QueueEmptyError,
  QueueFullError,
} from '@multiproc/ipc';
export {
  BrokenBarrierError,
  ClosedError,
  ContextError,
  LockError,
  ProcessError,
  SerializationError,
  TimeoutError,
  ValidationError,
} from '@multiproc/shared';
export { type Context, getContext, type ProcessContext, type ThreadContext } from './context.js';
export { PoolClosedError, WorkerCrashedError, WorkerEntryNotFoundError, WorkerStartError } from './errors.js';
export {
  cpuCount,
  currentProcess,
  isMain,
  type ParentProcessInfo,
  type ProcessInfo,
  parentProcess,
} from './identity.js';
export { type Movable, move } from './move.js';
export type { ContextLike, ContextName } from './options.js';
export { AsyncResult } from './pool/async-result.js';
export type {
  PoolEvents,
  PoolWorkerInfo,
  WorkerCrashInfo,
  WorkerExitInfo,
  WorkerExitReason,
} from './pool/events.js';
export type { ImapIterator } from './pool/flatten.js';
export type {
  AsyncCallOptions,
  CallOptions,
  CheckedPoolOptions,
  ImapOptions,
  MapOptions,
  PoolOptions,
  PoolResourceLimits,
} from './pool/options.js';
export { Pool, type PoolStats } from './pool/pool.js';
export {
  activeChildren,
  type CheckedProcessOptions,
  Process,
  type ProcessOptions,
} from './process.js';
export type {
  PrimitiveFactory,
  ProcessArrayFactory,
  ProcessPrimitives,
  ProcessRawArrayFactory,
  ProcessRawValueFactory,
  ProcessSynchronizedOptions,
  ProcessValueFactory,
} from './process-primitives.js';
export { ProcessSentinel } from './process-sentinel.js';
export {
  type GetStartMethodOptions,
  getAllStartMethods,
  getStartMethod,
  setStartMethod,
} from './start-method.js';
export {
  type ApplyParams,
  type ArgsOption,
  defineTasks,
  isTaskRef,
  type OneArgTask,
  type TaskArgList,
  type TaskArgs,
  type TaskFunction,
  type TaskRef,
  type TaskRefs,
  type TaskResult,
} from './task.js';

import './python-names.js';
import './process-names.js';

export { sendToCaller } from './task-message.js';
export { disableWarmStart, enableWarmStart, type WarmStartOptions } from './warm.js';
