/**
 * The count arguments of a manager's semaphore and condition, checked by the proxy (so a bad one
 * rejects before anything is sent) and again by the served object (a raw `callMethod()`), as the
 * thread primitives check theirs.
 */
import { ValidationError } from '@multiproc/shared';

const show = (n: unknown): string => (typeof n === 'string' ? JSON.stringify(n) : String(n));

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
