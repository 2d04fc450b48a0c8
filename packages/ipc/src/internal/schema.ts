/**
 * Optional zod schemas on receivers. A schema cannot be sent as it is (it holds functions), so a
 * copy sent to another worker carries its JSON Schema, with the steps zod takes beyond what the
 * keywords say (`schema-json.ts`), and rebuilds from them a schema that answers every value as
 * the original does, success and output alike (`schema-rebuild.ts`): types, shapes and their
 * strip/strict/loose modes, bounds, formats, enums, optional/nullable/default anywhere, exhaustive
 * records, recursion. A schema that cannot be rebuilt exactly (a refinement, transform, pipe,
 * coercion, `catch`, `lazy`, `z.custom`, a regex with flags, a value-changing step such as `trim()`,
 * a format with options such as `z.url({ protocol })`, or a type such as `z.date()`, `z.bigint()`,
 * `z.map()`) is never quietly weakened: sending a copy that can receive throws SerializationError
 * saying what to do.
 */
import {
  type ResolveTimeoutOptions,
  resolveTimeout,
  SerializationError,
  ValidationError,
} from '@multiproc/shared';
import type { z } from 'zod';
import { convert } from './schema-json.js';
import { rebuildSchema } from './schema-rebuild.js';
import { zod } from './zod.js';

/**
 * A zod 4 schema whose output type is `T` and input type `In` (what it parses from): zod core's
 * `$ZodType`, which the schemas of `zod` (classic) and `zod/mini` both are. A zod 3 schema
 * (`zod@3`, `zod/v3`) is not one: it has no JSON Schema to travel to another worker with, and is
 * refused where the options are read.
 */
export type Schema<T, In = unknown> = z.core.$ZodType<T, In>;

/**
 * The `schema` option of a queue or pipe typed `<T, In>`: a schema whose output is `T`, from which
 * `In` (what senders give) is inferred as its input type; one whose input is `unknown` (such as a
 * `z.ZodType<T>`) is taken whatever `In` is given, as it parses anything.
 */
export type ReceiverSchema<T, In> = Schema<T, In> | Schema<T>;

/** Schemas seen to need an asynchronous parse (a `refine()` or `transform()` returning a promise). */
const asyncSchemas = new WeakSet<object>();

/**
 * Parses `value`, or throws ValidationError with zod's issues and their paths. A schema with an
 * asynchronous step (zod's `$ZodAsyncError` on a synchronous parse) is parsed with
 * `safeParseAsync()` instead, then and for every later value: the result is then a promise.
 */
export function validate<T>(schema: Schema<T>, value: unknown, what: string): T | Promise<T> {
  if (!asyncSchemas.has(schema)) {
    try {
      // zod's function rather than the schema's method: any zod 4 schema (classic, mini, core) has `_zod`.
      return judged(zod().safeParse(schema, value), what);
    } catch (err) {
      // By name: the schema's own copy of zod throws it (an ESM import beside this require()'s CJS).
      if (!(err instanceof Error && err.constructor.name === '$ZodAsyncError')) throw err;
      asyncSchemas.add(schema);
    }
  }
  return zod()
    .safeParseAsync(schema, value)
    .then((r) => judged(r, what));
}

/**
 * {@link validate} for a method that must answer at once (`getNowait()`).
 * @throws {ValidationError} before anything is taken when `schema` is known to be asynchronous.
 */
export function assertSyncSchema(schema: Schema<unknown> | undefined, method: string): void {
  if (schema && asyncSchemas.has(schema)) throw asyncSchemaError(method);
}

/** What a synchronous method is told about a schema with an asynchronous step. */
export function asyncSchemaError(method: string, ...taken: [unknown?]): ValidationError {
  const err = new ValidationError(
    `${method} cannot check a value against this schema: it has an asynchronous step (an async refine() ` +
      'or transform()), which only an awaited method can wait for. Use the awaited form (get(), or ' +
      `get({ block: false }) for a get that does not wait for an item).${
        taken.length > 0 ? " The item this call took is in this error's `value` field, unchecked." : ''
      }`,
  );
  if (taken.length > 0) Object.defineProperty(err, 'value', { value: taken[0], enumerable: true });
  return err;
}

function judged<T>(r: z.ZodSafeParseResult<T>, what: string): T {
  if (r.success) return r.data;
  throw new ValidationError(`${what} does not match the schema:\n${zod().prettifyError(r.error)}`, {
    cause: r.error,
    issues: r.error.issues,
  });
}

/** Per schema: its JSON Schema, or why it has none that checks exactly the same. */
const converted = new WeakMap<object, { json: unknown } | { why: string }>();

function check(schema: Schema<unknown>): { json: unknown } | { why: string } {
  try {
    const r = convert(schema);
    // Rebuilt here too, so a schema the receiver could not rebuild is refused at the send.
    if ('json' in r) rebuildSchema(structuredClone(r.json));
    return r;
  } catch (err) {
    return { why: (err as Error).message };
  }
}

/**
 * The JSON Schema a copy sent to another worker carries (undefined: no schema, or a copy that
 * never receives).
 * @throws {SerializationError} when JSON Schema cannot carry `schema` exactly (see the header).
 */
export function schemaToData(schema: Schema<unknown> | undefined, path: string): unknown {
  if (!schema) return undefined;
  let r = converted.get(schema);
  if (r === undefined) {
    r = check(schema);
    converted.set(schema, r);
  }
  if ('json' in r) return r.json;
  throw new SerializationError(
    path,
    `Cannot send ${path}: its schema cannot be checked in another worker (${r.why}). A copy there ` +
      'checks what it receives with the schema rebuilt from JSON Schema, and this one does not convert ' +
      'exactly. Give it a schema JSON Schema expresses (types, shapes, bounds, formats, enums), or create ' +
      'it without `schema` and validate where you receive: `mySchema.parse(await q.get())`.',
  );
}

/** Rebuilds the schema a copy carried. */
export function schemaFromData(data: unknown): z.ZodType | undefined {
  if (data === undefined) return undefined;
  return rebuildSchema(data);
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
