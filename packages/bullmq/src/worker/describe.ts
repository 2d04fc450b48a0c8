/**
 * Runs inside a worker of the local pool (never in the worker command's main thread, so a task
 * module's `if (isMain())` block stays asleep, as under Python's spawn): imports a task module and
 * returns the task references it exports, which travel back to the main thread as references.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineTasks, isTaskRef, type TaskRef, ValidationError } from '@multiproc/core';

// The flag the local pool's workers set once tsx is registered in a realm (so it happens once).
const LOADER_KEY = Symbol.for('multiproc.tsLoader');

/**
 * TypeScript task modules load through tsx (an optional peer), resolved from the module's own
 * project first, as the local pool's workers do for their task modules.
 */
async function registerTsx(moduleUrl: string): Promise<void> {
  if ((globalThis as any)[LOADER_KEY]) return;
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
  throw new ValidationError(
    `Cannot load ${moduleUrl}: TypeScript task modules need tsx (npm i -D tsx), or compile them.`,
  );
}

async function describeModule(moduleUrl: string): Promise<TaskRef[]> {
  if (/\.[cm]?tsx?$/.test(new URL(moduleUrl).pathname)) await registerTsx(moduleUrl);
  const namespace: Record<string, unknown> = await import(moduleUrl);
  const found = new Set<TaskRef>();
  const visit = (value: unknown) => {
    if (isTaskRef(value)) found.add(value);
  };
  for (const value of Object.values(namespace)) {
    visit(value);
    // `export const tasks = defineTasks(...)`: the refs one level down.
    if (value && typeof value === 'object') for (const inner of Object.values(value)) visit(inner);
  }
  return [...found];
}

export const describeTasks = defineTasks(import.meta.url, { describeModule });
