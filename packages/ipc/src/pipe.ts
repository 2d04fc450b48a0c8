/** Pipe(): a pair of connected {@link Connection}s. Mirrors Python's `multiprocessing.Pipe`. */
import { type Connection, createConnection } from './connection.js';
import { parsePipeOptions } from './internal/options.js';
import { HomeHandle } from './internal/runtime/home-handle.js';
import type { ReceiverSchema, Schema } from './internal/schema.js';

/** Options of {@link Pipe}. */
export interface PipeOptions<T, In = T> {
  /**
   * Both ends send and receive. With `false`, the first end only receives and the second only sends.
   * @default true
   */
  duplex?: boolean | null | undefined;
  /**
   * A zod 4 schema (from `zod` or `zod/mini`) every received value is checked against (senders
   * are not checked); send() then takes the schema's input type (`z.input`, the ends' `In`) and
   * recv() resolves to its output type (`z.output`, the ends' `T`). A bad value rejects that recv() with `ValidationError`.
   * An end sent to another worker checks with the schema rebuilt from its JSON Schema, which
   * answers every value as `schema.safeParse()` does here (output included), so sending an end that
   * receives throws `SerializationError` when the schema cannot be rebuilt exactly (a `refine()`,
   * `transform()`, `pipe()`, `z.coerce`, `catch()`, `z.lazy()`, `z.custom()`, a regex with flags,
   * or a type such as `z.date()`, `z.bigint()`, `z.map()`): it is never weakened there. A send-only
   * end (`Pipe({ duplex: false })[1]`) carries no schema and can always be sent. A zod 3 schema
   * (`zod/v3`) throws `ValidationError` here: it has no JSON Schema to travel with.
   */
  schema?: ReceiverSchema<T, In> | null | undefined;
}

/**
 * The receive-only end of `Pipe({ duplex: false })`: a {@link Connection} (it goes wherever one
 * goes) whose sending methods are typed `never`, since they throw `ProcessError` there.
 */
export interface ReceiveEnd<T = unknown, In = T> extends Connection<T, In> {
  readonly writable: false;
  /** Throws `ProcessError`: this end only receives. */
  send: never;
  /** Throws `ProcessError`: this end only receives. */
  sendBytes: never;
}

/**
 * The send-only end of `Pipe({ duplex: false })`: a {@link Connection} whose receiving methods
 * (and iteration) are typed `never`, since they throw `ProcessError` there.
 */
export interface SendEnd<T = unknown, In = T> extends Connection<T, In> {
  readonly readable: false;
  /** Throws `ProcessError`: this end only sends. */
  recv: never;
  /** Throws `ProcessError`: this end only sends. */
  recvBytes: never;
  /** Throws `ProcessError`: this end only sends. */
  recvBytesInto: never;
  /** Throws `ProcessError`: this end only sends. */
  poll: never;
  /** Throws `ProcessError`: this end only sends (`for await` receives). */
  [Symbol.asyncIterator]: never;
}

/**
 * Returns two connected ends. Python: `multiprocessing.Pipe(duplex=True)`.
 * @param options - `duplex` and `schema`; a boolean is `duplex` (Python's `Pipe(False)`).
 * @typeParam T - what recv() resolves to: the schema's output type.
 * @typeParam In - what send() takes: the schema's input type (`T` without a schema).
 * @returns `[a, b]`; with `{ duplex: false }`, `[receiveEnd, sendEnd]`, typed {@link ReceiveEnd}
 *   and {@link SendEnd} so that sending on the first (or receiving on the second) does not compile.
 * @throws {ValidationError} for bad options.
 * @example
 * const [a, b] = Pipe<number>();
 * a.send(1);
 * b.send(2);
 * console.log(await b.recv(), await a.recv()); // 1 2
 * const [r, w] = Pipe<string>({ duplex: false });
 * w.send('one way');
 * console.log(await r.recv()); // one way
 */
export function Pipe<T = unknown, In = T>(
  options: (PipeOptions<T, In> & { duplex: false }) | false,
): [ReceiveEnd<T, In>, SendEnd<T, In>];
export function Pipe<T = unknown, In = T>(
  options?: PipeOptions<T, In> | boolean | null,
): [Connection<T, In>, Connection<T, In>];
export function Pipe<T = unknown, In = T>(
  options: PipeOptions<T, In> | boolean | null = {},
): [Connection<T, In>, Connection<T, In>] {
  const given = typeof options === 'boolean' ? { duplex: options } : options;
  const { duplex = true, schema: checked } = parsePipeOptions(given, arguments.length);
  const schema = (checked ?? undefined) as Schema<T, In> | undefined;
  const [first, second] = HomeHandle.pipe(duplex);
  return [
    createConnection<T, In>(first, true, duplex, schema),
    createConnection<T, In>(second, duplex, true, schema),
  ];
}
