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
 * (`authKey` -> `authkey`, `max_size` -> `maxsize`, `init_args` -> `initargs`), Python's
 * spelling of it, or the only one a slip of one letter away (`tagret` -> `target`, `timout` ->
 * `timeout`; for keys of 4 letters or more). Beyond Python.
 * @param key the unknown key as written.
 * @param known the option names the call takes.
 * @returns the known name, or `undefined` when none is close.
 * @example
 * spellingOf('authKey', ['authkey', 'backlog']); // 'authkey'
 * spellingOf('timout', ['timeout']);            // 'timeout'
 * spellingOf('colour', ['authkey', 'backlog']);  // undefined
 */
export function spellingOf(key: string, known: readonly string[]): string | undefined {
  const python = PYTHON_SPELLINGS[key];
  if (python !== undefined && known.includes(python)) return python;
  const fold = (name: string) => name.replace(/[_-]/g, '').toLowerCase();
  const folded = fold(key);
  const same = known.find((name) => fold(name) === folded);
  if (same !== undefined || folded.length < 4) return same;
  // A slip of one letter (`tagret`, `timout`, `deamon`): the one known name it is that close to.
  const near = known.filter((name) => oneSlipApart(folded, fold(name)));
  return near.length === 1 ? near[0] : undefined;
}

/** Whether `a` becomes `b` by one edit: a letter added, dropped, changed, or two neighbours swapped. */
function oneSlipApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // changed
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swapped
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * Throws when `options` has an own key that `known` does not list. Call it with the options object
 * as given; `undefined` and `null` pass (no options: `null` is Python's `None`). Beyond Python
 * (Python's keyword arguments refuse unknown names with `TypeError`).
 * @param options what the caller passed as options.
 * @param known every option name the call takes.
 * @param what the call for the message, such as `'new Listener()'`.
 * @throws {ValidationError} for an unknown key, naming it, the names the call takes, and the right
 *   spelling when it is a case or underscore slip or a Python name; also when `options` is not an
 *   object (a number, a string, an array, a function).
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
  if (typeof options !== 'object' || Array.isArray(options)) throw notAnObject(options, known, what);
  for (const key in options) {
    if (!Object.hasOwn(options, key) || known.includes(key)) continue;
    throw unknownOption(key, known, what);
  }
}

const NO_OPTIONS = Object.freeze({});

/**
 * `options` with every own key whose value is `null` (Python's `None`) left out, so `null` reads as
 * "not given", as `undefined` does: `{ chunksize: null }` is `{}`, as Python's `chunksize=None` is
 * the default. Every options object in multiproc is read through it. Returns `options` itself when
 * no key holds `null` (no allocation on the usual path). Beyond Python.
 * @param options an options object, or `undefined`/`null` (returned as given).
 * @param keep keys whose `null` means something of its own, kept as given (a timeout's `null`:
 *   no limit, where leaving it out means a default wait).
 * @returns `options`, or a shallow copy of it without its `null` keys.
 * @example
 * import { omitNullOptions } from '@multiproc/shared';
 * console.log(omitNullOptions({ chunksize: null, timeout: 5 })); // { timeout: 5 }
 * console.log(omitNullOptions({ idleTimeout: null }, ['idleTimeout'])); // { idleTimeout: null }
 */
export function omitNullOptions<T>(options: T, keep: readonly string[] = []): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] !== null || keep.includes(key)) continue;
    if (copy === undefined) copy = { ...(options as Record<string, unknown>) };
    delete copy[key];
  }
  return (copy ?? options) as T;
}

/**
 * Checks an options argument as {@link checkOptionKeys} does and returns it, with `undefined` and
 * `null` (Python's `None`) read as no options: an empty object, and an option set to `null` read as
 * not given ({@link omitNullOptions}). Beyond Python.
 * @param options what the caller passed as options.
 * @param known every option name the call takes.
 * @param what the call for the message, such as `'new Queue()'`.
 * @returns `options` without its `null` options, or a frozen empty object for `undefined`/`null`.
 * @throws {ValidationError} when `options` is not an object, or has a key `known` does not list.
 * @example
 * const { maxsize = 0 } = readOptions<{ maxsize?: number }>(null, ['maxsize'], 'new Queue()'); // 0
 */
export function readOptions<T extends object>(
  options: T | null | undefined,
  known: readonly string[],
  what: string,
): WithoutNulls<T> {
  checkOptionKeys(options, known, what);
  return (omitNullOptions(options) ?? NO_OPTIONS) as WithoutNulls<T>;
}

/**
 * An options type with `null` taken out of each option's type: what {@link readOptions} returns.
 * Beyond Python.
 * @example
 * import type { WithoutNulls } from '@multiproc/shared';
 * type Read = WithoutNulls<{ maxsize?: number | null }>; // { maxsize?: number }
 */
export type WithoutNulls<T> = { [K in keyof T]: Exclude<T[K], null> };

/**
 * The error for an options argument that is not an object (`new Queue(5)`).
 * @param options what was passed.
 * @param known every option name the call takes.
 * @param what the call, such as `'new Queue()'`.
 * @returns a `ValidationError` to throw.
 * @example
 * import { notAnObject } from '@multiproc/shared';
 * console.log(notAnObject(5, ['maxsize'], 'new Queue()').message);
 * // prints: new Queue(): options are an object (it takes { maxsize }); got the number 5.
 */
export function notAnObject(options: unknown, known: readonly string[], what: string): ValidationError {
  const takes = known.length === 0 ? 'it takes none' : `it takes { ${known.join(', ')} }`;
  return new ValidationError(`${what}: options are an object (${takes}); got ${describeValue(options)}.`);
}

/**
 * A word with its indefinite article, as messages name a class or type: `a Lock`, `an Event`,
 * `an RLock` and `an HTTPError` (an initialism is read letter by letter), `a URL`, `a Uint8Array`,
 * `an object`. Beyond Python.
 * @param word a class name, or a `typeof` answer.
 * @returns `a word` or `an word`.
 * @example
 * withArticle('RLock'); // "an RLock"
 */
export function withArticle(word: string): string {
  const first = word.charAt(0);
  let an: boolean;
  if (/^[A-Z][A-Z0-9]/.test(word))
    an = 'AEFHILMNORSX'.includes(first); // RLock: "ar-lock"
  else if (/^uni|^uint|^use/i.test(word))
    an = false; // Uint8Array: "you-int"
  else an = /^[aeiou]/i.test(first);
  return `${an ? 'an' : 'a'} ${word}`;
}

/**
 * A value as an error message shows it, with its type: `the number 5`, `the string '2'`, `null`,
 * `undefined`, `an array [1,2]`, `an object {"a":1}` (its JSON text cut at 40 characters), an
 * instance by its class (`a Set`, `a Float64Array`), `a function (f)`. Beyond Python.
 * @param value any value.
 * @returns a short phrase.
 * @example
 * describeValue('2'); // "the string '2'"
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `the string '${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
    case 'number':
    case 'boolean':
      return `the ${typeof value} ${String(value)}`;
    case 'bigint':
      return `the bigint ${value}n`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return value.name ? `a function (${value.name})` : 'a function';
    case 'symbol':
      return `a symbol (${String(value)})`;
    default:
      return describeObject(value as object | null);
  }
}

/** An object as {@link describeValue} shows it: `null`, `an array [1,2]`, `a Set`, `an object {"a":1}`. */
function describeObject(value: object | null): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array ${shortJson(value)}`.trimEnd();
  let name: unknown;
  try {
    name = Object.getPrototypeOf(value)?.constructor?.name;
  } catch {
    // A Proxy whose trap throws: shown as an object.
  }
  if (typeof name === 'string' && name !== '' && name !== 'Object') return withArticle(name);
  return `an object ${shortJson(value)}`.trimEnd();
}

/** The JSON text of `value` cut at 40 characters, or nothing when it has none (a cycle, a throwing getter). */
function shortJson(value: object): string {
  let text: string | undefined;
  try {
    // What JSON would drop or refuse is shown as a message names it: [f] is not [null].
    text = JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'function'
        ? `<function ${item.name}>`.replace(' >', '>')
        : typeof item === 'bigint'
          ? `${item}n`
          : item === undefined
            ? '<undefined>'
            : item,
    );
  } catch {
    return '';
  }
  if (text === undefined) return '';
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
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
