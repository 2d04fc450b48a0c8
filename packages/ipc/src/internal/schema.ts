/**
 * Optional zod schemas on receivers. A schema cannot be sent as it is (it holds functions), so a
 * copy sent to another worker carries its JSON Schema and rebuilds a checking schema from it:
 * types, shapes, bounds, formats, enums and defaults travel. A schema that JSON Schema cannot
 * carry exactly (a refinement, transform, pipe, coercion, `catch`, `lazy`, `z.custom`, a regex with
 * flags, a value-changing step such as `trim()` or `toLowerCase()`, or a type such as `z.date()`,
 * `z.bigint()`, `z.map()`) is never quietly weakened: sending a copy that can
 * receive throws SerializationError saying what to do. (One known difference: an object schema
 * rebuilt there keeps unknown keys that zod's default object strips.)
 */
import {
  type ResolveTimeoutOptions,
  resolveTimeout,
  SerializationError,
  ValidationError,
} from '@multiproc/shared';
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

// Schema node types (zod's `def.type`) that JSON Schema cannot carry: they run code or change values.
const RUNS_CODE = new Set(['pipe', 'transform', 'catch', 'custom', 'lazy', 'promise', 'function']);

/** Per schema: its JSON Schema, or why it has none that checks exactly the same. */
const converted = new WeakMap<object, { json: unknown } | { why: string }>();

function convert(schema: Schema<unknown>): { json: unknown } | { why: string } {
  const why: string[] = [];
  try {
    const json = zod().toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'throw',
      override: ({ zodSchema }) => {
        const def = (zodSchema as { _zod: { def: ZodDef } })._zod.def;
        if (RUNS_CODE.has(def.type)) why.push(def.type === 'pipe' ? 'a transform or pipe' : `z.${def.type}`);
        if (def.coerce) why.push('z.coerce');
        for (const check of [def, ...(def.checks ?? []).map((c) => c._zod?.def ?? {})]) {
          const step = inexactStep(check);
          if (step) why.push(step);
        }
      },
    });
    if (why.length > 0) return { why: [...new Set(why)].join(', ') };
    zod().fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
    return { json };
  } catch (err) {
    return { why: (err as Error).message };
  }
}

interface CheckDef {
  check?: string;
  format?: string;
  pattern?: RegExp;
  tx?: (input: unknown) => unknown;
}

interface ZodDef extends CheckDef {
  type: string;
  coerce?: boolean;
  checks?: { _zod?: { def?: CheckDef } }[];
}

/**
 * The step of a check JSON Schema cannot carry, named for the message: a refine(), a regex with
 * flags (`pattern` has none: `/^abc$/i` would become `/^abc$/` there), or a step that changes the
 * value (`trim()`, `toLowerCase()`, `toUpperCase()`, `normalize()`), which JSON Schema drops.
 */
function inexactStep(check: CheckDef): string | undefined {
  if (check.check === 'custom') return 'a refine()';
  if (check.check === 'overwrite') {
    const name = /\.(\w+)\(/.exec(String(check.tx))?.[1];
    return name ? `${name}()` : 'a step that changes the value';
  }
  // g and y only change how a RegExp is reused, which zod resets: the others change what matches.
  const flags = check.format === 'regex' ? check.pattern?.flags.replace(/[gy]/g, '') : '';
  if (flags) return `regex(${String(check.pattern)}): JSON Schema patterns have no flags (${flags})`;
  return undefined;
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
    r = convert(schema);
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
export function schemaFromData(data: unknown): Schema<unknown> | undefined {
  if (data === undefined) return undefined;
  return zod().fromJSONSchema(data as Parameters<typeof z.fromJSONSchema>[0]) as Schema<unknown>;
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
