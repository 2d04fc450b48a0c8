/**
 * Option validation: zod schemas checked at construction, failures thrown as `ValidationError`.
 *
 * zod takes ~70 ms to import, and every worker imports this package (task modules import
 * `defineTasks` from it), so zod is loaded synchronously on the first validation instead of at
 * import time: workers that never construct a Process or Pool never pay for it. Options that a
 * quick check (plain values of the right type, known keys) accepts skip zod altogether, so a
 * program's first Pool or Process does not pay for it either; anything else goes through zod,
 * which gives the error message.
 */
import {
  ContextError,
  describeValue,
  notAnObject,
  omitNullOptions,
  spellingOf,
  unknownOption,
  ValidationError,
} from '@multiproc/shared';
import type * as Z from 'zod';
import { nodePoolOptionHint, taskEntry } from './pool/node-pool-names.js';
import { isTaskRef } from './task.js';

/** The contexts (Python: start methods): worker threads, or child processes. */
export const CONTEXT_NAMES = ['thread', 'process'] as const;
/** A context name. */
export type ContextName = (typeof CONTEXT_NAMES)[number];

type ZodModule = typeof Z;
let zod: ZodModule | undefined;
const load = (): ZodModule => (zod ??= requireZod());

function requireZod(): ZodModule {
  try {
    return process.getBuiltinModule('node:module').createRequire(import.meta.url)('zod') as ZodModule;
  } catch (err) {
    // A bundle has no node_modules to resolve from; there the bare require('zod') below is what the
    // bundler saw and bundled. It comes second: `node -e` defines a global `require` that resolves
    // from the working directory and could load another copy of zod.
    try {
      return require('zod') as ZodModule;
    } catch {
      throw err;
    }
  }
}

/** Builds a schema on first use, with zod loaded then. */
export function lazySchema<T>(build: (z: ZodModule['z']) => Z.ZodType<T>): () => Z.ZodType<T> {
  let schema: Z.ZodType<T> | undefined;
  return () => (schema ??= build(load().z));
}

/** What `getContext()` returns, as far as a `context` option needs it (Python: `Pool(context=ctx)`). */
export interface ContextLike {
  /** The context's name. */
  readonly name: ContextName;
  /** The context's name. Python: `ctx.get_start_method()`. */
  getStartMethod(): ContextName;
}

/** Whether `value` is a context object (from `getContext()`), not its name. */
export function isContextLike(value: unknown): value is ContextLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ContextLike).getStartMethod === 'function' &&
    (CONTEXT_NAMES as readonly unknown[]).includes((value as ContextLike).name)
  );
}

/** The schema of a `context` option: a name, or a context object turned into its name. */
export const contextSchema = (z: ZodModule['z']) =>
  z
    .custom<ContextName | ContextLike>(
      (v) => (CONTEXT_NAMES as readonly unknown[]).includes(v) || isContextLike(v),
      { message: "expected 'thread', 'process' or a context from getContext()" },
    )
    .transform((v): ContextName => (typeof v === 'string' ? v : v.name));

/** The schema of a task reference (`target`, `initializer`, a pool call's task). */
export const taskRefSchema = (z: ZodModule['z']) =>
  z.custom<(...args: any[]) => unknown>((v) => isTaskRef(v), {
    message: 'expected a task reference made by defineTasks(import.meta.url, { ... })',
  });

/** Per option name, a test that is true only for values the schema surely accepts. */
export type QuickCheck = Readonly<Record<string, (value: unknown) => boolean>>;

/** For a {@link QuickCheck}: the option may be missing, or else must pass `test`. */
export const optional =
  (test: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === undefined || test(value);
/** For a {@link QuickCheck}: an integer from `min` to `max`. */
export const intIn =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (value: unknown): boolean =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/** Whether `input` is a plain object whose every own key `quick` knows and accepts. */
function passesQuick(input: unknown, quick: QuickCheck): input is Record<string, unknown> {
  if (typeof input !== 'object' || input === null) return false;
  const proto = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Reflect.ownKeys(input)) {
    if (typeof key !== 'string' || !Object.hasOwn(quick, key)) return false;
  }
  for (const key in quick) if (!quick[key]!((input as Record<string, unknown>)[key])) return false;
  return true;
}

/**
 * Parses `input` with `schema`, or throws a `ValidationError` naming the first bad option, plus
 * the multiproc spelling when the mistake is a Python habit (`new Pool(5)`, `maxtasksperchild`,
 * `context: 'spawn'`). An option set to `null` (Python's `None`) is one not given, but for those
 * in `keepNull`, whose schema reads `null` itself (`idleTimeout: null`: never).
 */
export function parseOptions<T>(
  schema: () => Z.ZodType<T>,
  given: unknown,
  what: string,
  quick?: QuickCheck,
  keepNull?: readonly string[],
): T {
  const input = omitNullOptions(given, keepNull);
  if (quick && passesQuick(input ?? {}, quick)) return { ...(input ?? {}) } as T;
  const s = schema();
  const known = Object.keys((s as { shape?: Record<string, unknown> }).shape ?? {});
  const call = what === 'Pool' || what === 'Process' ? `new ${what}()` : what;
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input))) {
    const error = notAnObject(input, known, call);
    const hint = pythonHint(s, { path: [], code: 'custom' } as never, input, what);
    throw hint ? new ValidationError(`${error.message} ${hint}`) : error;
  }
  const result = s.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    const key = issue.keys[0]!;
    const python = PYTHON_KEYS[key];
    const error = unknownOption(key, known, call);
    const node = what === 'Pool' ? nodePoolOptionHint(key) : '';
    const message = python
      ? `${error.message} In multiproc, '${key}' is spelt ${python}.`
      : node
        ? `${error.message} ${node}`
        : error.message;
    throw new ValidationError(message, { cause: result.error, issues: result.error.issues });
  }
  if (issue.code === 'unrecognized_keys') throw unknownNested(s, issue, call, result.error);
  const name = issue.path.length ? issue.path.join('.') : 'options';
  const hint = pythonHint(s, issue, input, what);
  throw new ValidationError(
    `Invalid option '${name}' for ${what}: ${issue.message}${gotAt(input, issue.path)}.${hint ? ` ${hint}` : ''}`,
    {
      cause: result.error,
      issues: result.error.issues,
    },
  );
}

/**
 * The error for an unknown key of an option that is itself an object (`resourceLimits`): names it
 * with its path, lists the keys that option takes, and the right spelling of a slip, as a top-level
 * unknown key's error does (zod's own message says only "Unrecognized key").
 */
function unknownNested(
  schema: Z.ZodType,
  issue: Z.core.$ZodIssueUnrecognizedKeys,
  call: string,
  cause: Z.ZodError,
): ValidationError {
  const at = issue.path.join('.');
  const key = issue.keys[0]!;
  const known = keysAt(schema, issue.path);
  const right = spellingOf(key, known);
  const takes = known.length === 0 ? `${at} takes no keys` : `${at} takes ${known.join(', ')}`;
  const fix = right === undefined ? '' : ` In multiproc it is spelt ${at}.${right}.`;
  const node = NODE_NESTED_KEYS[`${at}.${key}`] ?? '';
  return new ValidationError(
    `Unknown option '${at}.${key}' for ${call}: ${takes}.${fix}${node ? ` ${node}` : ''}`,
    { cause, issues: cause.issues },
  );
}

/** Keys of Node's own options that multiproc's nested options do not take. */
const NODE_NESTED_KEYS: Readonly<Record<string, string>> = {
  'resourceLimits.codeRangeSizeMb':
    "codeRangeSizeMb is a key of Node's Worker resourceLimits that multiproc's Pool does not take.",
};

/** The keys the object schema at `path` inside `schema` takes (through optional and nullable). */
function keysAt(schema: Z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: unknown = schema;
  for (const key of [...path, null]) {
    // Unwrap .optional(), .nullable(), .default() and pipes to the object inside.
    for (let i = 0; i < 8 && at && !(at as { shape?: unknown }).shape; i++) {
      const def = (at as { _zod?: { def?: { innerType?: unknown; in?: unknown } } })._zod?.def;
      at = def?.innerType ?? def?.in;
    }
    const shape = (at as { shape?: Record<PropertyKey, unknown> } | undefined)?.shape;
    if (!shape) return [];
    if (key === null) return Object.keys(shape);
    at = shape[key];
  }
  return [];
}

/** `, got <the value at path>` for a message, or nothing when it cannot be read (a throwing getter). */
function gotAt(input: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  try {
    const value = path.reduce<unknown>(
      (at, key) => (at as Record<PropertyKey, unknown> | null)?.[key],
      input,
    );
    return `; got ${describeValue(value)}`;
  } catch {
    return '';
  }
}

/** Python's start methods: each is a child process, the 'process' context here. */
export const PYTHON_START_METHODS: readonly string[] = ['spawn', 'fork', 'forkserver'];

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

/** Python's option names that are spelt differently here (the rest only change case). */
// (maxtasksperchild, error_callback and daemonic are shared's spellingOf's own Python names.)
const PYTHON_KEYS: Readonly<Record<string, string>> = {
  kwargs: "args (tasks take positional arguments: put them in 'args')",
  start_method: "context ('thread' or 'process')",
};

function pythonHint(schema: Z.ZodType, issue: Z.core.$ZodIssue, input: unknown, what: string): string {
  if (issue.path.length === 0 && typeof input === 'number' && what === 'Pool') {
    return `For ${input} workers write new Pool({ processes: ${input} }).`;
  }
  if (issue.path.length === 0 && typeof input === 'function' && what === 'Process') {
    return 'Write new Process({ target: tasks.name, args: [...] }).';
  }
  const key = issue.path.at(-1);
  if ((key === 'target' || key === 'initializer') && issue.path.length === 1) {
    const hint = taskOptionHint(key, optionAt(input, issue.path));
    if (hint) return hint;
  }
  if (
    issue.path.at(-1) === 'context' &&
    PYTHON_START_METHODS.includes(optionAt(input, issue.path) as string)
  ) {
    return `Python's start method '${optionAt(input, issue.path)}' is multiproc's 'process' context (a child process); 'thread' runs in a worker thread.`;
  }
  if (issue.code === 'unrecognized_keys') {
    const shape = (schema as { shape?: Record<string, unknown> }).shape ?? {};
    const names = issue.keys.map((key) => PYTHON_KEYS[key] ?? spellingOf(key, Object.keys(shape)));
    const fixes = issue.keys.map((key, i) => (names[i] ? `'${key}' is spelt ${names[i]}` : undefined));
    if (fixes.some(Boolean)) return `In multiproc, ${fixes.filter(Boolean).join('; ')}.`;
  }
  return typeof key === 'string' && Object.hasOwn(OPTION_HINTS, key) ? OPTION_HINTS[key]! : '';
}

/**
 * What to write for a `target` or `initializer` that is not a task reference: a plain function
 * (Python pickles one by module and name; a worker here cannot receive it), a task's name, or the
 * whole object `defineTasks()` returned.
 */
function taskOptionHint(key: 'target' | 'initializer', value: unknown): string {
  const shape = (ref: string) =>
    key === 'target'
      ? `new Process({ target: ${ref}, args: [...] })`
      : `new Pool({ initializer: ${ref}, initargs: [...] })`;
  if (typeof value === 'function') {
    const name = /^[A-Za-z_$][\w$]*$/.test(value.name) ? value.name : 'work';
    return (
      'A worker cannot receive a function (Python pickles it by module and name): define it at the top ' +
      `level of a module, export const tasks = defineTasks(import.meta.url, { ${taskEntry(name)} }), and write ${shape(`tasks.${name}`)}.`
    );
  }
  if (typeof value === 'string' && /^[A-Za-z_$][\w$]*$/.test(value)) {
    return `A task is passed by reference, not by name: write ${shape(`tasks.${value}`)}.`;
  }
  if (typeof value === 'object' && value !== null) {
    const refs = Object.entries(value).filter(([, v]) => isTaskRef(v));
    if (refs.length > 0 && refs.length === Object.keys(value).length) {
      return `That is the object defineTasks() returned: pass one of its tasks, ${shape(`tasks.${refs[0]![0]}`)}.`;
    }
  }
  return '';
}

/** What to write, for the options people most often get wrong (the zod issue says what was wrong). */
const OPTION_HINTS: Readonly<Record<string, string>> = {
  processes: 'Give the number of workers, a whole number from 1 to 4096, or leave it out for cpuCount().',
  args: "Give the arguments as an array, even for one: args: [x] (Python's args=(x,)).",
  initargs: "Give the initializer's arguments as an array, even for one: initargs: [x].",
  maxTasksPerChild: 'Give a whole number of tasks of 1 or more, or null for no limit.',
  name: "Give a string, such as name: 'worker-1'.",
  daemon: 'Give true or false.',
};

function optionAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[key];
  return v;
}
