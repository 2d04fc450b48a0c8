/**
 * Error classes thrown by `@multiproc/shared`. Every error multiproc throws extends
 * {@link ProcessError} and carries a stable `code`; `ipc` and `core` add their own classes on top
 * of these (each class is defined once, in the lowest package that throws it).
 */

/**
 * The base class of every error multiproc throws. Mirrors Python's `multiprocessing.ProcessError`.
 * @example
 * import { Lock, ProcessError } from '@multiproc/shared';
 * try { new Lock().release(); } catch (err) { if (err instanceof ProcessError) console.log(err.code); } // MP_LOCK
 */
export class ProcessError extends Error {
  /** The class name, `'ProcessError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'ProcessError';
  }
  /**
   * A stable identifier for this kind of failure, such as `'MP_TIMEOUT'`. Each subclass types it
   * as its own literal (`TimeoutError`'s is `'MP_TIMEOUT'`), so comparing `code` narrows a union
   * of error classes: `if (err.code === 'MP_WORKER_CRASHED') err.exitCode`.
   */
  get code(): string {
    return 'MP_PROCESS';
  }
}

/**
 * Bad input: a bad option, typecode, index or value; also a received value a zod schema rejects.
 * Python raises `ValueError` or `TypeError` for these (`Value('z', 1)`: `TypeError`).
 * @example
 * try { new Lock().acquireSync({ block: false, timeout: 10 }); } catch (err) {
 *   if (err instanceof ValidationError) console.log(err.code); // 'MP_VALIDATION'
 * }
 */
export class ValidationError extends ProcessError {
  /** The class name, `'ValidationError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'ValidationError';
  }
  /** `'MP_VALIDATION'`; `'MP_KEY'` for its subclass `KeyError`. */
  override get code(): 'MP_VALIDATION' | 'MP_KEY' {
    return 'MP_VALIDATION';
  }
  /** The zod issues behind this error, when it came from a schema. */
  readonly issues: readonly unknown[];
  constructor(message: string, options?: { cause?: unknown; issues?: readonly unknown[] }) {
    super(message, options);
    this.issues = options?.issues ?? [];
  }
}

/**
 * A lock used wrongly: releasing one that is not held, or held by another thread. Python raises
 * `ValueError` ("semaphore or lock released too many times") or `AssertionError` ("attempt to
 * release recursive lock not owned by thread", "must acquire() condition before using wait()").
 * @example
 * try { new Lock().release(); } catch (err) {
 *   if (err instanceof LockError) console.log(err.message); // the lock is not held
 * }
 */
export class LockError extends ProcessError {
  /** The class name, `'LockError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'LockError';
  }
  override get code(): 'MP_LOCK' {
    return 'MP_LOCK';
  }
}

/**
 * A `Barrier` was broken (aborted, reset or timed out) while a party waited. Python: `BrokenBarrierError`.
 * @example
 * const barrier = new Barrier(2);
 * barrier.abort();
 * try { await barrier.wait(); } catch (err) { console.log(err instanceof BrokenBarrierError); } // true
 */
export class BrokenBarrierError extends ProcessError {
  /** The class name, `'BrokenBarrierError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'BrokenBarrierError';
  }
  override get code(): 'MP_BROKEN_BARRIER' {
    return 'MP_BROKEN_BARRIER';
  }
}

/**
 * A wait ran out of time. Python: `multiprocessing.TimeoutError`.
 * @example
 * const event = new Event();
 * console.log(await event.wait(50)); // false: Event.wait reports a timeout by its result
 * try { await pool.apply(tasks.sleep, [5000], { timeout: 100 }); } catch (err) {
 *   if (err instanceof TimeoutError) console.log(err.code); // 'MP_TIMEOUT'
 * }
 */
export class TimeoutError extends ProcessError {
  /** The class name, `'TimeoutError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'TimeoutError';
  }
  override get code(): 'MP_TIMEOUT' {
    return 'MP_TIMEOUT';
  }
}

/**
 * A context problem: an unknown context name, `setStartMethod` called twice without `force`, or
 * shared memory sent where it cannot go (into a child process). Python raises `ValueError`
 * ("cannot find context") and `RuntimeError` ("context has already been set") for the first two.
 * @example
 * try { getContext('fork' as never); } catch (err) {
 *   if (err instanceof ContextError) console.log(err.message); // names 'thread' and 'process'
 * }
 */
export class ContextError extends ProcessError {
  /** The class name, `'ContextError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'ContextError';
  }
  override get code(): 'MP_CONTEXT' {
    return 'MP_CONTEXT';
  }
}

/**
 * A value that cannot be sent to another thread or process; `path` names the bad part (`args[0].onDone`).
 * Python's `pickle.PicklingError` (or `AttributeError: Can't pickle local object`).
 * @example
 * try { await pool.apply(tasks.show, [{ onDone: () => {} }]); } catch (err) {
 *   if (err instanceof SerializationError) console.log(err.path); // 'args[0].onDone'
 * }
 */
export class SerializationError extends ProcessError {
  /** The class name, `'SerializationError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'SerializationError';
  }
  override get code(): 'MP_SERIALIZATION' {
    return 'MP_SERIALIZATION';
  }
  /** Where in the sent value the problem is, such as `args[1].cb` or `value.items[3]`. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.path = path;
  }
}

/**
 * An object used after its own `close()`: a `Connection`, a queue, a channel or a `Process`. Python
 * raises `OSError` ("handle is closed") for a connection, `ValueError` for a queue or process.
 * @example
 * const [a] = Pipe();
 * a.close();
 * try { a.send('x'); } catch (err) { console.log(err instanceof ClosedError); } // true
 */
export class ClosedError extends ProcessError {
  /** The class name, `'ClosedError'`, also for instances that crossed from a worker. */
  override get name(): string {
    return 'ClosedError';
  }
  /** `'MP_CLOSED'`; its subclasses' own: `'MP_MANAGER_CLOSED'`, `'MP_POOL_CLOSED'`. */
  override get code(): 'MP_CLOSED' | 'MP_MANAGER_CLOSED' | 'MP_POOL_CLOSED' {
    return 'MP_CLOSED';
  }
}
