/** The options of {@link Queue} and {@link JoinableQueue}, and the timeout argument of their waits. */
import type { BlockingWaitOptions } from '@multiproc/shared';
import type { ReceiverSchema } from './internal/schema.js';

/** Options of {@link Queue} and {@link JoinableQueue}. */
export interface QueueOptions<T, In = T> {
  /**
   * How many items the queue holds before put() waits; 0 (or less) means no limit, as in Python.
   * @default 0
   */
  maxsize?: number | null | undefined;
  /**
   * A zod 4 schema (from `zod` or `zod/mini`) every received value is checked against (put() is not checked);
   * put() then takes the schema's input type (`z.input`, the queue's `In`) and get() resolves to its
   * output type (`z.output`, the queue's `T`): with `z.string().transform(Number)`, `put('41')` and
   * get() gives `41`. A bad value rejects that get() with `ValidationError`
   * (a JoinableQueue marks that item done then: nobody received it, so no `taskDone()` is owed).
   * A copy in another worker checks with the schema rebuilt from its JSON Schema, which answers
   * every value as `schema.safeParse()` does here (output included), so sending the queue to a
   * worker throws `SerializationError` when the schema cannot be rebuilt exactly (a `refine()`,
   * `transform()`, `pipe()`, `z.coerce`, `catch()`, `z.lazy()`, `z.custom()`, a regex with flags,
   * or a type such as `z.date()`, `z.bigint()`, `z.map()`): it is never weakened there. Use such a schema
   * only in the queue's own thread, or validate in the worker yourself. A zod 3 schema (`zod/v3`)
   * throws `ValidationError` here: it has no JSON Schema to travel with.
   */
  schema?: ReceiverSchema<T, In> | null | undefined;
}

/**
 * The timeout argument of put() and get(): a number of ms, or `{ timeout?, block? }`
 * (`block: false`: do not wait, Python's `block=False`; a get still takes an item the queue has
 * now). Nothing waits as long as it takes.
 */
export type TimeoutOptions = number | BlockingWaitOptions;
