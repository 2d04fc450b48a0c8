/**
 * Worker side: imports a task's module and finds the function it registered. Runs inside every
 * worker and child this library starts.
 *
 * TypeScript task modules: a worker thread does not inherit a parent's tsx loader (see the
 * architecture notes), so when the module is `.ts`/`.mts`/`.cts` and no loader is active, tsx is
 * registered here, resolved from the task module's own location first (the user's project) and
 * then from this package (tsx is an optional peer dependency).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { ProcessError } from '@multiproc/shared';
import { hasModule, lookupTask, type TaskFunction } from '../task.js';

const TS_EXTENSION = /\.[cm]?tsx?$/;
const LOADER_KEY = Symbol.for('multiproc.tsLoader');
// `--import tsx`, `--import tsx/esm`, or a path inside the tsx package (the tsx CLI passes those).
const TSX_FLAG = /^tsx(\/(esm|cjs))?$|[/\\]node_modules[/\\]tsx[/\\]/;

function loaderAlreadyActive(): boolean {
  if ((globalThis as any)[LOADER_KEY]) return true;
  // A child process forked from a parent running under tsx inherits its --import/--require flags
  // and loads them; a worker thread sees the same execArgv but may not run them (Node 20).
  return isMainThread && process.execArgv.some((arg) => TSX_FLAG.test(arg));
}

async function registerTsx(moduleUrl: string): Promise<void> {
  for (const base of [moduleUrl, import.meta.url]) {
    let pkgPath: string;
    try {
      pkgPath = createRequire(base).resolve('tsx/package.json');
    } catch {
      continue;
    }
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    const entry = (sub: string): string => {
      const target = pkg.exports[sub].import;
      return pathToFileURL(join(dirname(pkgPath), typeof target === 'string' ? target : target.default)).href;
    };
    // Both hooks: on Node 20 a .ts file in a CommonJS package scope goes through the CJS loader.
    const [esm, cjs] = await Promise.all([import(entry('./esm/api')), import(entry('./cjs/api'))]);
    esm.register();
    cjs.register();
    (globalThis as any)[LOADER_KEY] = true;
    return;
  }
  const nodeStrips = (process.features as { typescript?: unknown }).typescript;
  if (!nodeStrips) {
    throw new ProcessError(
      `Cannot load the TypeScript task module ${moduleUrl}: install 'tsx' (npm i -D tsx) or run compiled JavaScript.`,
    );
  }
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
      if (TS_EXTENSION.test(new URL(moduleUrl).pathname) && !loaderAlreadyActive())
        await registerTsx(moduleUrl);
      try {
        await import(moduleUrl);
      } catch (err) {
        throw new ProcessError(
          `Cannot import the task module ${moduleUrl}: ${(err as Error)?.message ?? String(err)}`,
          { cause: err },
        );
      }
    })();
    loading.set(moduleUrl, done);
    done.catch(() => loading.delete(moduleUrl));
  }
  return done;
}

/** Imports the module and returns the task function, or throws a `ProcessError` naming both. */
export async function loadTask(moduleUrl: string, taskName: string): Promise<TaskFunction> {
  const cached = lookupTask(moduleUrl, taskName);
  if (cached) return cached;
  await importTaskModule(moduleUrl);
  const fn = lookupTask(moduleUrl, taskName);
  if (!fn) {
    throw new ProcessError(
      `Task '${taskName}' is not defined by ${moduleUrl}: it must be passed to defineTasks(import.meta.url, { ${taskName} }) at the module's top level.`,
    );
  }
  return fn;
}
