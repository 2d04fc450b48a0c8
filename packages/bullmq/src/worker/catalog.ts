/**
 * The tasks a worker answers: the task references exported by the modules it was started with
 * (`--tasks [name=]path`), by portable id. Nothing else is ever imported: a job naming another
 * task is rejected.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Pool as LocalPool, type TaskRef, ValidationError } from '@multiproc/core';
import { checkModuleName, moduleNameOf, taskIdOf, tasksFingerprint } from '../internal/task-ids.js';
import { describeTasks } from './describe.js';

/** A task a worker answers, with what tells its module apart from others of its name. */
export interface CatalogEntry {
  readonly ref: TaskRef;
  /**
   * The fingerprint of the task names of its `defineTasks()` call (of its module's, when that is
   * not known; see `tasksFingerprint`).
   */
  readonly fingerprint: string;
  /**
   * The fingerprint of its module's task names, as a job carries it when its pool knows no call
   * for the task (a pool older than task sets; a reference from elsewhere): also accepted.
   */
  readonly moduleFingerprint: string;
  /** Those names, for the message refusing a job of another module. */
  readonly moduleTasks: readonly string[];
}

/** A task module to load, with the name the pools use for it. */
export interface TaskModuleSpec {
  readonly name: string;
  readonly url: string;
}

/** `[name=]path-or-url` as a module spec; the name defaults to the file's base name. */
export function parseTaskModule(text: string): TaskModuleSpec {
  const eq = text.indexOf('=');
  const named = eq > 0 && !text.slice(0, eq).includes('/');
  const where = named ? text.slice(eq + 1) : text;
  const url = /^(file|data):/.test(where) ? where : pathToFileURL(realpath(existing(where))).href;
  const name = named ? checkModuleName(text.slice(0, eq), '--tasks') : moduleNameOf(url);
  return { name, url };
}

/**
 * The absolute path of `where`, a path given to `--tasks`.
 * @throws {ValidationError} when no file is there, naming the working directory it was resolved
 *   from (Node's own "Cannot find module" would name a file of this package as the importer), and
 *   the `/` form of a Windows path given off Windows.
 */
function existing(where: string): string {
  const path = resolve(where);
  if (existsSync(path)) return path;
  const windows = sep === '/' && where.includes('\\');
  throw new ValidationError(
    `--tasks: no file at ${path} ('${where}', resolved from the working directory ${process.cwd()}). ` +
      (windows
        ? `'${where}' is a Windows path: on this system write '${where.replaceAll('\\', '/')}'.`
        : 'Give the path of a task module, relative to the working directory or absolute, or its file: URL.'),
  );
}

/** The real path (import.meta.url names the file behind a symlink), or the path when it is missing. */
function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether a job's fingerprint `mod` names `entry`'s call or module ('' is unknown: accepted). */
export function fingerprintMatches(entry: CatalogEntry, mod: string): boolean {
  return (
    mod === '' || entry.fingerprint === '' || mod === entry.fingerprint || mod === entry.moduleFingerprint
  );
}

/** Loads the modules in a worker of `pool` and maps each exported task to its portable id. */
export async function loadCatalog(
  pool: LocalPool,
  modules: readonly TaskModuleSpec[],
): Promise<Map<string, CatalogEntry>> {
  const owners = new Map<string, string>();
  const catalog = new Map<string, CatalogEntry>();
  for (const spec of modules) {
    const other = owners.get(spec.name);
    if (other !== undefined && other !== spec.url) {
      throw new ValidationError(
        `--tasks: ${other} and ${spec.url} are both named '${spec.name}': name one with name=path ` +
          "(and the same name in the pool's moduleNames option).",
      );
    }
    owners.set(spec.name, spec.url);
    let refs: TaskRef[];
    let names: Record<string, string[]>;
    let sets: (readonly string[] | null)[] | undefined;
    try {
      ({ refs, names, sets } = await pool.apply(describeTasks().describeModule, [spec.url]));
    } catch (error) {
      // The message names the module already when it comes from the import ("Cannot import the task module <url>: ...").
      const message = String((error as Error)?.message ?? error);
      const text = message.includes(spec.url) ? message : `cannot load ${spec.url}: ${message}`;
      throw new ValidationError(`--tasks: ${text}`, { cause: error });
    }
    if (refs.length === 0) {
      throw new ValidationError(
        `--tasks: ${spec.url} exports no task references; export what defineTasks() returns ` +
          '(export const tasks = defineTasks(import.meta.url, {...})).',
      );
    }
    for (const [i, ref] of refs.entries()) {
      const name = ref.module === spec.url ? spec.name : moduleNameOf(ref.module);
      const moduleTasks = names[ref.module] ?? [];
      catalog.set(taskIdOf(name, ref.taskName), {
        ref,
        fingerprint: tasksFingerprint(sets?.[i] ?? moduleTasks),
        moduleFingerprint: tasksFingerprint(moduleTasks),
        moduleTasks: sets?.[i] ?? moduleTasks,
      });
    }
  }
  return catalog;
}
