/**
 * Queue: a FIFO shared by any number of producers and consumers in threads and processes. Mirrors
 * Python's `multiprocessing.Queue`. The items live in the thread that created the queue; copies in
 * other threads and processes reach them over a MessagePort or a Unix socket (see README).
 */
import {
  type ClosedError,
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
import { closeWhenCollected } from './internal/finalize.js';
import { parseQueueOptions } from './internal/options.js';
import { adoptQueue, type QueueData, remoteQueueHandle, takeAdopted } from './internal/queue-copy.js';
import { queueName } from './internal/queue-name.js';
import { QueueState } from './internal/queue-state.js';
import { readyHandle } from './internal/ready.js';
import type { Handle } from './internal/runtime/handle.js';
import { HomeHandle } from './internal/runtime/home-handle.js';
import { type Schema, schemaFromData } from './internal/schema.js';
import type { QueueOptions, TimeoutOptions } from './queue-options.js';

/**
 * A FIFO for many producers and consumers, in threads and processes. FIFO per producer, every item
 * delivered exactly once. Mirrors Python's `multiprocessing.Queue`.
 * @typeParam In - what put() takes: a `schema`'s input (`z.input`), as `T` (get()'s) is its output.
 * @throws {ValidationError} from the constructor for bad options.
 * @example
 * const q = new Queue<number>({ maxsize: 2 });
 * await q.put(1);
 * console.log(await q.get()); // 1
 */
export class Queue<T = unknown, In = T> {
  /** The `maxsize` given (0: unbounded). */
  readonly maxsize: number;
  // The copy's handle, closing and results (internal/queue-state.ts).
  readonly #s: QueueState<T>;

  /** @internal The class the user holds, for messages (a SimpleQueue wraps a Queue). */
  get [queueName](): string {
    return 'Queue';
  }

  /** @param options - `maxsize` and `schema`; a number is the `maxsize` (`Queue(10)`); `null`: none. */
  constructor(options: QueueOptions<T, In> | number | null = {}) {
    refuseStructuredClone(this, `a ${this[queueName]}`);
    const a = takeAdopted();
    if (a) {
      this.maxsize = a.maxsize;
      this.#s = new QueueState(this, a.h, a.maxsize, a.schema as Schema<T> | undefined, this.joinable);
      closeWhenCollected(this, a.h);
      return;
    }
    const given = typeof options === 'number' ? { maxsize: options } : options;
    const opts = parseQueueOptions(given, `new ${this[queueName]}()`, arguments.length);
    this.maxsize = Math.max(0, opts.maxsize ?? 0);
    const h = HomeHandle.queue(this.maxsize, this.joinable);
    this.#s = new QueueState(this, h, this.maxsize, opts.schema as Schema<T> | null, this.joinable);
    closeWhenCollected(this, h);
  }

  /** @internal Whether puts are counted as tasks. */
  protected get joinable(): boolean {
    return false;
  }

  /** @internal The error of a wait that ended because this copy was closed meanwhile, or null. */
  protected closedWhileWaiting(what: string): ClosedError | null {
    return this.#s.closedWhileWaiting(what);
  }

  /** @internal */
  protected get handle(): Handle {
    return this.#s.handle;
  }

  /**
   * Adds `value`, waiting while the queue is full. Python: `put(obj, block=True, timeout)`.
   * Resolves once the item is in the queue; from another thread, once its room (and a JoinableQueue's
   * task) is counted in shared memory and it is on its way, whether the queue's thread runs or not;
   * from another process, once the queue holds it (bounded) or it is on its way (unbounded: a
   * JoinableQueue's join() waits for it). It then arrives even if the worker exits; FIFO per sender.
   * @param value - structured-cloneable; multiproc objects inside travel by reference.
   * @param options - ms to wait for room, or `{ timeout?, block? }`; `{ block: false }` does not wait.
   * @throws {QueueFullError} when still full after `timeout` ms; `ValidationError` with no value.
   * @throws {SerializationError} when part of `value` cannot be sent (`value.onDone`).
   * @throws {ClosedError} after `close()`, or at once when this copy is closed while it waits (not put).
   * @throws {EOFError} when the process that owns this queue has exited.
   * @example
   * const q = new Queue<number>({ maxsize: 1 });
   * await q.put(1);
   * await q.put(2, { timeout: 10 }).catch((err) => console.log(err.name)); // QueueFullError
   */
  put(value: In, options?: TimeoutOptions): Promise<void> {
    if (arguments.length === 0 || arguments.length > 2) return rejectArguments('Queue.put', arguments.length);
    return this.#s.put(value as unknown as T, options);
  }

  /**
   * Adds `value` if there is room, else throws. Python: `put_nowait(obj)`. `maxsize` holds for
   * every holder together: in another thread this copy takes room in the count it shares with the
   * queue's thread; in another process it spends room granted ahead (a plain queue, `maxsize` 8
   * up, after its first put), else asks the queue's process and blocks for the answer (at most 1 s,
   * then `QueueFullError`, nothing put; on Windows: from the last size it was told). Room freed
   * while a `put()` waits for it is that put's, wherever either is called.
   * @throws {QueueFullError} when the queue holds `maxsize` items, or a `put()` waits for room.
   * @throws {ValidationError} when given no value or more than one; `SerializationError` when part of
   *   `value` cannot be sent; {@link ClosedError} after `close()`.
   * @throws {EOFError} when the thread or process that owns the queue has ended (as `put()` rejects).
   * @example
   * const q = new Queue<string>({ maxsize: 1 });
   * q.putNowait('a');
   * try { q.putNowait('b'); } catch (err) { if (err instanceof QueueFullError) console.log(err.code); } // MP_QUEUE_FULL
   */
  putNowait(value: In): void {
    if (arguments.length !== 1) throw tooManyArguments('Queue.putNowait', arguments.length);
    this.#s.putNowait(value as unknown as T);
  }

  /**
   * Removes and returns the oldest item, waiting for one, and for the import of the module of a task
   * reference in it (as Python's unpickling). Python: `get(block=True, timeout)`.
   * @param options - ms to wait, or `{ timeout?, block? }`; `{ block: false }` (or `0`) takes an item
   *   the queue has now without waiting for one, asking the queue's thread from another worker.
   * @throws {QueueEmptyError} when still empty after `timeout` ms.
   * @throws {ValidationError} / {ProcessError} when it fails the schema / that import (a JoinableQueue
   *   marks it done); the next get() gets the next item.
   * @throws {EOFError} when the process that owns the queue has exited (once what it handed on is
   *   served; if it was killed or crashed, the message says the items it still held are lost), or
   *   when nothing left in the program could put an item (no other copy is open in a live worker,
   *   and nothing else runs).
   * @throws {ClosedError} after `close()`, and at once when this copy is closed while it waits.
   * @example
   * const q = new Queue<string>();
   * await q.put('job');
   * console.log(await q.get()); // job
   * await q.get({ timeout: 10 }).catch((err) => console.log(err.name)); // QueueEmptyError
   */
  get(options?: TimeoutOptions): Promise<T> {
    if (arguments.length > 1) return rejectArguments('Queue.get', arguments.length);
    return this.#s.get(options);
  }

  /**
   * Removes and returns the oldest item if the queue has one now, else throws. Python:
   * `get_nowait()`, i.e. `get(block=False)`. In another thread or process this copy asks the
   * queue's thread for an item and blocks until it answers (at most 1 s; a thread copy asks only
   * when `qsize()` is above 0). An item another worker put may still be on its way (counted by
   * `qsize()` already, as in Python), and items another consumer read ahead are not taken back
   * for this call: then it throws, as Python's does while its pipe is empty. In the queue's
   * process it takes what a thread worker put once its `put()` returned, also when the calling
   * thread never yields (it reads the workers' ports, waiting at most 200 ms for a put still
   * batched in its worker's turn).
   * @throws {QueueEmptyError} when there is none.
   * @throws {ValidationError} when the item does not match the schema; {@link ClosedError} after `close()`.
   * @example
   * const q = new Queue<number>();
   * q.putNowait(7);
   * console.log(q.getNowait()); // 7
   */
  getNowait(): T {
    if (arguments.length > 0) throw tooManyArguments('Queue.getNowait', arguments.length);
    return this.#s.getNowait();
  }

  /**
   * How many items are in the queue: put (room taken for them) and not yet got, counting every
   * holder, as Python's shared semaphore does. Python: `qsize()`. In the queue's process it is
   * read from shared memory, so it is exact in every thread there; a copy in another process asks
   * the queue's process (blocking until it answers, at most 1 s, then the last size it was told).
   * Once the queue's process or thread has ended (a queue made in a worker), a copy counts the
   * items it still holds, those the queue's end handed it included.
   * Other workers may change it right after, so it is a snapshot, as in Python.
   * @throws {ClosedError} after `close()`.
   * @example
   * const q = new Queue<number>();
   * await q.put(1);
   * console.log(q.qsize()); // 1
   */
  qsize(): number {
    if (arguments.length > 0) throw tooManyArguments('Queue.qsize', arguments.length);
    return this.handle.size();
  }

  /**
   * Whether `qsize()` is 0. Python: `empty()`. Approximate, as in Python: an item put in another
   * worker may be counted before it has arrived, and others may put or get right after.
   * @throws {ClosedError} after `close()`.
   * @example
   * console.log(new Queue().empty()); // true
   */
  empty(): boolean {
    if (arguments.length > 0) throw tooManyArguments('Queue.empty', arguments.length);
    return this.handle.size() === 0;
  }

  /**
   * Whether no room is left (never unbounded; room granted ahead to another process's copy counts
   * as taken, wherever it is called). Python: `full()`. Approximate: others may put or get right after.
   * @throws {ClosedError} after `close()`.
   * @example
   * const q = new Queue<number>({ maxsize: 1 });
   * q.putNowait(1);
   * console.log(q.full()); // true
   */
  full(): boolean {
    if (arguments.length > 0) throw tooManyArguments('Queue.full', arguments.length);
    return this.handle.full();
  }

  /**
   * Closes this copy: nothing more will be put through it; what it already put still arrives.
   * Other copies keep working. Python: `close()`.
   * @throws Nothing; closing again does nothing. Later use of this copy throws {@link ClosedError}.
   * @example
   * const q = new Queue<number>();
   * q.close();
   * await q.put(1).catch((err) => console.log(err.name)); // ClosedError
   */
  close(): void {
    if (arguments.length > 0) throw tooManyArguments('Queue.close', arguments.length);
    this.#s.close();
  }

  /**
   * Closes this copy when a `using` block ends, as Python's `with queue:` does.
   * @throws Nothing; see `close()`.
   * @example
   * const q = new Queue<number>();
   * {
   *   using queue = q;
   *   await queue.put(1);
   * } // q is closed here
   * await q.get().catch((err) => console.log(err.name)); // ClosedError
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Resolves once everything this copy put has reached the queue (from another thread: was handed
   * to the port it arrives by, whatever that thread does next). Call after `close()`. Python: `join_thread()`.
   * @throws {ProcessError} when called before `close()`.
   * @example
   * const q = new Queue<number>();
   * await q.put(1);
   * q.close();
   * await q.joinThread(); // everything this copy put has reached the queue
   */
  joinThread(): Promise<void> {
    if (arguments.length > 0) return rejectArguments('Queue.joinThread', arguments.length);
    return this.#s.joinThread();
  }

  /**
   * Makes `joinThread()` return at once, not waiting for buffered puts. Python: `cancel_join_thread()`.
   * @throws Nothing.
   * @example
   * const q = new Queue<number>();
   * q.cancelJoinThread();
   * q.close();
   * await q.joinThread(); // returns at once
   */
  cancelJoinThread(): void {
    if (arguments.length > 0) throw tooManyArguments('Queue.cancelJoinThread', arguments.length);
    this.#s.cancelJoinThread();
  }

  /** @internal */
  [readyHandle](): Handle {
    return this.handle;
  }

  /** @internal The codec protocol: a copy for another thread or process. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    return this.#s.encode(ctx, () => this.codecType);
  }

  /** @internal The codec protocol: copies made later, after this copy may have closed (a pool's initargs). */
  [keepSymbol](ctx: EncodeContext): Keeper {
    return this.#s.keep(ctx, () => this.codecType);
  }

  /** @internal */
  protected get codecType(): string {
    return 'multiproc.Queue';
  }
}

registerCodec('multiproc.Queue', (data: QueueData) =>
  adoptQueue(() => new Queue(), remoteQueueHandle(data, false), data.maxsize, schemaFromData(data.schema)),
);

disposableInEveryRealm(Queue.prototype);
