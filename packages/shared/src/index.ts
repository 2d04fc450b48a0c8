// The declarations name `Symbol.dispose` and `Disposable` (ByteChannel, `using`): a browser
// project without @types/node gets them from this lib instead of failing in our .d.ts files. Kept
// in the emitted index.d.ts (`preserve`), which every program using this package (or one built on
// it) loads; harmless where the lib or @types/node already declares them (TS 5.9, 6, 7 checked).
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * `@multiproc/shared`: SharedArrayBuffer memory and synchronisation (`Value`, `SharedArray`, `Lock`,
 * `RLock`, `Semaphore`, `Event`, `Condition`, `Barrier`, `ByteChannel`) and the codec protocol.
 * Mirrors Python's `multiprocessing.sharedctypes` and `multiprocessing.synchronize`.
 * @module @multiproc/shared
 */
export { Barrier, type BarrierOptions } from './barrier.js';
export {
  ByteChannel,
  type ByteChannelOptions,
  type ChannelReadOptions,
  type ChannelWaitOptions,
} from './byte-channel.js';
export { refuseStructuredClone } from './clone-guard.js';
export {
  CODEC_TAG,
  type CodecTarget,
  type DecodeContext,
  type Decoder,
  type Encodable,
  type EncodeContext,
  type Encoded,
  type EncodeOptions,
  type EncodeResult,
  type ErrorEncoder,
  encodeSymbol,
  encodeValue,
  isEncodable,
  type Keeper,
  keepSymbol,
  registerCodec,
  type TransferItem,
} from './codec.js';
export { Condition } from './condition.js';
export { decodeValue } from './decode.js';
export { type DecodeLoader, loadPending, type PendingLoad, registerDecodeLoader } from './decode-loads.js';
export { disposableInEveryRealm } from './dispose-keys.js';
export {
  builtinErrorClass,
  classifyError,
  type ErrorClassTable,
  type ErrorFamily,
  ourErrorClass,
  registerErrorClasses,
  withOwnErrorClasses,
} from './error-classes.js';
export {
  BrokenBarrierError,
  ClosedError,
  ContextError,
  LockError,
  ProcessError,
  SerializationError,
  TimeoutError,
  ValidationError,
} from './errors.js';
export { Event } from './event.js';
// On Node the shared-memory objects (Lock, RLock, Semaphore, Event, Condition, Barrier, Value,
// SharedArray, ByteChannel) load on first use (`multiprocBuild.loadOnFirstUse`): a worker that
// imports the package and uses none of them compiles half of it (issue #18). That code reaches
// what it shares with the rest through this index: the names below are for it (and the other
// packages' helpers), not API.
export {
  NONE,
  rejectArguments,
  TAKES_ACQUIRE,
  TAKES_TIMEOUT,
  tooManyArguments,
} from './internal/arity.js';
export { type BarrierAction, runAction, setBarrierActionRunner } from './internal/barrier-action.js';
/** @internal For the other packages: the awaiting code's frames on a failed wait's error. */
export { addCallerFrames, OWN_STACK } from './internal/caller-stack.js';
/** @internal For the other packages: see internal/engine-objects.ts. */
/** @internal For the deadlock rule: shared memory sent to or received from another thread. */
export { encodeUnsent, hasCrossed, hasEscaped, isUnsentOnly } from './internal/crossed.js';
/** @internal For core's pending results and ipc's proxies: a dependency's probe gets no advice. */
export { askedByDependency, packageRoots } from './internal/dependency-caller.js';
export { describeError, describeThrown } from './internal/describe-thrown.js';
export { isEngineObject } from './internal/engine-objects.js';
/** @internal For ipc's manager errors: a field with one bad part keeps the rest (see the module). */
export { type KeepError, packSendableParts } from './internal/error-field-parts.js';
/** @internal For ipc's manager errors: an error in a field's value keeps its sendable parts. */
export { keptError } from './internal/error-kept.js';
/** @internal For ipc's manager replies: a thrown error's parts read as the error records read them. */
export {
  classOf,
  hasCause,
  ownKeysOf,
  readHead,
  readPart,
  unreadablePartError,
  unreadableStack,
} from './internal/error-parts.js';
export {
  ERRORS_AS_VALUES,
  type ErrorRecord,
  encodeError,
  fromErrorRecord,
  thrownOrError,
  toErrorRecord,
} from './internal/error-record.js';
/** @internal For the other packages' built indexes: their first-use facades' runtime. */
export { firstUseRuntime, type LazyExport } from './internal/first-use-runtime.js';
export {
  claimWaitRuleVerdict,
  giveWaitRuleTurn,
  gotWorkSince,
  ifLoopStaysDry,
  type LoopStock,
  takeLoopStock,
  waitRuleTicket,
} from './internal/loop-work.js';
/** @internal For core: a buffer an earlier send moved away, and its refusal (see internal/platform.ts). */
export { detachedError, isDetached } from './internal/platform.js';
export { kAbandon, kIsOwned, kReleaseAll, kRestoreAsync, kRestoreSync } from './internal/protocol.js';
export { type RefusedPart, refusedPart } from './internal/refused-part.js';
/** @internal For the other packages: a timeout's error when its ms look like Python's seconds. */
export { secondsHint } from './internal/seconds-hint.js';
export { assertThreadTarget } from './internal/shared-codec.js';
export { holderThread, watchesThreads } from './internal/thread-roster.js';
/** @internal For the other packages: every timeout a caller gives (see internal/timer.ts). */
export { type AtLeastTimeout, setTimeoutAtLeast } from './internal/timer.js';
export { keyName } from './internal/unsendable.js';
export { decodeJson, encodeJson, type JsonEncoded } from './json-text.js';
export { type AcquireOptions, Lock } from './lock.js';
export {
  checkOptionKeys,
  describeValue,
  notAnObject,
  omitNullOptions,
  readOptions,
  spellingOf,
  unknownOption,
  type WithoutNulls,
  withArticle,
} from './options.js';
export { type AbandonOptions, abandonOwner, getOwnerId, ownerIdOfThread, trackAbandonable } from './owner.js';
export { definePythonNames, isPythonName, noUsingForm } from './python-names.js';
export { RLock } from './rlock.js';
export { BoundedSemaphore, Semaphore } from './semaphore.js';
export {
  RawArray,
  SharedArray,
  type SharedArrayConstructor,
  SynchronizedArray,
} from './shared-array.js';
export {
  type BlockingWaitOptions,
  MAX_TIMEOUT_MS,
  type ResolvedTimeout,
  type ResolveTimeoutOptions,
  resolveTimeout,
  type Timeout,
  type WaitOptions,
} from './timeout.js';
export {
  type LockChoice,
  type LockedChoice,
  type LockedResult,
  type RawChoice,
  RawValue,
  type SynchronizedOptions,
  SynchronizedValue,
  type Typecode,
  type TypecodeArray,
  type TypecodeValue,
  Value,
  type ValueConstructor,
} from './value.js';
