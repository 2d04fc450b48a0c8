/** The body of every `withLock()`: acquire (async), run, release even if the section throws. */
import { TimeoutError } from '../errors.js';
import type { AcquireOptions } from '../lock.js';
import { resolveTimeout } from '../timeout.js';
import { assertCallback } from './callbacks.js';

interface Acquirable {
  acquire(options?: AcquireOptions): Promise<boolean>;
  release(): void;
}

/**
 * Runs `fn` holding `lock`.
 * @param what how the timeout message names what was not acquired (`'Lock'`, `'A permit'`).
 * @param caller the class, as the error for a non-function `fn` names it (`'Semaphore'`).
 * @throws {ValidationError} when `fn` is not a function (before anything is acquired).
 * @throws {TimeoutError} when `lock` was not acquired within `options.timeout` ms.
 */
export async function runLocked<T>(
  lock: Acquirable,
  fn: () => T | Promise<T>,
  options: AcquireOptions | undefined,
  what: string,
  caller: string = what,
): Promise<T> {
  assertCallback(
    fn,
    `${caller}.withLock(fn)`,
    what === 'Lock' || what === 'RLock'
      ? 'the function to run holding the lock'
      : 'the function to run holding a permit',
  );
  if (!(await lock.acquire(options))) {
    const { timeoutMs } = resolveTimeout(options, 'withLock()', { block: true });
    throw new TimeoutError(`${what} not acquired within ${timeoutMs} ms.`);
  }
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
