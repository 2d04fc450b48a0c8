/**
 * The synchronisation primitives and shared values of the `'process'` context: proxies of a
 * manager this program starts on first use (`processManager()` of `@multiproc/ipc`), so they work
 * across processes where the SharedArrayBuffer ones of `@multiproc/shared` cannot go. Each can be
 * called with or without `new`, like Python's `ctx.Lock()`. A wait without a timeout that no live
 * child, pool worker or connected program could end rejects as the thread primitives' one does
 * (`LockError`, `BrokenBarrierError`) instead of hanging the program.
 */
import {
  ArrayProxy,
  BarrierProxy,
  ConditionProxy,
  EventProxy,
  LockProxy,
  type ManagerBarrierOptions,
  processManager,
  SemaphoreProxy,
  SynchronizedArrayProxy,
  SynchronizedValueProxy,
  ValueProxy,
} from '@multiproc/ipc';
import {
  checkOptionKeys,
  type LockChoice,
  type LockedResult,
  readOptions,
  type Typecode,
  type TypecodeValue,
  tooManyArguments,
  ValidationError,
} from '@multiproc/shared';

/** A factory callable with or without `new`, as Python's `ctx.Lock()` reads and as `new Lock()` is written. */
export type PrimitiveFactory<A extends unknown[], R> = { (...args: A): R; new (...args: A): R };

/**
 * The `lock` option of the process context's `Value()` and `Array()`: `true` (the default) for a
 * new process-safe `Lock`, a `ctx.Lock()`/`ctx.RLock()` to share one, `false` for the raw form
 * (no `getLock()`). Python: `ctx.Value(typecode, v, lock=True)`.
 */
export interface ProcessSynchronizedOptions {
  /** `true`: a new process-safe `Lock`; a `ctx.Lock()`/`ctx.RLock()`: that one; `false`: none. @default true */
  lock?: boolean | LockProxy | undefined;
}

/**
 * `ctx.Value(typecode, value?, { lock? })`, called or with `new`. The proxy's value type follows
 * the typecode, as `Value` of `@multiproc/shared`: `bigint` for `'q'`/`'Q'`, `number` for the
 * others (a `bigint` for another typecode does not compile; at run time it throws
 * `ValidationError`). `{ lock: false }` gives the raw form, a `ValueProxy` without `getLock()`,
 * and is typed so ({@link LockedResult}). One generic signature, with the same type parameters as
 * the thread context's `Value`: a call on a `Context` of either kind must resolve, and TypeScript
 * unites the signatures of a union of functions only when their type parameters are the same.
 */
export interface ProcessValueFactory {
  <C extends Typecode, const O extends LockChoice | undefined = undefined>(
    typecode: C,
    value?: TypecodeValue<C>,
    options?: O & ProcessSynchronizedOptions,
  ): LockedResult<O, ValueProxy<TypecodeValue<C>>, SynchronizedValueProxy<TypecodeValue<C>>>;
  new <C extends Typecode, const O extends LockChoice | undefined = undefined>(
    typecode: C,
    value?: TypecodeValue<C>,
    options?: O & ProcessSynchronizedOptions,
  ): LockedResult<O, ValueProxy<TypecodeValue<C>>, SynchronizedValueProxy<TypecodeValue<C>>>;
}

/**
 * `ctx.Array(typecode, sizeOrItems, { lock? })`, called or with `new`; its item type follows the
 * typecode, and its result the `lock` option, as {@link ProcessValueFactory}'s do (`{ lock: false }`:
 * an `ArrayProxy`).
 */
export interface ProcessArrayFactory {
  <C extends Typecode, const O extends LockChoice | undefined = undefined>(
    typecode: C,
    init: number | readonly TypecodeValue<C>[],
    options?: O & ProcessSynchronizedOptions,
  ): LockedResult<O, ArrayProxy<TypecodeValue<C>>, SynchronizedArrayProxy<TypecodeValue<C>>>;
  new <C extends Typecode, const O extends LockChoice | undefined = undefined>(
    typecode: C,
    init: number | readonly TypecodeValue<C>[],
    options?: O & ProcessSynchronizedOptions,
  ): LockedResult<O, ArrayProxy<TypecodeValue<C>>, SynchronizedArrayProxy<TypecodeValue<C>>>;
}

/** `ctx.RawValue(typecode, value?)`, called or with `new`; typed as {@link ProcessValueFactory}. */
export interface ProcessRawValueFactory {
  <C extends Typecode>(typecode: C, value?: TypecodeValue<C>): ValueProxy<TypecodeValue<C>>;
  new <C extends Typecode>(typecode: C, value?: TypecodeValue<C>): ValueProxy<TypecodeValue<C>>;
}

/** `ctx.RawArray(typecode, sizeOrItems)`, called or with `new`; typed as {@link ProcessArrayFactory}. */
export interface ProcessRawArrayFactory {
  <C extends Typecode>(typecode: C, init: number | readonly TypecodeValue<C>[]): ArrayProxy<TypecodeValue<C>>;
  new <C extends Typecode>(
    typecode: C,
    init: number | readonly TypecodeValue<C>[],
  ): ArrayProxy<TypecodeValue<C>>;
}

/** The primitives of `getContext('process')`: each returns a proxy of the program's process manager. */
export interface ProcessPrimitives {
  /** A process-safe `Lock`. Python: `ctx.Lock()`. */
  Lock: PrimitiveFactory<[], LockProxy>;
  /** A process-safe `RLock`. Python: `ctx.RLock()`. */
  RLock: PrimitiveFactory<[], LockProxy>;
  /** A process-safe `Semaphore(value)`. Python: `ctx.Semaphore(value=1)`. */
  Semaphore: PrimitiveFactory<[value?: number], SemaphoreProxy>;
  /** A process-safe `BoundedSemaphore(value)`. Python: `ctx.BoundedSemaphore(value=1)`. */
  BoundedSemaphore: PrimitiveFactory<[value?: number], SemaphoreProxy>;
  /** A process-safe `Event`. Python: `ctx.Event()`. */
  Event: PrimitiveFactory<[], EventProxy>;
  /** A process-safe `Condition`, over a lock of this context or a new RLock. Python: `ctx.Condition(lock)`. */
  Condition: PrimitiveFactory<[lock?: LockProxy | null], ConditionProxy>;
  /**
   * A process-safe `Barrier(parties, { action, timeout })`. Python: `ctx.Barrier(parties,
   * action=None, timeout=None)`. The `action` (a task reference) runs once per passing in the
   * thread that serves the context's manager (the one that first used a process primitive,
   * usually the main thread), as Python runs it in the manager's server process.
   * @throws {ValidationError} for a bad `parties`, an `action` that is not a task reference or
   *   function, or an unknown option.
   */
  Barrier: PrimitiveFactory<[parties: number, options?: ManagerBarrierOptions], BarrierProxy>;
  /**
   * A process-shared `Value` (`await v.get()`, `await v.set(x)`) carrying a lock: `v.getLock()`
   * returns the same process-safe lock in every process `v` is sent to. Python:
   * `ctx.Value(typecode, v, lock=True)`. `{ lock: false }` gives the raw form, without `getLock()`.
   * @throws {ValidationError} for a bad typecode or value, or a `lock` that is not `true`,
   *   `false` or a `Lock()`/`RLock()` of this context (a thread `Lock` cannot reach a process), or
   *   an unknown option (`lok`).
   */
  Value: ProcessValueFactory;
  /**
   * A process-shared `Array` carrying a lock (`a.getLock()`, as `Value`). Python:
   * `ctx.Array(typecode, size_or_sequence, lock=True)`; `{ lock: false }` gives the raw form.
   * @throws {ValidationError} as `Value`.
   */
  Array: ProcessArrayFactory;
  /** The same as `Array` (this library's name for Python's `Array`). */
  SharedArray: ProcessPrimitives['Array'];
  /** A process-shared `Array` without a lock (no `getLock()`). Python: `ctx.RawArray(typecode, init)`. */
  RawArray: ProcessRawArrayFactory;
  /** A process-shared `Value` without a lock (no `getLock()`). Python: `ctx.RawValue(typecode, v)`. */
  RawValue: ProcessRawValueFactory;
}

/** The lock a synchronized Value/Array carries, or undefined for the raw form. */
function lockFor(options: ProcessSynchronizedOptions | undefined, what: string): LockProxy | undefined {
  const { lock: option } = readOptions(options, ['lock'], what); // null: Python's None, a new lock
  if (option === undefined || option === true) return processManager().Lock();
  if (option === false) return undefined;
  // A SemaphoreProxy is a LockProxy too; Python takes a Lock or RLock here.
  if (option instanceof LockProxy && (option.typeid === 'Lock' || option.typeid === 'RLock')) return option;
  throw new ValidationError(
    `${what}: the lock option must be true, false, or a Lock()/RLock() of getContext('process') ` +
      '(a thread Lock lives in this process and cannot guard a value other processes use).',
  );
}

/** The `'process'` context's primitives (functions, so `new ctx.Lock()` and `ctx.Lock()` both work). */
export const processPrimitives: ProcessPrimitives = {
  Lock: function Lock() {
    return processManager().Lock();
  },
  RLock: function RLock() {
    return processManager().RLock();
  },
  Semaphore: function Semaphore(value?: number) {
    return processManager().Semaphore(value);
  },
  BoundedSemaphore: function BoundedSemaphore(value?: number) {
    return processManager().BoundedSemaphore(value);
  },
  Event: function Event() {
    return processManager().Event();
  },
  Condition: function Condition(lock?: LockProxy | null) {
    return processManager().Condition(lock);
  },
  Barrier: function Barrier(parties: number, options?: ManagerBarrierOptions) {
    checkOptionKeys(options, ['action', 'timeout'], 'Barrier()');
    return processManager().Barrier(parties, options);
  },
  Value: function Value(typecode: Typecode, value?: never, options?: ProcessSynchronizedOptions) {
    const lock = lockFor(options, 'Value()');
    const v = processManager().Value(typecode, value);
    return lock === undefined ? v : SynchronizedValueProxy.withLock(v, lock);
  },
  // Not `function Array`, which would shadow the global inside it; an anonymous function
  // expression takes the property's name and, unlike an arrow, works with `new`.
  // biome-ignore lint/complexity/useArrowFunction: an arrow function cannot be used with `new`.
  Array: function (
    typecode: Typecode,
    init: number | readonly never[],
    options?: ProcessSynchronizedOptions,
  ) {
    const lock = lockFor(options, 'Array()');
    const a = processManager().Array(typecode, init);
    return lock === undefined ? a : SynchronizedArrayProxy.withLock(a, lock);
  },
  RawValue: function RawValue(typecode: Typecode, value?: never) {
    return processManager().Value(typecode, value);
  },
  RawArray: function RawArray(typecode: Typecode, init: number | readonly never[]) {
    return processManager().Array(typecode, init);
  },
} as unknown as ProcessPrimitives;
// Each refuses arguments it does not take, as the thread context's classes do (`new Lock(1)`) and as
// the manager's factories do: JavaScript would drop them silently (Python: TypeError).
const NO_LOCK = 'it has no lock: use Value(typecode, value, { lock }) for one with getLock()';
const TAKES: Record<string, readonly [max: number, takes: string, instead?: string]> = {
  ...Object.fromEntries(
    ['Lock', 'RLock', 'Event'].map((n) => [n, [0, 'no argument', `Python's ${n}() takes none either`]]),
  ),
  Semaphore: [1, 'an optional initial value'],
  BoundedSemaphore: [1, 'an optional initial value'],
  Condition: [1, "an optional Lock or RLock of getContext('process')"],
  Barrier: [
    2,
    'parties and optional options ({ action, timeout })',
    "Python's Barrier(parties, action, timeout) is Barrier(parties, { action, timeout }) here",
  ],
  Value: [3, 'a typecode, an optional value and optional options ({ lock })'],
  Array: [3, 'a typecode, a size or values, and optional options ({ lock })'],
  RawValue: [2, 'a typecode and an optional value', NO_LOCK],
  RawArray: [
    2,
    'a typecode and a size or values',
    NO_LOCK.replace('Value(typecode, value', 'Array(typecode, init'),
  ],
};
const factories = processPrimitives as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const [name, [max, takes, instead]] of Object.entries(TAKES)) {
  const make = factories[name]!;
  // A function, not a method or an arrow: `new ctx.Lock()` must keep working.
  const guarded = function (this: unknown, ...args: unknown[]) {
    if (args.length > max) throw tooManyArguments(`${name}()`, args.length, takes, instead);
    return make.apply(this, args);
  };
  Object.defineProperty(guarded, 'name', { value: name });
  factories[name] = guarded;
}
// A SharedArrayBuffer-backed name of the thread context would fail when sent to a child process.
processPrimitives.SharedArray = processPrimitives.Array;
// `x instanceof ctx.Lock` holds for what `ctx.Lock()` returns, as for the thread context's classes.
// Checked on use, so that loading this module does not load the manager's proxy classes.
const resultClasses: Record<keyof ProcessPrimitives, () => abstract new (...args: never[]) => unknown> = {
  Lock: () => LockProxy,
  RLock: () => LockProxy,
  Semaphore: () => SemaphoreProxy,
  BoundedSemaphore: () => SemaphoreProxy,
  Event: () => EventProxy,
  Condition: () => ConditionProxy,
  Barrier: () => BarrierProxy,
  Value: () => ValueProxy,
  Array: () => ArrayProxy,
  SharedArray: () => ArrayProxy,
  RawArray: () => ArrayProxy,
  RawValue: () => ValueProxy,
};
for (const [key, resultClass] of Object.entries(resultClasses)) {
  const factory = processPrimitives[key as keyof ProcessPrimitives];
  if (Object.hasOwn(factory, Symbol.hasInstance)) continue;
  Object.defineProperty(factory, Symbol.hasInstance, {
    value: (value: unknown) => value instanceof resultClass(),
  });
}
