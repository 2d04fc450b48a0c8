/**
 * The count arguments of a manager's objects (a semaphore's value, a barrier's parties, a queue's
 * maxsize) and of its semaphore's and condition's calls, checked by the proxy (so a bad one
 * rejects before anything is sent) and again by the served object (a raw `callMethod()`), as the
 * thread primitives check theirs.
 */
import { readOptions, describeValue as show, ValidationError } from '@multiproc/shared';

/** `Semaphore.release(n)`: a positive integer. */
export function checkReleaseCount(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new ValidationError(`release(n) needs a positive integer, got ${show(n)}.`);
  }
  return n;
}

/** `Condition.notify(n)`: how many waiters to wake, an integer from 0, or Infinity for all. */
export function checkNotifyCount(n: unknown): number {
  if (typeof n !== 'number' || !(Number.isInteger(n) || n === Number.POSITIVE_INFINITY) || n < 0) {
    throw new ValidationError(
      `notify(n) needs the number of waiters to wake, an integer from 0 (or Infinity: all), got ${show(n)}.`,
    );
  }
  return n;
}

/** A semaphore's value or a barrier's parties: an integer from `min`. */
export function checkCount(n: unknown, min: number, where: string): number {
  if (!Number.isInteger(n) || (n as number) < min) {
    throw new ValidationError(`${where} must be an integer >= ${min}, got ${show(n)}.`);
  }
  return n as number;
}

/**
 * A queue's `maxsize`: any integer, 0 or less meaning no limit (Python's `queue.Queue`), given as
 * itself or as `{ maxsize }` (Python's keyword `maxsize=`, and what `new Queue({ maxsize })` takes).
 */
export function checkQueueSize(n: unknown, where: string): number {
  if (typeof n === 'object' && n !== null && !Array.isArray(n)) {
    n = readOptions(n as { maxsize?: unknown }, ['maxsize'], where.replace('(maxsize)', '()')).maxsize ?? 0;
  }
  if (!Number.isInteger(n)) {
    throw new ValidationError(`${where} must be an integer (0 or less: no limit), got ${show(n)}.`);
  }
  return Math.max(0, n as number);
}
