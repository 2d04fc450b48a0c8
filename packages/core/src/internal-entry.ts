/**
 * `@multiproc/core/internal`: pieces of the Pool that other multiproc packages build on
 * (`@multiproc/bullmq` runs the same `map` engine, error records and callbacks over Redis).
 *
 * Not a public API: no semver promise; it changes with the multiproc packages that use it, which
 * depend on the same version of core. Applications import `@multiproc/core` instead.
 *
 * @packageDocumentation
 * @internal
 */

export { guardMethods, POOL_ARITY, tooManyArguments } from './internal/arity.js';
export { assertNotBootstrapping, whileImporting } from './internal/bootstrap.js';
export { keepCallerStack, withCallerStack, withoutCallerStack } from './internal/caller-stack.js';
export { proxyPath } from './internal/clone-refusal.js';
export {
  ERRORS_AS_VALUES,
  type ErrorRecord,
  fromErrorRecord,
  registerErrorClasses,
  thrownOrError,
  toErrorRecord,
} from './internal/error-record.js';
export { HELPER_NAMES, HELPERS, type HelperName } from './internal/helper-names.js';
export { refuseToSend } from './internal/host-bound.js';
export { type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
export { importTaskModule } from './internal/load-task.js';
export { type TaskSet, taskSetOf } from './internal/task-sets.js';
export { AdaptiveChunks, checkArgLists, defaultChunksize, knownLength } from './pool/chunks.js';
export { Flatten } from './pool/flatten.js';
export { submitClosedError, terminatedError } from './pool/gate.js';
export { type CallOrder, type Ordered, OrderedJobs } from './pool/job-order.js';
export { nodePoolOptionHint } from './pool/node-pool-names.js';
export { MAX_PROCESSES } from './pool/options.js';
export { definePoolNames } from './pool/pool-names.js';
export {
  type ChunkResults,
  closeUnstarted,
  InputWaits,
  type StopStream,
  type StreamOptions,
  type SubmitChunk,
  streamChunks,
} from './pool/stream.js';
export { inputAtCall } from './pool/stream-input.js';
export {
  type CallInput,
  callOptions,
  checkCall,
  isAsyncIterable,
  settleCall,
  watchAbort,
} from './pool/util.js';
export { moduleTaskNames } from './task.js';
