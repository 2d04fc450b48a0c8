// Each error class types its `code` as its own literal, so comparing `code` narrows a union of
// error classes (`err.code === 'MP_WORKER_CRASHED'` gives `err.exitCode`), and two classes are no
// longer one type to TypeScript (a `ContextError` was assignable to a `LockError`: both were
// `{ code: string }`). `ProcessError`'s stays `string`: other packages add classes below it. Type
// checks run in the package's `typecheck` task; the test also reads each class's code.
import {
  AuthenticationError,
  BrokenBarrierError,
  BrokenPipeError,
  BufferTooShortError,
  ClosedError,
  type ConnectError,
  ContextError,
  EOFError,
  KeyError,
  LockError,
  ManagerClosedError,
  MessageTooLongError,
  PoolClosedError,
  type ProcessError,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
  WorkerEntryNotFoundError,
  WorkerStartError,
} from '@multiproc/multiproc';
import { describe, expect, expectTypeOf, it } from 'vitest';

/** The code a class's instances report (the getter, read on its prototype). */
const codeOf = (cls: { prototype: ProcessError }): string => Reflect.get(cls.prototype, 'code') as string;

describe('error codes', () => {
  it("are each class's literal type, and the value the class reports", () => {
    expectTypeOf<ProcessError['code']>().toEqualTypeOf<string>();
    expectTypeOf<TimeoutError['code']>().toEqualTypeOf<'MP_TIMEOUT'>();
    expectTypeOf<LockError['code']>().toEqualTypeOf<'MP_LOCK'>();
    expectTypeOf<QueueEmptyError['code']>().toEqualTypeOf<'MP_QUEUE_EMPTY'>();
    expectTypeOf<WorkerCrashedError['code']>().toEqualTypeOf<'MP_WORKER_CRASHED'>();
    expectTypeOf<PoolClosedError['code']>().toEqualTypeOf<'MP_POOL_CLOSED'>();
    expectTypeOf<ClosedError['code']>().toEqualTypeOf<'MP_CLOSED' | 'MP_MANAGER_CLOSED' | 'MP_POOL_CLOSED'>();
    expectTypeOf<ValidationError['code']>().toEqualTypeOf<'MP_VALIDATION' | 'MP_KEY'>();
    // The one class whose code is the system error's (it stands in for Node.js's own error).
    expectTypeOf<ConnectError['code']>().toEqualTypeOf<`E${string}`>();
    const classes = {
      MP_AUTHENTICATION: AuthenticationError,
      MP_BROKEN_BARRIER: BrokenBarrierError,
      MP_BROKEN_PIPE: BrokenPipeError,
      MP_BUFFER_TOO_SHORT: BufferTooShortError,
      MP_CLOSED: ClosedError,
      MP_CONTEXT: ContextError,
      MP_EOF: EOFError,
      MP_KEY: KeyError,
      MP_LOCK: LockError,
      MP_MANAGER_CLOSED: ManagerClosedError,
      MP_MESSAGE_TOO_LONG: MessageTooLongError,
      MP_POOL_CLOSED: PoolClosedError,
      MP_QUEUE_EMPTY: QueueEmptyError,
      MP_QUEUE_FULL: QueueFullError,
      MP_SERIALIZATION: SerializationError,
      MP_TIMEOUT: TimeoutError,
      MP_VALIDATION: ValidationError,
      MP_WORKER_CRASHED: WorkerCrashedError,
      MP_WORKER_ENTRY_NOT_FOUND: WorkerEntryNotFoundError,
      MP_WORKER_START: WorkerStartError,
    } satisfies { [C in string]: { prototype: { code: C } } };
    for (const [code, cls] of Object.entries(classes)) expect(codeOf(cls)).toBe(code);
  });

  it('narrow a union of error classes, and tell classes apart', () => {
    const exitCodeOf = (err: TimeoutError | WorkerCrashedError): number | null | 'timeout' =>
      err.code === 'MP_WORKER_CRASHED' ? err.exitCode : 'timeout';
    expectTypeOf(exitCodeOf).returns.toEqualTypeOf<number | null | 'timeout'>();
    expectTypeOf<ContextError>().not.toExtend<LockError>();
    expectTypeOf<QueueEmptyError>().not.toExtend<QueueFullError>();
    expectTypeOf<PoolClosedError>().toExtend<ClosedError>();
    expectTypeOf<KeyError>().toExtend<ValidationError>();
    const refusedPort = (err: ConnectError | ManagerClosedError): boolean => err.code === 'ECONNREFUSED';
    expectTypeOf(refusedPort).parameter(0).toExtend<ProcessError>();
    expect(exitCodeOf(Object.create(TimeoutError.prototype))).toBe('timeout');
  });
});
