/**
 * Refusing arguments a method of the shared primitives does not take. JavaScript drops extra
 * arguments silently, so `lock.release(5)`, `new Event(1)` or `ev.set(true)` did nothing with them
 * where Python raises `TypeError`; and a timeout passed where none is taken was ignored. Each public
 * method compares `arguments.length` with what it takes (a comparison, no array: these are hot
 * paths) and throws, or rejects where it returns a promise, with the error made here. (ipc's
 * queues and connections do the same with their own table of hints, `ipc/src/internal/arity.ts`.)
 */
import { ValidationError } from '../errors.js';

/**
 * The error for a call of `method` (`'Lock.release()'`) given `got` arguments, more than `takes`
 * describes (`'no argument'`, `'an optional timeout'`).
 * @param hint what to do instead, a sentence without its final period.
 * @example
 * if (arguments.length > 0) throw tooManyArguments('Lock.release()', arguments.length, 'no argument');
 */
export function tooManyArguments(method: string, got: number, takes: string, hint?: string): ValidationError {
  // Python's acquire(block, timeout) is the likeliest source of a second argument to an acquire.
  if (hint === undefined && takes === TAKES_ACQUIRE) {
    const call = method.slice(method.lastIndexOf('.') + 1, method.indexOf('('));
    hint =
      `Python's acquire(block, timeout) is ${call}({ timeout }) here, in ms, ` +
      `and acquire(False) is ${call}({ block: false })`;
  }
  return new ValidationError(
    `${method} takes ${takes}, but was given ${got} argument${got === 1 ? '' : 's'}` +
      (hint === undefined ? ': JavaScript would ignore the others silently.' : `: ${hint}.`),
  );
}

/**
 * {@link tooManyArguments} as a rejected promise, for the methods that return one without `async`.
 * @internal
 */
export function rejectArguments<T>(method: string, got: number, takes: string, hint?: string): Promise<T> {
  return Promise.reject(tooManyArguments(method, got, takes, hint));
}

/** What a timeout-taking method of the primitives takes, for {@link tooManyArguments}. @internal */
export const TAKES_TIMEOUT = 'an optional timeout (ms, or { timeout })';
/** As {@link TAKES_TIMEOUT}, where `{ block: false }` is taken too. @internal */
export const TAKES_ACQUIRE = 'an optional timeout (ms, or { timeout, block })';
/** What a method of the primitives that takes no argument takes, for {@link tooManyArguments}. @internal */
export const NONE = 'no argument';
