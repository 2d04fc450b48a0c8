/** The body of every `withLock()`: acquire (async), run, release even if the section throws. */
import { TimeoutError } from '../errors.js';

interface Acquirable {
  acquire(options?: { timeout?: number }): Promise<boolean>;
  release(): void;
}

/**
 * Runs `fn` holding `lock`.
 * @param what how the timeout message names what was not acquired (`'Lock'`, `'A permit'`).
 * @throws {TimeoutError} when `lock` was not acquired within `options.timeout` ms.
 */
export async function runLocked<T>(
  lock: Acquirable,
  fn: () => T | Promise<T>,
  options: { timeout?: number } | undefined,
  what: string,
): Promise<T> {
  if (!(await lock.acquire(options)))
    throw new TimeoutError(`${what} not acquired within ${options?.timeout} ms.`);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
