/**
 * Runs inside a worker of the local pool (never in the worker command's main thread, so a task
 * module's `if (isMain())` block stays asleep, as under Python's spawn): imports a task module and
 * returns the task references it exports, which travel back to the main thread as references,
 * with the names of the tasks each of their modules defines. The import is this worker's
 * bootstrapping phase, as when a task's module is imported to run it: a module that creates a pool
 * at its top level (no `isMain()` guard) is refused with `ContextError`.
 *
 * The module is imported the way the local pool's workers import theirs (core's
 * `importTaskModule`): a TypeScript module loads through the running tsx, else a tsx found from
 * the module's project or beside this package, else Node's own type stripping (Node 22.18+, 24).
 */
import { defineTasks, isMain, isTaskRef, type TaskRef } from '@multiproc/core';
import { importTaskModule, moduleTaskNames, taskSetOf, whileImporting } from '@multiproc/core/internal';

/** What a task module gives a worker: its exported task references, and each one's module's task names. */
export interface ModuleTasks {
  readonly refs: TaskRef[];
  /** module URL -> the names of the tasks it defines (sorted). */
  readonly names: Record<string, string[]>;
  /**
   * For each of `refs`, the names of the tasks its own `defineTasks()` call defined (sorted), or
   * null when not known: what tells apart two task modules bundled into one file (one URL).
   */
  readonly sets: (readonly string[] | null)[];
}

async function describeModule(moduleUrl: string): Promise<ModuleTasks> {
  // The first import runs the module's top level: under the import guard.
  await whileImporting(moduleUrl, () => importTaskModule(moduleUrl));
  const namespace: Record<string, unknown> = await import(moduleUrl);
  const found = new Set<TaskRef>();
  const visit = (value: unknown) => {
    if (isTaskRef(value)) found.add(value);
  };
  const scan = (exports: object) => {
    for (const value of Object.values(exports)) {
      visit(value);
      // `export const tasks = defineTasks(...)`: the refs one level down.
      if (value && typeof value === 'object') for (const inner of Object.values(value)) visit(inner);
    }
  };
  scan(namespace);
  // A module loaded as CommonJS (a .ts file in a "type": "commonjs" package under tsx on Node 20,
  // a .cjs file) has the namespace `{ default: module.exports }`: its exports are one level down.
  const cjs = namespace.default;
  if (cjs && typeof cjs === 'object' && !isTaskRef(cjs)) scan(cjs);
  const names: Record<string, string[]> = {};
  for (const ref of found) names[ref.module] ??= moduleTaskNames(ref.module);
  const refs = [...found];
  return { refs, names, sets: refs.map((ref) => taskSetOf(ref) ?? null) };
}

const register = () => defineTasks(import.meta.url, { describeModule });
let registered: ReturnType<typeof register> | undefined;

/**
 * The task that describes a task module, registered under this module's URL on first use: by the
 * worker command as it loads its modules, and in each of its local workers as this module loads
 * there. A program that only makes pools never registers it; jobs carry the fingerprint of their
 * task's own `defineTasks()` call, not of its module's URL, so a bundle that puts this module and
 * the program's tasks in one file still matches the workers' modules either way.
 */
export function describeTasks(): ReturnType<typeof register> {
  registered ??= register();
  return registered;
}
if (!isMain()) describeTasks();
