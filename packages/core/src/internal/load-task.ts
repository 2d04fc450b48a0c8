/**
 * Worker side: imports a task's module and finds the function it registered. Runs inside every
 * worker and child this library starts.
 *
 * TypeScript task modules: a worker thread does not inherit a parent's tsx loader (see the
 * architecture notes), so when the module is `.ts`/`.mts`/`.cts` and no loader is active, tsx is
 * registered here. It is looked for where the running tsx came from first (its loader path is in
 * `process.execArgv`: `npx tsx` runs it from npx's cache, not from the project), then from the task
 * module, the main script, the working directory and this package (tsx is an optional peer).
 * Deno and Bun load TypeScript themselves: tsx is never registered there. Under another loader
 * (`--loader ts-node/esm`), the module is imported as it is first, as its hooks may load it; tsx is
 * registered only if Node then refuses the extension (and can import it again: Node 22 and later).
 * A program whose main file runs on Node's own type stripping has its modules imported as Node
 * imports them, without tsx (`type-stripping.ts`).
 */
import { ProcessError, registerDecodeLoader } from '@multiproc/shared';
import {
  forgetModule,
  hasModule,
  lookupTask,
  TASK_REF_TYPE,
  type TaskFunction,
  takeUnloadedRefModules,
} from '../task.js';
import { isBootstrapError, whileImporting } from './bootstrap.js';
import { adoptProgramMain } from './program-main.js';
import { workingDir } from './start-dir.js';
import { siteSuffix, syntaxErrorSite } from './syntax-site.js';
import {
  nodeStripsTypes,
  otherLoader,
  programStripsTypes,
  TS_EXTENSION,
  TSX_FLAG,
} from './type-stripping.js';

const LOADER_KEY = Symbol.for('multiproc.tsLoader');

// Deno and Bun run TypeScript themselves. Registering tsx there would put its CommonJS hook in front
// of their own loaders (on Deno it then broke every module the first-use code `require()`s).
function runsTypeScriptNatively(): boolean {
  return 'Deno' in globalThis || typeof process.versions.bun === 'string';
}

function loaderAlreadyActive(): boolean {
  if ((globalThis as any)[LOADER_KEY] || runsTypeScriptNatively()) return true;
  // The program runs on Node's own type stripping: the module is loaded as Node loaded it there.
  if (programStripsTypes() && nodeStripsTypes()) return true;
  // A child process forked from a parent running under tsx inherits its --import/--require flags
  // and loads them; a worker thread sees the same execArgv but may not run them (Node 20).
  // node:worker_threads is read here, not imported: a child process does not load it (issue #18).
  const { isMainThread } = process.getBuiltinModule('node:worker_threads');
  return isMainThread && process.execArgv.some((arg) => TSX_FLAG.test(arg));
}

// Node 20 keeps a module's failed load: an import() of the same URL after registering tsx fails again.
const RETRIES_LOAD = Number(process.versions.node.split('.')[0]) >= 22;

// The tsx package directory inside a loader path such as `.../node_modules/tsx/dist/loader.mjs`.
const TSX_DIR = /^(.*[/\\]node_modules[/\\]tsx)[/\\]/;

/** Where to resolve `tsx/package.json` from, best first. */
function tsxSearchBases(moduleUrl: string): string[] {
  // Node's modules are read here, not imported: only a TypeScript task needs them, and an ES import
  // of `node:fs` in every worker loads Node's stream modules with it (issue #18).
  const { join } = process.getBuiltinModule('node:path');
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  const running = process.execArgv
    .map((arg) => (arg.startsWith('file:') ? fileURLToPath(arg) : arg))
    .map((arg) => TSX_DIR.exec(arg)?.[1])
    .filter((dir): dir is string => dir !== undefined)
    .map((dir) => join(dir, 'package.json'));
  const main = process.argv[1] ? [process.argv[1]] : [];
  const cwd = workingDir(); // undefined once removed
  const here = cwd === undefined ? [] : [join(cwd, 'package.json')];
  return [...running, moduleUrl, ...main, ...here, import.meta.url];
}

function resolveTsx(moduleUrl: string): string | undefined {
  for (const base of tsxSearchBases(moduleUrl)) {
    try {
      return process.getBuiltinModule('node:module').createRequire(base).resolve('tsx/package.json');
    } catch {}
  }
  return undefined;
}

async function registerTsx(moduleUrl: string): Promise<void> {
  const pkgPath = resolveTsx(moduleUrl);
  if (pkgPath) {
    const { dirname, join } = process.getBuiltinModule('node:path');
    const { pathToFileURL } = process.getBuiltinModule('node:url');
    const pkg = JSON.parse(process.getBuiltinModule('node:fs').readFileSync(pkgPath, 'utf8'));
    const entry = (sub: string): string => {
      const target = pkg.exports[sub].import;
      return pathToFileURL(join(dirname(pkgPath), typeof target === 'string' ? target : target.default)).href;
    };
    // Both hooks: on Node 20 a .ts file in a CommonJS package scope goes through the CJS loader.
    const [esm, cjs] = await Promise.all([
      import(/* webpackIgnore: true */ entry('./esm/api')),
      import(/* webpackIgnore: true */ entry('./cjs/api')),
    ]);
    esm.register();
    cjs.register();
    (globalThis as any)[LOADER_KEY] = true;
    return;
  }
  if (!nodeStripsTypes()) {
    throw new ProcessError(
      `Cannot load the TypeScript task module ${moduleUrl} in a worker: Node ${process.version} does not ` +
        "run TypeScript by itself and 'tsx' was not found. Install it in your project (npm i -D tsx), " +
        'run Node 22.18+ or 24 (they strip types themselves), or run compiled JavaScript. (ts-node and ' +
        'other loaders do not reach the workers: use tsx.)',
    );
  }
}

// Node 20 runs a CommonJS module that a loader hook hands it (tsx's `.cts`) with the ES loader's own
// `require`, which cannot require an ES module: the task module's `require('@multiproc/core')`
// failed ("Cannot read properties of undefined (reading 'exports')", or "request for
// '@multiproc/shared' is not in cache"). Node's CommonJS loader can (require(esm), 20.19+), and tsx's
// CommonJS hook, registered with its ES one, compiles the file there. Node 22 and later import it.
const REQUIRES_CTS = Number(process.versions.node.split('.')[0]) < 22;

function importModule(moduleUrl: string): Promise<unknown> {
  if (REQUIRES_CTS && new URL(moduleUrl).pathname.endsWith('.cts')) {
    const { createRequire } = process.getBuiltinModule('node:module');
    const { fileURLToPath } = process.getBuiltinModule('node:url');
    const file = fileURLToPath(moduleUrl);
    return whileImporting(moduleUrl, async () => createRequire(file)(file));
  }
  // A bundler must leave this import to Node: the task module is a file known only at run time.
  return whileImporting(moduleUrl, () => import(/* webpackIgnore: true */ /* @vite-ignore */ moduleUrl));
}

/** A `.ts` module with no TypeScript loader known to be active here. */
async function importTypeScript(moduleUrl: string): Promise<void> {
  const loader = otherLoader();
  if (loader === undefined) {
    await registerTsx(moduleUrl);
    await importModule(moduleUrl);
    return;
  }
  try {
    await importModule(moduleUrl);
    return;
  } catch (err) {
    if ((err as { code?: unknown })?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    if (!RETRIES_LOAD) {
      throw new ProcessError(
        `Cannot load the TypeScript task module ${moduleUrl} in a worker: the program's loader ` +
          `'${loader}' does not reach it there (ts-node's does not). Run the program with tsx ` +
          '(node --import tsx, or npx tsx), or run compiled JavaScript.',
        { cause: err },
      );
    }
  }
  await registerTsx(moduleUrl);
  await importModule(moduleUrl);
}

// `x.test.ts`, `x.spec.mjs`, `__tests__/x.js`: where test runners look for tests.
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|\/__tests__\//;
// What vitest, Jest and Mocha throw when a test file is imported outside their run.
const TEST_RUNNER_ERROR = /vitest|jest|\b(describe|it|test|expect|beforeEach|afterEach) is not defined/i;
const OWN_MODULE =
  'Define the tasks in a module of their own (tasks.mjs, with defineTasks(import.meta.url, ...)) ' +
  'and import it from the test; see "Testing code that uses multiproc" in the guide.';

// Node ran an ES module as CommonJS: its package.json says "type": "commonjs" (as `npm init -y`
// writes), so a .ts or .js file is CommonJS whatever its syntax.
const CJS_SYNTAX_ERROR = /Cannot use import statement outside a module|Unexpected token 'export'/;
const AS_COMMONJS =
  'Node loaded it as CommonJS, as the nearest package.json says ("type": "commonjs", as npm init -y ' +
  'writes): name it .mts (or .mjs), or set "type": "module" in that package.json.';
// A TypeScript module written with `import` in such a package runs where something compiled it to
// CommonJS first: ts-jest, babel-jest or another runner's hook in the main thread, which no worker
// has. tsx does that in the workers (registered here when found); Node's own type stripping does not.
const TSX_COMPILES =
  ' A TypeScript file that a test runner (ts-jest, babel-jest) compiles in the main thread is not ' +
  'compiled in the workers: install tsx (npm i -D tsx), and the workers load it with tsx.';

// Node's message for a module it cannot find names its importer: for the task module itself, that
// is this library's worker entry, which tells the user nothing.
const NOT_FOUND = /^Cannot find module '([^']+)'/;

/**
 * What to say when the module Node could not find is the task module itself (a path given to
 * `defineTasks()` that names no file); `undefined` for any other failure (a module it imports
 * that is missing keeps Node's message, which names the task module as its importer).
 */
function notFound(moduleUrl: string, message: string): string | undefined {
  const missing = NOT_FOUND.exec(message)?.[1];
  if (missing === undefined) return undefined;
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  const own = fileURLToPath(moduleUrl);
  if (missing !== own && missing !== moduleUrl) return undefined;
  return (
    `there is no file ${own}. defineTasks() takes the URL of the module that calls it: write ` +
    'defineTasks(import.meta.url, ...) in that module (__filename in CommonJS), and keep the file ' +
    'in place while workers may start.'
  );
}

/** A TypeScript module that no tsx compiled here: its import syntax met Node's CommonJS loader. */
function tsxWouldCompile(moduleUrl: string): boolean {
  return TS_EXTENSION.test(new URL(moduleUrl).pathname) && !(globalThis as any)[LOADER_KEY];
}

const loading = new Map<string, Promise<void>>();

/** Imports `moduleUrl` once per realm. */
export function importTaskModule(moduleUrl: string): Promise<void> {
  let done = loading.get(moduleUrl);
  if (!done) {
    done = (async () => {
      if (hasModule(moduleUrl)) return;
      // Only files: a worker never evaluates code given inline (data:, blob:) or fetched.
      if (!moduleUrl.startsWith('file:')) {
        throw new ProcessError(
          `Refusing to import the task module ${moduleUrl.slice(0, 80)}: task modules must be files.`,
        );
      }
      // Its import would run its tests in the worker (node:test), or fail outside the runner.
      if (TEST_FILE.test(new URL(moduleUrl).pathname)) {
        throw new ProcessError(
          `Refusing to import the task module ${moduleUrl} in a worker: it is a test file, and a worker ` +
            `that imports it runs its tests again. ${OWN_MODULE}`,
        );
      }
      // `process.argv[1]` and `require.main` are the program's before the task module's top level runs.
      adoptProgramMain();
      try {
        if (TS_EXTENSION.test(new URL(moduleUrl).pathname) && !loaderAlreadyActive())
          await importTypeScript(moduleUrl);
        else await importModule(moduleUrl);
      } catch (err) {
        if (isBootstrapError(err) || err instanceof ProcessError) throw err;
        const message = (err as Error)?.message ?? String(err);
        const missing = notFound(moduleUrl, message);
        if (missing !== undefined)
          throw new ProcessError(`Cannot import the task module ${moduleUrl}: ${missing}`, { cause: err });
        const hint = TEST_RUNNER_ERROR.test(message)
          ? ` The module uses a test runner: ${OWN_MODULE}`
          : CJS_SYNTAX_ERROR.test(message)
            ? `${/[.!?]$/.test(message) ? '' : '.'} ${AS_COMMONJS}${tsxWouldCompile(moduleUrl) ? TSX_COMPILES : ''}`
            : '';
        // A caught import()'s SyntaxError names no file: find it (this failure path only).
        const site = await syntaxErrorSite(moduleUrl, err);
        const where = site ? siteSuffix(site) : '';
        const excerpt = site?.excerpt ? `\n${site.excerpt}` : '';
        throw new ProcessError(
          `Cannot import the task module ${moduleUrl}: ${message}${where}${hint}${excerpt}`,
          {
            cause: err,
          },
        );
      }
    })();
    loading.set(moduleUrl, done);
    done.catch((err) => {
      // The tasks a failed module registered before the line that threw are forgotten: no task of
      // a half-evaluated module runs (Python's unpickling re-imports and fails again). A module
      // that started workers at its top level stays failed; any other failure is retried by the
      // next call, whose import() rethrows the error Node keeps for a module that threw.
      forgetModule(moduleUrl);
      if (!isBootstrapError(err)) loading.delete(moduleUrl);
    });
  }
  return done;
}

// A task reference received by a get() or recv() that can wait, or as a pool call's result, has its
// module imported so before the receive resolves (task.ts's decoder reports it; shared's
// decode-loads.ts runs this). Replaces the lazy loader task.ts registers for the host.
registerDecodeLoader(TASK_REF_TYPE, importTaskModule);

/** Imports the module and returns the task function, or throws a `ProcessError` naming both. */
export async function loadTask(moduleUrl: string, taskName: string): Promise<TaskFunction> {
  const cached = lookupTask(moduleUrl, taskName);
  if (cached) return cached;
  await importTaskModule(moduleUrl);
  const fn = lookupTask(moduleUrl, taskName);
  if (!fn) {
    // The usual cause: the call sits in the `if (isMain())` block, or in a function, which a
    // worker's import of the module never runs. A CommonJS module has no import.meta.url.
    const url = /\.c[jt]s$/.test(moduleUrl) ? '__filename' : 'import.meta.url';
    throw new ProcessError(
      `Task '${taskName}' is not defined by ${moduleUrl}: it must be passed to defineTasks(${url}, { ${taskName} }) ` +
        "at the module's top level, outside `if (isMain())` and any function: a worker imports the module, " +
        'where isMain() is false, and finds the task only if that import defines it.',
    );
  }
  return fn;
}

/** The tasks of `specs` this realm has not loaded (their module was not imported here yet). */
export function unloadedTasks<T extends { module: string; taskName: string }>(specs: readonly T[]): T[] {
  return specs.filter((spec) => !lookupTask(spec.module, spec.taskName));
}

/**
 * Imports, one after another, the modules of a batch's tasks that this realm has not loaded
 * (`starting(i)` first, `i` the index in `specs` of a task of the module), before the worker claims
 * (tells the host it starts) the batch's first job: a worker that dies while one loads (killed from
 * outside, out of memory, a module that exits) has then started none of them, so the host sends
 * them again (bounded by `MAX_UNSTARTED_DEATHS`) instead of failing the first as if it ran. A
 * module that fails to import is left to the job's own `loadTask`, which answers its call with the
 * error. `undefined` when every module is loaded.
 */
export function preloadTasks(
  specs: readonly { module: string; taskName: string }[],
  starting: (task: number) => void | Promise<void> = () => {},
): Promise<void> | undefined {
  if (unloadedTasks(specs).length === 0) return undefined;
  return (async () => {
    const imported = new Set<string>();
    for (const [i, spec] of specs.entries()) {
      if (imported.has(spec.module) || lookupTask(spec.module, spec.taskName)) continue;
      imported.add(spec.module);
      await starting(i);
      await importTaskModule(spec.module).catch(() => {});
    }
  })();
}

/**
 * Imports the modules of the task references just decoded here that this realm has not loaded, as
 * Python's unpickling imports a function's module: a task given another module's `TaskRef` (or a
 * `Process` target given one) can call it. Called right after a task's arguments were decoded;
 * `undefined` when there is nothing to import, so a call's hot path stays synchronous.
 * @throws {ProcessError} (rejects) when such a module cannot be imported, as for a task's own module.
 */
export function importRefModules(): Promise<void> | undefined {
  const modules = takeUnloadedRefModules();
  if (!modules) return undefined;
  return Promise.all(modules.map(importTaskModule)).then(() => {});
}

/**
 * Calls `fn(...args)` once the modules of the task references decoded with `args` are imported
 * ({@link importRefModules}): synchronously when there are none, else through a Promise.
 */
export function callAfterRefs(fn: TaskFunction, args: readonly unknown[]): unknown {
  const loading = importRefModules();
  return loading ? loading.then(() => fn(...args)) : fn(...args);
}
