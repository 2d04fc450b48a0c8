/**
 * Refusing arguments a method of Process or Pool does not take. JavaScript drops extra arguments
 * silently, so `p.kill('SIGINT')` sent SIGKILL and `p.terminate(5000)` ignored its number, where
 * Python raises `TypeError`. Each such method compares `arguments.length` with what it takes and
 * throws, or rejects where it returns a promise, with the error shared's `tooManyArguments` makes
 * (shared's primitives and ipc's queues do the same, each with its own table of what they take).
 */
import { tooManyArguments as refusal, type ValidationError } from '@multiproc/shared';
import { refusesUnawaitedLoop, refuseUnawaitedLoop } from './unawaited-result.js';

const RACE = "race it: Promise.race([it, setTimeout(ms)]) with setTimeout from 'node:timers/promises'";

/**
 * What each method takes, and what to do instead, by `Class.method`: made at the first refusal, not
 * at import (issue #18: the table was built in every realm that imports the package).
 */
const takes = (): Readonly<Record<string, readonly [takes: string, instead?: string]>> => ({
  'new Process': ['one options object ({ target, args, name, daemon, context })'],
  'Process.start': ['no argument', 'pass the target its arguments as new Process({ target, args })'],
  'Process.join': ['an optional timeout (ms, or { timeout })'],
  'Process.isAlive': ['no argument'],
  'Process.terminate': [
    'no argument',
    `it sends SIGTERM, then SIGKILL after a grace of 1000 ms; to wait at most ms for the end, ${RACE}`,
  ],
  'Process.kill': [
    'no argument',
    "it always sends SIGKILL, as Python's kill() does; for another signal to a 'process' context child, " +
      "call process.kill(p.pid, signal) from 'node:process'",
  ],
  'Process.close': ['no argument'],
  'new Pool': [
    'one options object ({ processes, initializer, initargs, ... })',
    "Python's Pool(processes, initializer, initargs) is new Pool({ processes, initializer, initargs }) here",
  ],
  'Pool.stats': ['no argument'],
  'Pool.close': ['no argument'],
  'Pool.join': ['no argument', `it waits for every submitted task; to wait at most ms, ${RACE}`],
  'Pool.terminate': ['no argument', 'it stops the workers at once, without a grace or a timeout'],
  'Pool.apply': [
    'a task, its argument list and an optional options object',
    "Python's apply(f, args, kwds) has no kwds here (a task takes its arguments as a list)",
  ],
  'Pool.applyAsync': [
    'a task, its argument list and an optional options object',
    "Python's apply_async(f, args, kwds, callback, error_callback) is " +
      'applyAsync(task, args, { callback, errorCallback }) here',
  ],
  ...Object.fromEntries(
    ['map', 'mapAsync', 'starmap', 'starmapAsync', 'imap', 'imapUnordered'].map((m) => [
      `Pool.${m}`,
      [
        'a task, an iterable and an optional options object',
        `Python's positional chunksize is ${m}(task, iterable, { chunksize }) here` +
          (m.endsWith('Async')
            ? ', and its callback and error_callback are { callback, errorCallback }'
            : ''),
      ],
    ]),
  ),
  'AsyncResult.get': ['an optional timeout (ms, or { timeout })'],
  'AsyncResult.wait': ['an optional timeout (ms, or { timeout })'],
  'AsyncResult.ready': ['no argument'],
  'AsyncResult.successful': ['no argument'],
  getContext: ["an optional context name ('thread' or 'process')"],
  getStartMethod: ['an optional allowNone (true, false or { allowNone })'],
  setStartMethod: ["a context name ('thread', 'process' or null) and optional { force }"],
});
let TAKES: ReturnType<typeof takes> | undefined;

/**
 * The error for a call of `method` (`'Process.kill'`) given `got` arguments, more than it takes.
 * @example
 * if (arguments.length > 0) throw tooManyArguments('Process.kill', arguments.length);
 */
export function tooManyArguments(method: string, got: number): ValidationError {
  TAKES ??= takes();
  const [what, instead] = TAKES[method] ?? ['no argument'];
  return refusal(`${method}()`, got, what, instead);
}

/** How many arguments each method of a Pool (local or on BullMQ) takes at most. */
export const POOL_ARITY: Readonly<Record<string, number>> = {
  apply: 3,
  applyAsync: 3,
  map: 3,
  mapAsync: 3,
  starmap: 3,
  starmapAsync: 3,
  imap: 3,
  imapUnordered: 3,
  stats: 0,
  close: 0,
  join: 0,
  terminate: 0,
};

/**
 * Wraps each method of `proto` named in `counts`: more arguments than its count are refused with
 * {@link tooManyArguments} for `${className}.${method}`, and a method that returns a Promise (an
 * `async` one, or one named in `promised`) reports whatever it throws before its first `await`
 * (a bad option, an options getter or Proxy trap that throws) by rejecting, as such a method must.
 * The Promise of a call whose result a Python port loops over unawaited (`Pool.map`: see
 * unawaited-result.ts) says to await it when a loop reads it.
 * @example
 * guardMethods(Pool.prototype, 'Pool', { apply: 3, close: 0 }, ['apply']);
 */
export function guardMethods(
  proto: object,
  className: string,
  counts: Readonly<Record<string, number>>,
  promised: readonly string[] = [],
): void {
  for (const [name, count] of Object.entries(counts)) {
    const method = (proto as Record<string, (...args: unknown[]) => unknown>)[name]!;
    const rejects = promised.includes(name) || method.constructor.name === 'AsyncFunction';
    const looped = refusesUnawaitedLoop(`${className}.${name}`) ? `${className}.${name}` : undefined;
    const wrapped = {
      [name](this: unknown, ...args: unknown[]): unknown {
        let result: unknown;
        try {
          if (args.length > count) throw tooManyArguments(`${className}.${name}`, args.length);
          result = method.apply(this, args);
        } catch (err) {
          if (!rejects) throw err;
          result = Promise.reject(err);
        }
        return looped !== undefined && result instanceof Promise
          ? refuseUnawaitedLoop(result, looped)
          : result;
      },
    }[name]!;
    Object.defineProperty(wrapped, 'length', { value: method.length });
    Object.defineProperty(proto, name, { value: wrapped, writable: true, configurable: true });
  }
}

/** {@link tooManyArguments} as a rejected promise, for the methods that return one without `async`. */
export function rejectArguments<T>(method: string, got: number): Promise<T> {
  return Promise.reject(tooManyArguments(method, got));
}
