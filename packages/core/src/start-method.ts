/** The default context. Python: `set_start_method()` / `get_start_method()`. */
import { ContextError } from '@multiproc/shared';
import { CONTEXT_NAMES, type ContextName, PYTHON_START_METHODS } from './options.js';

let current: ContextName = 'thread';
let setExplicitly = false;

/** Throws `ContextError` unless `name` is a context multiproc knows. */
export function assertContextName(name: unknown): asserts name is ContextName {
  if (!CONTEXT_NAMES.includes(name as ContextName)) {
    const python = PYTHON_START_METHODS.includes(name as string)
      ? ` Python's start method '${name}' is multiproc's 'process' context (a child process).`
      : '';
    throw new ContextError(
      `Unknown context ${JSON.stringify(name)}: use one of ${CONTEXT_NAMES.map((n) => `'${n}'`).join(', ')}.${python}`,
    );
  }
}

/**
 * Sets the default context for `Process` and `Pool`. Like Python, a second call throws unless
 * `{ force: true }` is given. Python: `multiprocessing.set_start_method()`.
 * @throws {ContextError} for an unknown name, or a second call without `force`.
 * @example
 * setStartMethod('process');
 */
export function setStartMethod(name: ContextName, options: { force?: boolean } = {}): void {
  assertContextName(name);
  if (setExplicitly && !options.force) {
    throw new ContextError(
      `The start method is already set to '${current}': pass { force: true } to change it.`,
    );
  }
  current = name;
  setExplicitly = true;
}

/** The default context: `'thread'` unless {@link setStartMethod} changed it. Python: `get_start_method()`. */
export function getStartMethod(): ContextName {
  return current;
}

/** The contexts this platform supports. Python: `get_all_start_methods()`. */
export function getAllStartMethods(): ContextName[] {
  return [...CONTEXT_NAMES];
}
