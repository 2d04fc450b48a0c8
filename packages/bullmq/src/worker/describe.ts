/**
 * Runs inside a worker of the local pool (never in the worker command's main thread, so a task
 * module's `if (isMain())` block stays asleep, as under Python's spawn): imports a task module and
 * returns the task references it exports, which travel back to the main thread as references.
 */
import { createRequire } from 'node:module';
import { defineTasks, isTaskRef, type TaskRef } from '@multiproc/core';

let tsxRegistered = false;

/** TypeScript task modules load through tsx (an optional peer), as in the local pool's workers. */
async function registerTsx(moduleUrl: string): Promise<void> {
  if (tsxRegistered) return;
  tsxRegistered = true;
  const resolve = (id: string) => {
    for (const base of [moduleUrl, import.meta.url]) {
      try {
        return createRequire(base).resolve(id);
      } catch {}
    }
    throw new Error(
      `Cannot load ${moduleUrl}: TypeScript task modules need tsx (npm i -D tsx), or compile them.`,
    );
  };
  const esm = await import(resolve('tsx/esm/api'));
  esm.register();
  const cjs = await import(resolve('tsx/cjs/api'));
  cjs.register();
}

async function describeModule(moduleUrl: string): Promise<TaskRef[]> {
  if (/\.[cm]?tsx?$/.test(moduleUrl)) await registerTsx(moduleUrl);
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
