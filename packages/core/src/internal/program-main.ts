/**
 * The program's main script, as its workers see it. Python's spawn gives a child the parent's
 * `sys.argv` and makes `sys.modules['__main__']` the main module it imports again (as
 * `__mp_main__`, so `if __name__ == '__main__'` stays false there). Node starts a worker with its
 * own script (the worker entry) as `process.argv[1]`, and a worker has no `require.main`: a task
 * module that registers its tasks with `defineTasks(process.argv[1], ...)` or
 * `defineTasks(require.main.filename, ...)` named the worker entry in the worker ("Task 'x' is not
 * defined by ...") or threw "Cannot read properties of undefined (reading 'filename')".
 *
 * The host says what its main script and CommonJS main module are in the worker's environment
 * ({@link MAIN_SCRIPT_ENV}, {@link MAIN_MODULE_ENV}). A worker keeps its own `process.argv[1]` (the
 * worker entry): JavaScript's main-module guard of an ES module is `import.meta.url ===
 * pathToFileURL(process.argv[1]).href` (es-main, Node's docs), which the program's script there
 * would make true in every worker, running the program's main code again (Python's child keeps
 * `__name__ == '__mp_main__'` for that). Instead `defineTasks()` given the worker's
 * `process.argv[1]` takes it as the program's script (`program-script.ts`). Before its first
 * task module, a worker makes `require.main` (Node's `process.mainModule`, which every CommonJS
 * module's `require.main` is taken from) a stand-in module for the program's main file, with its
 * `filename`, `path` and `require`. The stand-in is not the module the worker imports, so
 * `require.main === module` stays false in a worker, as `__name__ == '__main__'` does in Python's child.
 */
import { getWorkerIdentity } from '../identity.js';

/** The program's main script (`process.argv[1]`) in a worker's environment. */
export const MAIN_SCRIPT_ENV = 'MULTIPROC_MAIN_SCRIPT';
/** The program's CommonJS main module's file (`require.main.filename`), when it has one. */
export const MAIN_MODULE_ENV = 'MULTIPROC_MAIN_MODULE';

// On globalThis: the worker entries carry their own copies of this module.
const ADOPTED_KEY = Symbol.for('multiproc.programMainAdopted');

interface ProgramMain {
  readonly script: string | undefined;
  readonly module: string | undefined;
}

/** This realm's main script and CommonJS main module file, adopted first in a worker of ours. */
export function programMain(): ProgramMain {
  adoptProgramMain();
  const main = (process as { mainModule?: { filename?: unknown } }).mainModule;
  return {
    script: getWorkerIdentity() === undefined ? process.argv[1] : process.env[MAIN_SCRIPT_ENV],
    module: typeof main?.filename === 'string' ? main.filename : undefined,
  };
}

/** `env` saying this program's main to a worker (see the module comment); `env` when it says so already. */
export function withProgramMain<T extends Record<string, string | undefined>>(env: T): T {
  const { script, module } = programMain();
  if (env[MAIN_SCRIPT_ENV] === script && env[MAIN_MODULE_ENV] === module) return env;
  const out: Record<string, string | undefined> = { ...env };
  for (const [key, value] of [
    [MAIN_SCRIPT_ENV, script],
    [MAIN_MODULE_ENV, module],
  ] as const) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as T;
}

/**
 * In a worker of ours, makes `require.main` the program's (see the module comment); once per realm,
 * before the first task module is imported. Does nothing elsewhere.
 */
export function adoptProgramMain(): void {
  const realm = globalThis as { [ADOPTED_KEY]?: boolean };
  if (realm[ADOPTED_KEY] || getWorkerIdentity() === undefined) return;
  realm[ADOPTED_KEY] = true;
  const file = process.env[MAIN_MODULE_ENV];
  const proc = process as { mainModule?: unknown };
  if (file && proc.mainModule === undefined) proc.mainModule = standIn(file);
}

/** A CommonJS module object for `file`, not loaded: its `filename`, `path`, `paths` and `require` work. */
function standIn(file: string): object {
  const { Module } = process.getBuiltinModule('node:module') as unknown as {
    Module: (new (
      id: string,
      parent?: unknown,
    ) => Record<string, unknown>) & {
      _nodeModulePaths?: (dir: string) => string[];
    };
  };
  const { dirname } = process.getBuiltinModule('node:path');
  const main = new Module('.', null);
  main.filename = file;
  main.path = dirname(file);
  main.paths = Module._nodeModulePaths?.(dirname(file)) ?? [];
  return main;
}
