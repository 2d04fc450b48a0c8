/** SimpleQueue: an unbounded FIFO with only put/get/empty/close. Mirrors Python's `multiprocessing.SimpleQueue`. */
import {
  disposableInEveryRealm,
  type EncodeContext,
  type Encoded,
  encodeSymbol,
  type Keeper,
  keepSymbol,
  refuseStructuredClone,
  registerCodec,
} from '@multiproc/shared';
import { rejectArguments, tooManyArguments } from './internal/arity.js';
import { parseSimpleQueueOptions } from './internal/options.js';
import { adoptQueue, type QueueData, remoteQueueHandle } from './internal/queue-copy.js';
import { queueName } from './internal/queue-name.js';
import { readyHandle } from './internal/ready.js';
import type { Handle } from './internal/runtime/handle.js';
import type { ReceiverSchema } from './internal/schema.js';
import { schemaFromData } from './internal/schema.js';
import { Queue } from './queue.js';

/** The Queue a SimpleQueue wraps: its messages name SimpleQueue. */
class SimpleQueueCore<T, In> extends Queue<T, In> {
  override get [queueName](): string {
    return 'SimpleQueue';
  }
}

/** Options of {@link SimpleQueue}. */
export interface SimpleQueueOptions<T, In = T> {
  /** A zod schema every received value is checked against; see {@link QueueOptions.schema}. */
  schema?: ReceiverSchema<T, In> | null | undefined;
}

/**
 * An unbounded FIFO between threads and processes, with the small API of Python's
 * `multiprocessing.SimpleQueue`.
 * @typeParam T - what get() resolves to: a `schema`'s output type (`z.output`).
 * @typeParam In - what put() takes: a `schema`'s input type (`z.input`); `T` without a schema.
 * @example
 * const sq = new SimpleQueue<string>();
 * await sq.put('x');
 * console.log(sq.empty(), await sq.get()); // false 'x'
 */
export class SimpleQueue<T = unknown, In = T> {
  readonly #q: Queue<T, In>;

  /** @param options - `schema`. @throws {ValidationError} for bad options. */
  constructor(options: SimpleQueueOptions<T, In> | null = {}) {
    refuseStructuredClone(this, 'a SimpleQueue');
    if (pending) {
      this.#q = pending;
      pending = null;
      return;
    }
    const { schema } = parseSimpleQueueOptions(options, arguments.length);
    this.#q = new SimpleQueueCore<T, In>({ schema: schema as SimpleQueueOptions<T, In>['schema'] });
  }

  /**
   * Adds `value`. Python: `put(obj)`.
   * @throws {ValidationError} (rejects) when given no value or more than one.
   * @throws {SerializationError} (rejects) naming the bad part of `value`.
   * @throws {ClosedError} (rejects) after `close()`.
   * @example
   * const sq = new SimpleQueue<number>();
   * await sq.put(1);
   * console.log(sq.empty()); // false
   */
  put(value: In): Promise<void> {
    if (arguments.length !== 1) return rejectArguments('SimpleQueue.put', arguments.length);
    return this.#q.put(value);
  }

  /**
   * Removes and returns the oldest item, waiting for one. Python: `get()`, which takes no
   * timeout either: use a `Queue` for `get({ timeout })` or `get({ block: false })`. As
   * `Queue.get()`, imports the module of a task reference in it first (`ProcessError` if it cannot).
   * @throws {ValidationError} (rejects) when given any argument.
   * @throws {ClosedError} (rejects) after `close()`.
   * @throws {EOFError} (rejects) when the process that owns the queue has exited.
   * @example
   * const sq = new SimpleQueue<string>();
   * await sq.put('x');
   * console.log(await sq.get()); // x
   */
  get(): Promise<T> {
    if (arguments.length > 0) return rejectArguments('SimpleQueue.get', arguments.length);
    return this.#q.get();
  }

  /**
   * Whether no item waits, counting every holder (see `Queue.empty()`; a snapshot, as in Python).
   * Python: `empty()`.
   * @throws {ClosedError} after `close()`.
   * @example
   * console.log(new SimpleQueue().empty()); // true
   */
  empty(): boolean {
    if (arguments.length > 0) throw tooManyArguments('SimpleQueue.empty', arguments.length);
    return this.#q.empty();
  }

  /**
   * Closes this copy. Python: `close()`.
   * @throws Nothing; closing again does nothing.
   * @example
   * const sq = new SimpleQueue();
   * sq.close();
   * await sq.get().catch((err) => console.log(err.name)); // ClosedError
   */
  close(): void {
    if (arguments.length > 0) throw tooManyArguments('SimpleQueue.close', arguments.length);
    this.#q.close();
  }

  /**
   * Closes this copy when a `using` block ends, as Python's `with queue:` does.
   * @throws Nothing; see `close()`.
   * @example
   * const q = new SimpleQueue<number>();
   * {
   *   using queue = q;
   *   await queue.put(1);
   * } // q is closed here
   * await q.get().catch((err) => console.log(err.name)); // ClosedError
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal */
  [readyHandle](): Handle {
    return this.#q[readyHandle]();
  }

  /** @internal The codec protocol. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    return { type: 'multiproc.SimpleQueue', data: this.#q[encodeSymbol](ctx).data };
  }

  /** @internal The codec protocol: copies made later (a pool's initargs). */
  [keepSymbol](ctx: EncodeContext): Keeper {
    const kept = this.#q[keepSymbol](ctx);
    return {
      [encodeSymbol]: (c: EncodeContext): Encoded => ({
        type: 'multiproc.SimpleQueue',
        data: kept[encodeSymbol](c).data,
      }),
      release: () => kept.release(),
    };
  }
}

let pending: Queue<any> | null = null;

registerCodec('multiproc.SimpleQueue', (data: QueueData) => {
  pending = adoptQueue(
    () => new SimpleQueueCore(),
    remoteQueueHandle(data, false),
    0,
    schemaFromData(data.schema),
  );
  return new SimpleQueue();
});

disposableInEveryRealm(SimpleQueue.prototype);
