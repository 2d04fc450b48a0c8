/**
 * `defineTasks(process.argv[1], ...)` in a worker: a worker keeps its own `process.argv[1]` (the
 * worker entry), so that JavaScript's main-module guard stays false there (`program-main.ts`), and
 * `defineTasks()` takes that name as the program's script, which the worker's parent said in the
 * environment. Apart from `program-main.ts`: `defineTasks()`'s code is bundled apart from it.
 */
import { getWorkerIdentity } from '../identity.js';

// `MAIN_SCRIPT_ENV` of `program-main.ts`.
const MAIN_SCRIPT_ENV = 'MULTIPROC_MAIN_SCRIPT';

/**
 * `given` (a `defineTasks()` module id), or the program's script when `given` is this worker's own
 * `process.argv[1]` (its path or `file:` URL) in a worker of ours.
 */
export function asProgramScript(given: unknown): unknown {
  const own = process.argv[1];
  const script = process.env[MAIN_SCRIPT_ENV];
  if (typeof given !== 'string' || !own || !script || getWorkerIdentity() === undefined) return given;
  if (given === own) return script;
  if (!given.startsWith('file:')) return given;
  // Every defineTasks(import.meta.url) a worker imports comes here: a URL that cannot be the worker's
  // own file is told apart without loading node:url (a plain file name is the same in its URL).
  const name = own.slice(Math.max(own.lastIndexOf('/'), own.lastIndexOf('\\')) + 1);
  if (/^[\w.-]+$/.test(name) && !given.endsWith(`/${name}`)) return given;
  const { pathToFileURL } = process.getBuiltinModule('node:url');
  ownHref ??= pathToFileURL(own).href;
  return given === ownHref ? pathToFileURL(script).href : given;
}

let ownHref: string | undefined;
