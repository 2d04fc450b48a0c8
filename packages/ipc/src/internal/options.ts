/** Option checking shared by the public constructors: bad options throw ValidationError naming the option. */
import { checkOptionKeys, describeValue, omitNullOptions, ValidationError } from '@multiproc/shared';
import type { z } from 'zod';
import { tooManyArguments } from './arity.js';
import type { Schema } from './schema.js';
import { zod } from './zod.js';

type QueueOptions = { maxsize?: number | undefined; schema?: Schema<unknown> | undefined };
type PipeOptions = { duplex?: boolean | undefined; schema?: Schema<unknown> | undefined };
type SimpleQueueOptions = { schema?: Schema<unknown> | undefined };

let schemas:
  | {
      queue: z.ZodType<QueueOptions>;
      pipe: z.ZodType<PipeOptions>;
      simpleQueue: z.ZodType<SimpleQueueOptions>;
    }
  | undefined;

/** Whether `v` is a zod 3 schema (`zod@3`, or `zod/v3` of zod 4): `_def` and `safeParse`, no `_zod`. */
const isZod3 = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  !('_zod' in v) &&
  '_def' in v &&
  typeof (v as { safeParse?: unknown }).safeParse === 'function';

/**
 * What each option takes. A zod 4 schema, classic or mini: what every path checks with, here and
 * (as JSON Schema) in another worker; a zod 3 one would check here and fail only when sent.
 */
const ACCEPTS: Record<string, (v: unknown) => boolean> = {
  schema: (v) => typeof (v as { _zod?: { def?: unknown } } | null)?._zod?.def === 'object',
  maxsize: (v) => typeof v === 'number' && Number.isInteger(v),
  duplex: (v) => typeof v === 'boolean',
};

/**
 * The options as zod's strict object would return them, when every one is right: zod (~70 ms of
 * CPU to load) is then not needed, so a program's first Queue or Pipe does not pay for it.
 * `undefined` when one is wrong: zod builds the message.
 */
function quickParse(value: object, keys: readonly string[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) {
      if (key in value) out[key] = undefined;
      continue;
    }
    if (!ACCEPTS[key]!(v)) return undefined;
    out[key] = v;
  }
  return out;
}

function build() {
  const z = zod();
  // A zod 3 schema is refused at once, saying how to build a zod 4 one.
  const schemaOption = z
    .custom<Schema<unknown>>(ACCEPTS.schema!, {
      error: (issue) =>
        isZod3(issue.input)
          ? "expected a zod 4 schema, got a zod 3 one (zod@3 or 'zod/v3'): it cannot be checked in " +
            "another worker. Build it with zod 4: `import { z } from 'zod'` where zod 4 is installed " +
            "(`npm install zod@4`; 'zod' is zod 3 in a project that has zod@3), `import { z } from " +
            "'zod/v4'` on zod 3.25, or `import * as z from 'zod/mini'`"
          : 'expected a zod 4 schema (from `zod` or `zod/mini`)',
    })
    .optional();
  // Each message says what the option takes and what to give; zod's own ("expected int, received
  // number") says neither. Strict: a misspelt option (maxSize) must not be ignored silently.
  const maxsize = z.custom<number>(
    ACCEPTS.maxsize!,
    'expected a whole number of items, such as { maxsize: 10 } (0 or less, or leave it out: no limit, as in Python)',
  );
  const duplex = z.custom<boolean>(
    ACCEPTS.duplex!,
    'expected true (both ends send and receive) or false (one-way: Pipe({ duplex: false }) returns [receiveEnd, sendEnd])',
  );
  return {
    queue: z.strictObject({ maxsize: maxsize.optional(), schema: schemaOption }),
    pipe: z.strictObject({ duplex: duplex.optional(), schema: schemaOption }),
    simpleQueue: z.strictObject({ schema: schemaOption }),
  };
}

const KEYS = {
  queue: ['maxsize', 'schema'],
  pipe: ['duplex', 'schema'],
  simpleQueue: ['schema'],
} as const;

function parse<T>(
  pick: (s: NonNullable<typeof schemas>) => z.ZodType<T>,
  keys: readonly string[],
  given: unknown,
  what: string,
  args: number,
): T {
  // A second argument would be ignored silently (Python's `Pipe(True, x)` raises TypeError).
  if (args > 1) throw tooManyArguments(what.slice(0, -2), args);
  // No options at all: nothing to check, and no need to load zod. An option set to null (Python's
  // None) is one not given.
  const value = omitNullOptions(given);
  if (value === undefined || value === null) return {} as T;
  // The one message every options object gives for an unknown key, with the right spelling.
  checkOptionKeys(value, keys, what);
  const quick = quickParse(value as object, keys);
  if (quick) return quick as T;
  schemas ??= build();
  const r = pick(schemas).safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const name = issue.path.join('.') || 'options';
  // The value, unless the message names it already (a zod 3 schema).
  const got =
    issue.path.length === 1 && !issue.message.includes(', got ')
      ? `; got ${describeValue((value as Record<PropertyKey, unknown>)[issue.path[0]!])}`
      : '';
  throw new ValidationError(`Invalid option '${name}' for ${what}: ${issue.message}${got}.`, {
    cause: r.error,
    issues: r.error.issues,
  });
}

/** `args`: how many arguments the constructor was given (more than one is refused). */
export function parseSimpleQueueOptions(value: unknown, args: number): SimpleQueueOptions {
  return parse((s) => s.simpleQueue, KEYS.simpleQueue, value, 'new SimpleQueue()', args);
}

export function parseQueueOptions(value: unknown, what: string, args: number): QueueOptions {
  return parse((s) => s.queue, KEYS.queue, value, what, args);
}

export function parsePipeOptions(value: unknown, args: number): PipeOptions {
  return parse((s) => s.pipe, KEYS.pipe, value, 'Pipe()', args);
}
