/** Option checking shared by the public constructors: bad options throw ValidationError naming the option. */
import { checkOptionKeys, omitNullOptions, ValidationError } from '@multiproc/shared';
import type { z } from 'zod';
import { zod } from './zod.js';

type QueueOptions = { maxsize?: number | undefined; schema?: z.ZodType | undefined };
type PipeOptions = { duplex?: boolean | undefined; schema?: z.ZodType | undefined };
type SimpleQueueOptions = { schema?: z.ZodType | undefined };

let schemas:
  | {
      queue: z.ZodType<QueueOptions>;
      pipe: z.ZodType<PipeOptions>;
      simpleQueue: z.ZodType<SimpleQueueOptions>;
    }
  | undefined;

function build() {
  const z = zod();
  const schemaOption = z
    .custom<z.ZodType>((v) => typeof (v as { safeParse?: unknown })?.safeParse === 'function', {
      message: 'expected a zod schema (an object with a safeParse() method)',
    })
    .optional();
  // Strict: a misspelt option (maxSize) must not be ignored silently.
  return {
    queue: z.strictObject({ maxsize: z.number().int().optional(), schema: schemaOption }),
    pipe: z.strictObject({ duplex: z.boolean().optional(), schema: schemaOption }),
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
): T {
  // No options at all: nothing to check, and no need to load zod. An option set to null (Python's
  // None) is one not given.
  const value = omitNullOptions(given);
  if (value === undefined || value === null) return {} as T;
  // The one message every options object gives for an unknown key, with the right spelling.
  checkOptionKeys(value, keys, what);
  schemas ??= build();
  const r = pick(schemas).safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const name = issue.path.join('.') || 'options';
  throw new ValidationError(`Invalid option ${name} for ${what}: ${issue.message}.`, {
    cause: r.error,
    issues: r.error.issues,
  });
}

export function parseSimpleQueueOptions(value: unknown): SimpleQueueOptions {
  return parse((s) => s.simpleQueue, KEYS.simpleQueue, value, 'new SimpleQueue()');
}

export function parseQueueOptions(value: unknown, what: string): QueueOptions {
  return parse((s) => s.queue, KEYS.queue, value, what);
}

export function parsePipeOptions(value: unknown): PipeOptions {
  return parse((s) => s.pipe, KEYS.pipe, value, 'Pipe()');
}
