/**
 * Checks on the functions users hand to the primitives (`withLock(fn)`, `waitFor(predicate)`, a
 * Barrier's `action`): a non-function is named as a `ValidationError` before anything runs, and a
 * blocking (`…Sync`) call refuses a callback that answers with a Promise, which it cannot await
 * (a Promise is truthy: `waitForSync(async () => false)` would return at once).
 */
import { ValidationError } from '../errors.js';
import { describeValue } from '../options.js';

/**
 * Throws `ValidationError` unless `fn` is a function.
 * @param what the call and the argument, as the message names them: `'Lock.withLock(fn)'`.
 * @param role what the function is for: `'the function to run holding the lock'`.
 */
export function assertCallback(fn: unknown, what: string, role: string): asserts fn is () => unknown {
  if (typeof fn !== 'function') {
    throw new ValidationError(`${what} takes ${role}, got ${describeValue(fn)}.`);
  }
}

/** Whether `value` is a Promise or another thenable (what `await` would wait for). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * For a blocking call: throws `ValidationError` with `message` when a callback answered with a
 * thenable, after marking its rejection handled (it is not awaited: an unhandled rejection would
 * end the program).
 */
export function refuseThenable(value: unknown, message: string): void {
  if (!isThenable(value)) return;
  Promise.resolve(value).then(undefined, () => undefined);
  throw new ValidationError(message);
}

/** `predicate()` of `Condition.waitForSync()`, refused when it answers with a Promise (a blocking wait cannot await it). */
export function syncPredicate<T>(predicate: () => T): T {
  const result = predicate();
  refuseThenable(
    result,
    'Condition.waitForSync(predicate): the predicate returned a Promise, which a blocking wait ' +
      'cannot await (and would read as true). Use await cond.waitFor(predicate) for an async predicate.',
  );
  return result;
}
