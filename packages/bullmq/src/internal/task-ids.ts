/**
 * Portable task ids. A `TaskRef` names its module by URL, which differs between machines (and
 * between `src/tasks.ts` and `dist/tasks.js`), so across machines a task is named
 * `<module name>#<task name>`: the module name is the file's base name without its extension
 * (`tasks` for `.../src/tasks.ts` and `.../dist/tasks.js`), or a name given explicitly (the pool's
 * `moduleNames`, the worker's `--tasks name=path`). A worker answers only the ids of the modules it
 * was started with.
 */
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

/** A module given as a URL or a path, as a file URL. */
export function moduleUrlOf(pathOrUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) && !isAbsolute(pathOrUrl)) return new URL(pathOrUrl).href;
  return pathToFileURL(pathOrUrl).href;
}

/** The portable id of a task. */
export function taskIdOf(moduleName: string, taskName: string): string {
  return `${moduleName}#${taskName}`;
}
