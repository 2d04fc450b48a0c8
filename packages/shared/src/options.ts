/**
 * One key check for every options object in multiproc: an unknown key throws instead of being
 * ignored, so a misspelt option (`authKey` for `authkey`) never silently drops a setting. No zod
 * here (this package has no runtime dependencies) and no allocation on the usual path, so waiting
 * methods can call it on every call.
 */
import { ValidationError } from './errors.js';

/** Python's option names that are spelt differently in multiproc beyond case and underscores. */
const PYTHON_SPELLINGS: Readonly<Record<string, string>> = {
  maxtasksperchild: 'maxTasksPerChild',
  error_callback: 'errorCallback',
  daemonic: 'daemon',
};

/**
 * The known option that `key` most likely meant: one that differs only in case or underscores
 * (`authKey` -> `authkey`, `max_size` -> `maxsize`, `init_args` -> `initargs`), or Python's
 * spelling of it. Beyond Python.
 * @param key the unknown key as written.
 * @param known the option names the call takes.
 * @returns the known name, or `undefined` when none is close.
 * @example
 * spellingOf('authKey', ['authkey', 'backlog']); // 'authkey'
 * spellingOf('colour', ['authkey', 'backlog']);  // undefined
 */
export function spellingOf(key: string, known: readonly string[]): string | undefined {
  const python = PYTHON_SPELLINGS[key];
  if (python !== undefined && known.includes(python)) return python;
  const fold = (name: string) => name.replace(/[_-]/g, '').toLowerCase();
  const folded = fold(key);
  return known.find((name) => fold(name) === folded);
}

/**
 * Throws when `options` has an own key that `known` does not list. Call it with the options object
 * as given; `undefined` and `null` pass (no options). Beyond Python (Python's keyword arguments
 * refuse unknown names with `TypeError`).
 * @param options what the caller passed as options.
 * @param known every option name the call takes.
 * @param what the call for the message, such as `'new Listener()'`.
 * @throws {ValidationError} for an unknown key, naming it, the right spelling when it is a case or
 *   underscore slip or a Python name, and the names the call takes; also when `options` is not an
 *   object.
 * @example
 * import { checkOptionKeys, ValidationError } from '@multiproc/shared';
 * try {
 *   checkOptionKeys({ authKey: 'k' }, ['authkey', 'backlog'], 'new Listener()');
 * } catch (err) {
 *   console.log(err instanceof ValidationError); // true: its message says "spelt authkey"
 * }
 */
export function checkOptionKeys(options: unknown, known: readonly string[], what: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(
      `${what} takes its options as an object ({ ${known.join(', ')} }), got ${
        Array.isArray(options) ? 'an array' : typeof options
      }.`,
    );
  }
  for (const key in options) {
    if (!Object.hasOwn(options, key) || known.includes(key)) continue;
    throw unknownOption(key, known, what);
  }
}

/**
 * The error for an unknown option `key` of `what`, with its right spelling when there is one.
 * @param key the unknown key.
 * @param known every option name the call takes.
 * @param what the call, such as `'new Listener()'`.
 * @returns a `ValidationError` to throw.
 * @example
 * import { unknownOption } from '@multiproc/shared';
 * const err = unknownOption('authKey', ['authkey'], 'Client()'); // throw it
 * console.log(err.name); // ValidationError
 */
export function unknownOption(key: string, known: readonly string[], what: string): ValidationError {
  const right = spellingOf(key, known);
  const fix = right === undefined ? '' : ` In multiproc it is spelt ${right}.`;
  const takes = known.length === 0 ? 'it takes no options' : `it takes ${known.join(', ')}`;
  return new ValidationError(`Unknown option '${key}' for ${what}: ${takes}.${fix}`);
}
