/**
 * Task references: how a function crosses a worker boundary. Python pickles a function by its
 * module and name; multiproc does the same explicitly, with `defineTasks(import.meta.url, {...})`.
 */
import {
  describeValue,
  type EncodeContext,
  type Encoded,
  encodeSymbol,
  registerCodec,
  registerDecodeLoader,
  setBarrierActionRunner,
  ValidationError,
} from '@multiproc/shared';
// Recorded at import, before a program can change directory (workers resolve its flags against it).
import './internal/start-dir.js';
import { isMain } from './identity.js';
import { asProgramScript } from './internal/program-script.js';
import { importRefModule } from './internal/ref-loader.js';
import { noteTaskSet } from './internal/task-sets.js';
import { notingMisses } from './task-miss.js';
import {
  callSiteIn,
  checkTaskFunction,
  checkTaskName,
  claimTaskName,
  forgetSites,
  isFunctionFrame,
  refuseCallFromElsewhere,
} from './task-sites.js';

// Node's modules are read when defineTasks() first runs, not imported: an ES import of `node:fs`
// builds its whole namespace, which loads Node's ~20 stream modules (issue #18), and an import of
// the package alone (or a worker's, before its task module) uses none of them.
const node = {
  fs: () => process.getBuiltinModule('node:fs'),
  path: () => process.getBuiltinModule('node:path'),
  url: () => process.getBuiltinModule('node:url'),
};

// Per-realm registry: module URL -> the functions that module defined. A worker imports the module,
// whose top level calls defineTasks() again, which fills this map in the worker's realm.
const TASKS_KEY = Symbol.for('multiproc.tasks');
// Each module's functions live in a null-prototype object, and lookups check own keys only: a name
// such as 'constructor' or 'toString' must never reach Object.prototype's functions.
const tasksByModule: Map<string, Record<string, (...args: any[]) => unknown>> = ((globalThis as any)[
  TASKS_KEY
] ??= new Map());

function registeredTask(module: string, taskName: string): TaskFunction | undefined {
  const fns = tasksByModule.get(module);
  return fns && Object.hasOwn(fns, taskName) ? fns[taskName] : undefined;
}

/** The codec type of a task reference (internal). */
export const TASK_REF_TYPE = 'multiproc.TaskRef';
const BRAND = Symbol.for('multiproc.taskRef');

/** Any function that can be a task. */
export type TaskFunction = (...args: any[]) => unknown;

/**
 * A reference to a function defined with {@link defineTasks}: it can be sent to a worker, and it can
 * still be called right here like the function it names. `Awaited` result types are inferred. A task
 * given one as an argument can call it: its worker imports the reference's module first, as Python's
 * unpickling does; so do `get()`, `recv()`, every pool call's result and a manager proxy's value for
 * one they receive in a worker (a queue's synchronous `getNowait()` cannot wait, nor does the program's
 * main thread import: there, call it once `await import(ref.module)` loaded it).
 */
export type TaskRef<F extends TaskFunction = TaskFunction> = F & {
  /** The URL of the module that defines the function (its `import.meta.url`). */
  readonly module: string;
  /** The function's name within that module's `defineTasks()` call. */
  readonly taskName: string;
  /** @internal Marks a task reference. */
  readonly [BRAND]: true;
};

/** The arguments a task takes. */
export type TaskArgs<T> = T extends (...args: infer A) => unknown ? A : never;
/**
 * The option `K` that carries the arguments of task `F` (`args` of a `Process`, `initargs` of a
 * `Pool`): optional when `F` has no required parameter, required when it has one, as Python raises
 * `TypeError: f() missing 1 required positional argument` for a call without it.
 */
export type ArgsOption<F, K extends string> = [F] extends [never]
  ? { [P in K]?: readonly unknown[] } // a target typed `never` (a cast): nothing to check against
  : [] extends TaskArgs<F>
    ? { [P in K]?: TaskArgList<F> }
    : { [P in K]-?: TaskArgList<F> };
/**
 * An argument list for task `F` as a caller passes it: {@link TaskArgs}, read-only, so an
 * `as const` tuple or a `ReadonlyArray` is accepted too (the library never changes it).
 * @example
 * const pair = [1, 2] as const;
 * console.log(await pool.apply(tasks.add, pair)); // 3
 */
export type TaskArgList<F> = Readonly<TaskArgs<F>>;
/**
 * The parameters of `Pool.apply()`/`applyAsync()` after the task: `args` may be left out only when
 * `F` has no required parameter (Python: `TypeError: f() missing 1 required positional argument`),
 * then the call's options `O`.
 * @example
 * await pool.apply(tasks.square, [3]); // fine: 9
 * // await pool.apply(tasks.square); // a type error: square needs its x
 */
export type ApplyParams<F, O> =
  [] extends TaskArgs<F>
    ? [args?: TaskArgList<F> | null, options?: O | null]
    : [args: TaskArgList<F>, options?: O | null];
/**
 * A task that `Pool.map()`, `mapAsync()`, `imap()` and `imapUnordered()` can call: they pass one
 * argument per item, so it has at most one required parameter. A task with more takes
 * `starmap()` (Python: `map(add, ...)` fails with `TypeError: add() missing 1 required positional
 * argument`).
 * @example
 * await pool.map(tasks.square, [1, 2]); // fine
 * // await pool.map(tasks.add, [1, 2]); // type error: use pool.starmap(tasks.add, [[1, 2]])
 */
export type OneArgTask = (item: any) => unknown;
/** What a task resolves to once awaited. */
export type TaskResult<T> = T extends (...args: any[]) => infer R ? Awaited<R> : never;

/** The refs {@link defineTasks} returns, one per function. */
export type TaskRefs<T extends Record<string, TaskFunction>> = { readonly [K in keyof T]: TaskRef<T[K]> };

function makeRef<F extends TaskFunction>(module: string, taskName: string, fn: F | undefined): TaskRef<F> {
  const ref = function (this: unknown, ...args: unknown[]) {
    const target = fn ?? registeredTask(module, taskName);
    if (!target) {
      throw new TypeError(
        // The module's URL in quotes: the build marks every `import(` followed by a name, strings too.
        `Task '${taskName}' of ${module} is not loaded in this thread: import its module first ` +
          `(await import('${module}')). In a worker, a task reference given to a task as an argument, or ` +
          "received by get(), recv(), a pool call's result, error or onMessage value, or a manager proxy's " +
          "value, is loaded for it; one from a queue's getNowait() (it cannot wait) is not, nor any in the " +
          "program's main thread (which would run that module's isMain() block): import it there yourself.",
      );
    }
    return target.apply(this, args);
  } as unknown as TaskRef<F>;
  Object.defineProperties(ref, {
    name: { value: taskName },
    module: { value: module, enumerable: true },
    taskName: { value: taskName, enumerable: true },
    [BRAND]: { value: true },
    [encodeSymbol]: {
      value: (_ctx: EncodeContext): Encoded => ({ type: TASK_REF_TYPE, data: { module, taskName } }),
    },
  });
  return ref;
}

// Per realm: modules of task references decoded here that this realm has not loaded. Python's
// unpickling imports a function's module; a worker imports these before it calls the task that
// was given them (`importRefModules()` in `internal/load-task.ts`), so a task can call another
// module's TaskRef it received. On globalThis: task.ts is copied into the worker entries.
const UNLOADED_KEY = Symbol.for('multiproc.unloadedRefModules');
const unloadedRefModules: Set<string> = ((globalThis as any)[UNLOADED_KEY] ??= new Set());

registerCodec(TASK_REF_TYPE, (data: { module: string; taskName: string }, ctx) => {
  if (!tasksByModule.has(data.module)) {
    unloadedRefModules.add(data.module);
    // A receive that can wait (`Queue.get()`, `Connection.recv()`, a pool call's result, a manager's
    // answer) imports it before it resolves (shared's decode-loads.ts), with the loader below; not in
    // the program's main thread, where importing it would run its `if (isMain())` block (Python's
    // `__main__` check is per module: it never runs another module's): a worker command that receives
    // the references of a file that is both task module and client would start that client.
    if (!isMain()) ctx.needs?.(TASK_REF_TYPE, data.module);
  }
  return makeRef(data.module, data.taskName, registeredTask(data.module, data.taskName));
});

// The host's loader (a worker's entry registers load-task.ts's own at start, which this one does not
// replace, and so does the pool's code once loaded).
registerDecodeLoader(TASK_REF_TYPE, (module) => importRefModule(module, forgetModule), { ifNone: true });

/**
 * Starts a decode of a task's arguments (internal): only the references decoded from here on count,
 * not one a queue or pipe delivered earlier (its module's import could fail an unrelated call).
 */
export function forgetUnloadedRefModules(): void {
  unloadedRefModules.clear();
}

/**
 * The modules of the task references decoded in this realm since {@link forgetUnloadedRefModules}
 * whose module was not loaded then (internal); `undefined` when there are none.
 */
export function takeUnloadedRefModules(): string[] | undefined {
  if (unloadedRefModules.size === 0) return undefined;
  const modules = [...unloadedRefModules].filter((module) => !tasksByModule.has(module));
  unloadedRefModules.clear();
  return modules.length > 0 ? modules : undefined;
}

/**
 * Registers top-level functions of a module as tasks that workers can run, and returns a typed
 * {@link TaskRef} for each. Python pickles functions by module and name; this is the explicit form.
 * A worker imports `moduleUrl` (its top level runs again there, as under Python's spawn) and calls
 * the named function; async functions are awaited.
 * @param moduleUrl The defining module's `import.meta.url` (a string or a `URL` object); in a
 * CommonJS module, its `__filename` (an absolute path is turned into a `file:` URL) or
 * `pathToFileURL(__filename)`.
 * @param fns The functions, by name.
 * @throws {ValidationError} when `moduleUrl` is neither a `file:` URL nor an absolute path, names a
 * folder (`import.meta.dirname` instead of `import.meta.url`), is the URL of code run with
 * `node -e`/`-p` or from stdin (`file:///…/[eval1]`: no file a worker could import), `fns` is not an object (`null`, a
 * number), a value of `fns` is not a function or is a class (a worker calls a task, without `new`),
 * or another `defineTasks()` call of the same module already gave another function that name (a
 * worker finds a task by module and name, so it could run only one of them; Python refuses to
 * pickle such a function too). Calling it again from the same line (the module evaluated again)
 * may replace the functions.
 * @example
 * export const tasks = defineTasks(import.meta.url, { square: (x: number) => x ** 2 });
 * if (isMain()) {
 *   // only the main program makes the pool: each worker imports this module too
 *   const pool = new Pool();
 *   console.log(await pool.map(tasks.square, [1, 2, 3])); // [1, 4, 9]
 *   pool.close();
 *   await pool.join();
 * }
 * @example
 * // CommonJS
 * const tasks = defineTasks(__filename, { square: (x) => x ** 2 });
 */
export function defineTasks<T extends Record<string, TaskFunction>>(
  moduleUrl: string | URL,
  fns: T,
): TaskRefs<T> {
  const url = taskModuleUrl(moduleUrl);
  if (typeof fns !== 'object' || fns === null || Array.isArray(fns)) {
    throw new ValidationError(
      `defineTasks() takes the functions as an object, got ${describeValue(fns)}. ` +
        'Write defineTasks(import.meta.url, { square, cube }).',
    );
  }
  const registered = Object.assign(Object.create(null), tasksByModule.get(url));
  const refs: Record<string, TaskRef> = {};
  const site = callSiteIn(url);
  // Only a named function's frame can be a wrapper: the usual top-level call skips the check.
  if (isFunctionFrame(site)) refuseCallFromElsewhere(url, site);
  const entries = Object.entries(fns);
  for (const [name, fn] of entries) {
    checkTaskFunction(name, fn);
    checkTaskName(url, name, fn, registered[name], site);
  }
  for (const [name, fn] of entries) {
    claimTaskName(url, name, site);
    registered[name] = fn;
    refs[name] = makeRef(url, name, fn);
  }
  tasksByModule.set(url, registered);
  // A read of a name it lacks is noted for the message of a call given its `undefined` (task-miss.ts).
  const returned = notingMisses(Object.freeze(refs), url) as TaskRefs<T>;
  noteTaskSet(url, refs, returned);
  return returned;
}

/**
 * Whether this worker is importing the task module at `url` now (`internal/bootstrap.ts` keeps the
 * list on `globalThis`, which this copied module reads there). Node resolved that module before
 * running any of it, so it is a file, not a folder.
 */
function isImporting(url: string): boolean {
  const phase = (globalThis as any)[Symbol.for('multiproc.workerPhase')] as
    | { importing?: string[] }
    | undefined;
  return phase?.importing?.includes(url) === true;
}

/** The `file:` URL workers import for `moduleUrl`: given as such, or made from an absolute path. */
function taskModuleUrl(given: unknown): string {
  // Node's own APIs take `string | URL`: a URL object stands for its href.
  const moduleUrl = asProgramScript(given instanceof URL ? given.href : given);
  // A path first: `C:\app\tasks.js` would otherwise pass for a URL with the scheme `c:`.
  // A worker importing that very module needs no look at the disk (issue #18): it is a file.
  if (typeof moduleUrl === 'string' && node.path().isAbsolute(moduleUrl)) {
    const url = node.url().pathToFileURL(moduleUrl).href;
    return isImporting(url) ? url : notDirectory(url, moduleUrl);
  }
  if (typeof moduleUrl === 'string' && moduleUrl.startsWith('file:'))
    return notInline(isImporting(moduleUrl) ? moduleUrl : notDirectory(moduleUrl, moduleUrl));
  // CommonJS code given with -e/-p or on stdin: its __filename is '[eval]' or '[stdin]'.
  if (typeof moduleUrl === 'string' && INLINE_NAME.test(moduleUrl)) throw inlineCodeError(moduleUrl);
  if (typeof moduleUrl === 'object' && moduleUrl !== null && !Array.isArray(moduleUrl)) {
    // `import.meta` and CommonJS's `module` hold the URL or path, under `url` and `filename`.
    const { url, filename, exports } = moduleUrl as { url?: unknown; filename?: unknown; exports?: unknown };
    throw new ValidationError(
      typeof url === 'string' && url.startsWith('file:')
        ? 'defineTasks() got import.meta: pass its url, defineTasks(import.meta.url, { square, cube }).'
        : typeof filename === 'string' && exports !== undefined
          ? 'defineTasks() got a CommonJS module object: pass its file name, defineTasks(__filename, { ... }).'
          : 'defineTasks() got the tasks object first: the URL of the module comes before it. ' +
            'Write defineTasks(import.meta.url, { square, cube }) (in CommonJS: defineTasks(__filename, { ... })).',
    );
  }
  const got = typeof moduleUrl === 'string' ? `'${moduleUrl}'` : describeValue(moduleUrl);
  throw new ValidationError(
    `defineTasks() needs the URL of the module that defines the tasks, got ${got}. ` +
      'In an ES module pass import.meta.url; in CommonJS pass __filename or ' +
      "pathToFileURL(__filename).href (from 'node:url'). In a CommonJS bundle, import.meta.url is " +
      'undefined: use __filename, or bundle as ESM.',
  );
}

// What Node names code given with `-e`/`--eval`, `-p`/`--print` or on stdin: `file:///cwd/[eval1]`.
const INLINE_CODE = /\/\[(eval|stdin)\d*\]$/;
// The `__filename` of such code run as CommonJS (Node's default for `-e`): `[eval]`, `[stdin]`.
const INLINE_NAME = /^\[(eval|stdin)\d*\](-wrapper)?$/;

function inlineCodeError(got: string): ValidationError {
  return new ValidationError(
    `defineTasks() got ${got}, the ${got.startsWith('file:') ? 'URL' : 'name'} of code run with -e/--eval, -p/--print ` +
      'or from stdin: no file holds it, so no worker can import its tasks. Tasks must live in a module ' +
      'file a worker can import: put them (and the code that uses them) in a file and run it with node <file>.',
  );
}

/**
 * Refuses the URL of code given inline: no file holds it, so a worker could not import it, and a
 * child given the same `-e` would run the whole program again (Python's `-c` fails in the child).
 */
function notInline(url: string): string {
  if (
    INLINE_CODE.test(url) &&
    !node.fs().statSync(node.url().fileURLToPath(url), { throwIfNoEntry: false, bigint: true })
  ) {
    throw inlineCodeError(url);
  }
  return url;
}

/**
 * Refuses a folder (`import.meta.dirname`, a slip for `import.meta.filename`): a worker could not
 * import it, and would say so only at the first call.
 */
function notDirectory(url: string, given: string): string {
  let isDirectory = false;
  try {
    const path = node.url().fileURLToPath(url);
    isDirectory = node.fs().statSync(path, { throwIfNoEntry: false, bigint: true })?.isDirectory() === true;
  } catch {
    // Not a path this system can read: the worker's import reports it.
  }
  if (isDirectory) {
    throw new ValidationError(
      `defineTasks() needs the URL of the module that defines the tasks, got the folder '${given}' ` +
        '(import.meta.dirname?). Pass import.meta.url (or import.meta.filename); in CommonJS, __filename.',
    );
  }
  return url;
}

/**
 * Whether `value` is a {@link TaskRef} made by {@link defineTasks}.
 * @example
 * const tasks = defineTasks(import.meta.url, { square: (x: number) => x * x });
 * console.log(isTaskRef(tasks.square), isTaskRef((x: number) => x * x)); // true false
 */
export function isTaskRef(value: unknown): value is TaskRef {
  return typeof value === 'function' && (value as any)[BRAND] === true;
}

/** The function a module registered under `taskName`, in this realm (internal). */
export function lookupTask(module: string, taskName: string): TaskFunction | undefined {
  return registeredTask(module, taskName);
}

/** Drops what a module registered in this realm (internal: its import failed). */
export function forgetModule(module: string): void {
  tasksByModule.delete(module);
  forgetSites(module);
}

/** Whether the module has registered any tasks in this realm (internal). */
export function hasModule(module: string): boolean {
  return tasksByModule.has(module);
}

/**
 * The names of the tasks a module registered in this realm, sorted (internal: what tells two
 * modules of one file name apart across machines); empty when it registered none here.
 */
export function moduleTaskNames(module: string): string[] {
  const fns = tasksByModule.get(module);
  return fns ? Object.keys(fns).sort() : [];
}

// A Barrier shared between threads takes a task reference as its `action`; the last party to
// arrive runs it, in whichever thread that is (the task's module must be loaded there).
setBarrierActionRunner((action) => {
  if (!isTaskRef(action))
    throw new TypeError('A Barrier action sent to another thread must be a task reference.');
  return action();
});
