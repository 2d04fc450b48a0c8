/** Option checking shared by the public constructors: bad options throw ValidationError naming the option. */
import { ValidationError } from '@multiproc/shared';
import type { z } from 'zod';
import { zod } from './zod.js';

type QueueOptions = { maxsize?: number | undefined; schema?: z.ZodType | undefined };
type PipeOptions = { duplex?: boolean | undefined; schema?: z.ZodType | undefined };

let schemas: { queue: z.ZodType<QueueOptions>; pipe: z.ZodType<PipeOptions> } | undefined;

function build() {
  const z = zod();
  const schemaOption = z
    .custom<z.ZodType>((v) => typeof (v as { safeParse?: unknown })?.safeParse === 'function', {
      message: 'expected a zod schema',
    })
    .optional();
  return {
    queue: z.object({ maxsize: z.number().int().optional(), schema: schemaOption }),
    pipe: z.object({ duplex: z.boolean().optional(), schema: schemaOption }),
  };
}

function parse<T>(pick: (s: NonNullable<typeof schemas>) => z.ZodType<T>, value: unknown, what: string): T {
  // No options at all: nothing to check, and no need to load zod.
  if (value === undefined || value === null) return {} as T;
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

export function parseQueueOptions(value: unknown, what: string): QueueOptions {
  return parse((s) => s.queue, value, what);
}

export function parsePipeOptions(value: unknown): PipeOptions {
  return parse((s) => s.pipe, value, 'Pipe()');
}
