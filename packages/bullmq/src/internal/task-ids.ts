/**
 * Portable task ids. A `TaskRef` names its module by URL, which differs between machines (and
 * between `src/tasks.ts` and `dist/tasks.js`), so across machines a task is named
 * `<module name>#<task name>`: the module name is the file's base name without its extension
 * (`tasks` for `.../src/tasks.ts` and `.../dist/tasks.js`), or a name given explicitly (the pool's
 * `moduleNames`, the worker's `--tasks name=path`). A worker answers only the ids of the modules it
 * was started with.
 */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@multiproc/core';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The default portable name of a module: its file's base name without the extension. */
export function moduleNameOf(url: string): string {
  const path = decodeURIComponent(new URL(url).pathname);
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.(?:[cm]?[jt]sx?)$/, '') || base;
}

/** Checks a portable module name given by a user. */
export function checkModuleName(name: string, who: string): string {
  if (!NAME.test(name)) {
    throw new ValidationError(
      `${who}: '${name}' is not a valid module name; use letters, digits, '_', '-' and '.' only.`,
    );
  }
  return name;
}

/**
 * A module given as a URL or an absolute path, as a URL; `undefined` for anything else (a relative
 * path would be resolved against the working directory, not against the module naming it).
 */
export function moduleUrlOf(pathOrUrl: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) && !isAbsolute(pathOrUrl)) {
    return URL.canParse(pathOrUrl) ? new URL(pathOrUrl).href : undefined;
  }
  return isAbsolute(pathOrUrl) ? pathToFileURL(pathOrUrl).href : undefined;
}

/**
 * What tells two modules of one portable name apart: a short hash of the names of the tasks the
 * module defines (the same in its `src/x.ts` and `dist/x.js`, unlike its path). A job carries its
 * module's; a worker whose module of that name defines other tasks refuses the job instead of
 * running another module's function.
 */
export function tasksFingerprint(taskNames: readonly string[]): string {
  if (taskNames.length === 0) return '';
  return createHash('sha256').update(taskNames.join('\n')).digest('base64url').slice(0, 16);
}

/** The portable id of a task. */
export function taskIdOf(moduleName: string, taskName: string): string {
  return `${moduleName}#${taskName}`;
}
