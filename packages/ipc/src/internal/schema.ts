/**
 * Optional zod schemas on receivers. A schema cannot be sent as it is (it holds functions), so a
 * copy sent to another worker carries its JSON Schema and rebuilds a checking schema from it:
 * types, shapes and bounds travel; refinements and transforms stay with the original.
 */
import { type ResolveTimeoutOptions, resolveTimeout, ValidationError } from '@multiproc/shared';
import type { z } from 'zod';
import { zod } from './zod.js';

/** A zod schema whose output type is `T`. */
export type Schema<T> = z.ZodType<T>;

/** Parses `value`, or throws ValidationError with zod's issues and their paths. */
export function validate<T>(schema: Schema<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new ValidationError(`${what} does not match the schema:\n${zod().prettifyError(r.error)}`, {
    cause: r.error,
    issues: r.error.issues,
  });
}

/** The JSON Schema of `schema`, or undefined when zod cannot express it. */
export function schemaToData(schema: Schema<unknown> | undefined): unknown {
  if (!schema) return undefined;
  try {
    return zod().toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return undefined;
  }
}

export function schemaFromData(data: unknown): Schema<unknown> | undefined {
  if (data === undefined) return undefined;
  try {
    return zod().fromJSONSchema(data as Parameters<typeof z.fromJSONSchema>[0]) as Schema<unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Reads a waiting method's timeout argument through shared's `resolveTimeout()`: the wait in ms for
 * the handles (`undefined`: no limit).
 * @throws {ValidationError} for a form `resolveTimeout()` refuses.
 */
export function checkTimeout(
  arg: unknown,
  method: string,
  options?: ResolveTimeoutOptions,
): number | undefined {
  const { timeoutMs } = resolveTimeout(arg, method, options);
  return timeoutMs === Number.POSITIVE_INFINITY ? undefined : timeoutMs;
}
