/**
 * Option validation: zod schemas checked at construction, failures thrown as `ValidationError`.
 *
 * zod takes ~70 ms to import, and every worker imports this package (task modules import
 * `defineTasks` from it), so zod is loaded synchronously on the first validation instead of at
 * import time: workers that never construct a Process or Pool never pay for it.
 */
import { createRequire } from 'node:module';
import { ValidationError } from '@multiproc/shared';
import type * as Z from 'zod';
import { isTaskRef } from './task.js';

/** The contexts (Python: start methods): worker threads, or child processes. */
export const CONTEXT_NAMES = ['thread', 'process'] as const;
/** A context name. */
export type ContextName = (typeof CONTEXT_NAMES)[number];

type ZodModule = typeof Z;
let zod: ZodModule | undefined;
const load = (): ZodModule => (zod ??= requireZod());

function requireZod(): ZodModule {
  try {
    return createRequire(import.meta.url)('zod') as ZodModule;
  } catch (err) {
    // A bundle has no node_modules to resolve from; there the bare require('zod') below is what the
    // bundler saw and bundled. It comes second: `node -e` defines a global `require` that resolves
    // from the working directory and could load another copy of zod.
    try {
      return require('zod') as ZodModule;
    } catch {
      throw err;
    }
  }
}

/** Builds a schema on first use, with zod loaded then. */
export function lazySchema<T>(build: (z: ZodModule['z']) => Z.ZodType<T>): () => Z.ZodType<T> {
  let schema: Z.ZodType<T> | undefined;
  return () => (schema ??= build(load().z));
}

/** The schema of a `context` option. */
export const contextSchema = (z: ZodModule['z']) => z.enum(CONTEXT_NAMES);

/** The schema of a task reference (`target`, `initializer`, a pool call's task). */
export const taskRefSchema = (z: ZodModule['z']) =>
  z.custom<(...args: any[]) => unknown>((v) => isTaskRef(v), {
    message: 'expected a task reference made by defineTasks(import.meta.url, { ... })',
  });

/** Parses `input` with `schema`, or throws a `ValidationError` naming the first bad option. */
export function parseOptions<T>(schema: () => Z.ZodType<T>, input: unknown, what: string): T {
  const result = schema().safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.length ? issue.path.join('.') : 'options';
  throw new ValidationError(`Invalid option '${name}' for ${what}: ${issue.message}.`, {
    cause: result.error,
    issues: result.error.issues,
  });
}
