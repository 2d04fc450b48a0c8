/** The default context. Python: `set_start_method()` / `get_start_method()`. */
import { ContextError, checkOptionKeys } from '@multiproc/shared';
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
 * @throws {ValidationError} for an unknown option.
 * @example
 * setStartMethod('process');
 * setStartMethod(null, { force: true });
 * console.log(getStartMethod(true)); // null
 */
export function setStartMethod(name: ContextName | null, options: { force?: boolean } = {}): void {
  if (name !== null) assertContextName(name);
  checkOptionKeys(options, ['force'], 'setStartMethod()');
  if (setExplicitly && !options.force) {
    throw new ContextError(
      `The start method is already set to '${current}': pass { force: true } to change it.`,
    );
  }
  if (name === null && options.force) {
    current = DEFAULT_CONTEXT;
    setExplicitly = false;
    return;
  }
  current = name ?? DEFAULT_CONTEXT;
  setExplicitly = true;
}

/**
 * The default context: `'thread'` unless {@link setStartMethod} changed it.
 * Python: `get_start_method(allow_none=False)`.
 * @param allowNone - answer `null` while no start method was set. @default false
 * @example
 * console.log(getStartMethod()); // 'thread'
 * console.log(getStartMethod(true)); // null, until setStartMethod() is called
 */
export function getStartMethod(allowNone: true): ContextName | null;
export function getStartMethod(allowNone?: false): ContextName;
export function getStartMethod(allowNone?: boolean): ContextName | null;
export function getStartMethod(allowNone = false): ContextName | null {
  return allowNone && !setExplicitly ? null : current;
}

/**
 * The contexts this platform supports. Python: `get_all_start_methods()`.
 * @example
 * console.log(getAllStartMethods()); // ['thread', 'process'] on Node.js
 */
export function getAllStartMethods(): ContextName[] {
  return [...CONTEXT_NAMES];
}
