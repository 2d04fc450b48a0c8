/** The default context. Python: `set_start_method()` / `get_start_method()`. */
import { ContextError, describeValue, readOptions, ValidationError } from '@multiproc/shared';
import { getWorkerIdentity } from './identity.js';
import { tooManyArguments } from './internal/arity.js';
import { assertContextName, CONTEXT_NAMES, type ContextName } from './options.js';

const DEFAULT_CONTEXT: ContextName = 'thread';
let current: ContextName = DEFAULT_CONTEXT;
let setExplicitly = false;

/**
 * Sets the default context for `Process` and `Pool`. Like Python, a second call throws unless
 * `{ force: true }` is given; `setStartMethod(null, { force: true })` forgets the choice, so the
 * default (`'thread'`) applies again and `getStartMethod(true)` answers `null`.
 * Python: `multiprocessing.set_start_method(method, force=False)`.
 * @param name - `'thread'` or `'process'`; `null` (Python's `None`): with `force`, unset it; without,
 *   set the default, `'thread'`.
 * @param options - `force`: change a start method that was already set. @default { force: false }
 * @throws {ContextError} for an unknown name, or a second call without `force`.
 * @throws {ValidationError} for an unknown option, or a `force` that is not a boolean (or `null`).
 * @example
 * setStartMethod('process');
 * setStartMethod(null, { force: true });
 * console.log(getStartMethod(true)); // null
 */
export function setStartMethod(
  name: ContextName | null,
  options: { force?: boolean | null | undefined } | null = {},
): void {
  if (arguments.length > 2) throw tooManyArguments('setStartMethod', arguments.length);
  if (name !== null) assertContextName(name);
  const { force } = readOptions(options, ['force'], 'setStartMethod()');
  if (force !== undefined && typeof force !== 'boolean') {
    throw new ValidationError(`setStartMethod(): force must be true or false, got ${describeValue(force)}.`);
  }
  if (setExplicitly && !force) {
    throw new ContextError(
      `The start method is already set to '${current}': pass { force: true } to change it.`,
    );
  }
  if (name === null && force) {
    current = DEFAULT_CONTEXT; // a worker's own context applies again
    setExplicitly = false;
    return;
  }
  current = name ?? DEFAULT_CONTEXT;
  setExplicitly = true;
}

/** The options form of {@link getStartMethod}'s argument (Python's keyword `allow_none`). */
export interface GetStartMethodOptions {
  /** Answer `null` while no start method was set; `null` (Python's `None`) as `false`. @default false */
  allowNone?: boolean | null | undefined;
}

/**
 * The default context: `'thread'` unless {@link setStartMethod} changed it. In a worker, until the
 * worker calls `setStartMethod()` itself, it is the context the worker runs in, as a Python child
 * takes its own start method: a `'process'` worker's `new Process()` then starts a child process.
 * Python: `get_start_method(allow_none=False)`.
 * @param allowNone - answer `null` while no start method was set: a boolean, or `{ allowNone }`
 *   (`null` or nothing: `false`). @default false
 * @throws {ValidationError} for another argument (a string, a number) or an unknown option.
 * @example
 * console.log(getStartMethod()); // 'thread'
 * console.log(getStartMethod(true)); // null, until setStartMethod() is called
 * console.log(getStartMethod({ allowNone: true })); // the same
 */
export function getStartMethod(allowNone: true | { allowNone: true }): ContextName | null;
export function getStartMethod(
  allowNone?: false | { allowNone?: false | null | undefined } | null,
): ContextName;
export function getStartMethod(allowNone?: boolean | GetStartMethodOptions | null): ContextName | null;
export function getStartMethod(arg: boolean | GetStartMethodOptions | null = false): ContextName | null {
  if (arguments.length > 1) throw tooManyArguments('getStartMethod', arguments.length);
  const allowNone = readAllowNone(arg);
  if (setExplicitly) return current;
  return getWorkerIdentity()?.context ?? (allowNone ? null : DEFAULT_CONTEXT);
}

function readAllowNone(arg: unknown): boolean {
  if (typeof arg === 'boolean') return arg;
  if (arg === null || arg === undefined) return false;
  const { allowNone = false } =
    typeof arg === 'object' && !Array.isArray(arg)
      ? readOptions(arg as GetStartMethodOptions, ['allowNone'], 'getStartMethod()')
      : { allowNone: arg };
  if (typeof allowNone === 'boolean') return allowNone;
  throw new ValidationError(
    `getStartMethod() takes true, false or { allowNone }, got ${describeValue(allowNone)}. ` +
      `Python's get_start_method(allow_none=True) is getStartMethod(true).`,
  );
}

/**
 * The contexts this platform supports. Python: `get_all_start_methods()`.
 * @example
 * console.log(getAllStartMethods()); // ['thread', 'process'] on Node.js
 */
export function getAllStartMethods(): ContextName[] {
  if (arguments.length > 0) throw tooManyArguments('getAllStartMethods', arguments.length);
  return [...CONTEXT_NAMES];
}
