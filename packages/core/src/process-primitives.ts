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
  ValueProxy,
} from '@multiproc/ipc';
import type { Typecode } from '@multiproc/shared';

/** A factory callable with or without `new`, as Python's `ctx.Lock()` reads and as `new Lock()` is written. */
export type PrimitiveFactory<A extends unknown[], R> = { (...args: A): R; new (...args: A): R };

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
  Condition: PrimitiveFactory<[lock?: LockProxy], ConditionProxy>;
  /** A process-safe `Barrier(parties)`. Python: `ctx.Barrier(parties, timeout=None)`. */
  Barrier: PrimitiveFactory<[parties: number, options?: ManagerBarrierOptions], BarrierProxy>;
  /** A process-shared `Value` (`await v.get()`, `await v.set(x)`). Python: `ctx.Value(typecode, v)`. */
  Value: PrimitiveFactory<[typecode: Typecode, value?: number | bigint], ValueProxy<number>>;
  /** A process-shared `Array`. Python: `ctx.Array(typecode, size_or_sequence)`. */
  Array: PrimitiveFactory<
    [typecode: Typecode, init: number | readonly (number | bigint)[]],
    ArrayProxy<number>
  >;
  /** The same as `Array` (this library's name for Python's `Array`). */
  SharedArray: ProcessPrimitives['Array'];
  /** The same as `Array`: a manager's array needs no lock of its own. Python: `ctx.RawArray`. */
  RawArray: ProcessPrimitives['Array'];
  /** The same as `Value`: a manager's value needs no lock of its own. Python: `ctx.RawValue`. */
  RawValue: ProcessPrimitives['Value'];
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
  Condition: function Condition(lock?: LockProxy) {
    return processManager().Condition(lock);
  },
  Barrier: function Barrier(parties: number, options?: ManagerBarrierOptions) {
    return processManager().Barrier(parties, options);
  },
  Value: function Value(typecode: Typecode, value?: never) {
    return processManager().Value(typecode, value);
  },
  // Not `function Array`, which would shadow the global inside it; an anonymous function
  // expression takes the property's name and, unlike an arrow, works with `new`.
  // biome-ignore lint/complexity/useArrowFunction: an arrow function cannot be used with `new`.
  Array: function (typecode: Typecode, init: number | readonly never[]) {
    return processManager().Array(typecode, init);
  },
} as unknown as ProcessPrimitives;
// A SharedArrayBuffer-backed name of the thread context would fail when sent to a child process.
processPrimitives.SharedArray = processPrimitives.Array;
processPrimitives.RawArray = processPrimitives.Array;
processPrimitives.RawValue = processPrimitives.Value;
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
