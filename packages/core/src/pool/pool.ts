/**
 * `Pool`: a fixed set of workers that run tasks. Mirrors Python's `multiprocessing.Pool`, built on
 * tinypool (worker management) with multiproc's batching, crash handling and laziness around it.
 */
import { QueueFullError } from '@multiproc/ipc';
import { decodeValue, encodeValue, ProcessError } from '@multiproc/shared';
import type { Tinypool } from 'tinypool';
import { PoolClosedError } from '../errors.js';
import type { CallReply, InitSpec, TaskSpec } from '../internal/batch.js';
import { assertMayStartWorkers } from '../internal/bootstrap.js';
import { fromErrorRecord } from '../internal/error-record.js';
import { type ContextName, parseOptions } from '../options.js';
import { getStartMethod } from '../start-method.js';
import type { TaskArgs, TaskFunction, TaskRef, TaskResult } from '../task.js';
import { AsyncResult } from './async-result.js';
import { Dispatcher } from './dispatcher.js';
import { Flatten } from './flatten.js';
import { mapChunks } from './map-call.js';
import { CallerMessages } from './messages.js';
import {
  type AsyncCallOptions,
  type CallOptions,
  type ImapOptions,
  type MapOptions,
  type PoolOptions,
  poolOptionsSchema,
  resolvePoolOptions,
} from './options.js';
import { startTinypool } from './tinypool.js';
import { abortErrorFor, allPrimitive, beginCall, checkCall, plain, settleCall, Waiters } from './util.js';

/** What {@link Pool.stats} reports. */
export interface PoolStats {
  /** Workers alive now. */
  readonly workers: number;
  /** Tasks running or handed to a worker. */
  readonly busy: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks (calls and map chunks) that succeeded. */
  readonly completed: number;
  /** Tasks that failed, crashed, timed out or were aborted. */
  readonly failed: number;
}

type State = 'running' | 'closed' | 'terminated';
/** What `map` feeds a task: its first parameter (anything, for a task that takes none). */
type ItemOf<F> = TaskArgs<F> extends [] ? unknown : TaskArgs<F>[0];
type Items<F> = Iterable<ItemOf<F>> | AsyncIterable<ItemOf<F>>;
type ArgLists<F> = Iterable<TaskArgs<F>> | AsyncIterable<TaskArgs<F>>;

let poolCounter = 0;
/**
 * A pool of workers. Python: `multiprocessing.Pool`.
 * @throws {ValidationError} from the constructor for bad options, naming the option.
 * @throws {ContextError} from the constructor at the top level of a module a worker is importing
 * (guard it with `if (isMain())`).
 * @example
 * const pool = new Pool({ processes: 4 });
 * console.log(await pool.map(tasks.square, [1, 2, 3])); // [1, 4, 9]
 * pool.close();
 * await pool.join();
 */
export class Pool implements AsyncDisposable {
  readonly #context: ContextName;
  readonly #processes: number;
  readonly #maxQueue: number;
  readonly #dispatcher: Dispatcher;
  readonly #ready: Promise<Tinypool>;
  readonly #room = new Waiters();
  readonly #specs = new WeakMap<TaskRef, TaskSpec>();
  readonly #messages: CallerMessages;
  #state: State = 'running';

  constructor(options: PoolOptions = {}) {
    assertMayStartWorkers('a Pool');
    const opts = parseOptions(poolOptionsSchema, options, 'Pool');
    const resolved = resolvePoolOptions(opts as PoolOptions);
    this.#context = opts.context ?? getStartMethod();
    this.#processes = resolved.processes;
    this.#maxQueue = resolved.maxQueue;
    this.#messages = new CallerMessages(this.#context === 'thread');
    let init: InitSpec | null = null;
    if (opts.initializer) {
      const ref = opts.initializer as TaskRef;
      const { value, encoded } = encodeValue(opts.initargs ?? [], this.#context, 'initargs');
      init = {
        module: ref.module,
        taskName: ref.taskName,
        args: value,
        encoded,
        id: `${process.pid}:${++poolCounter}`,
      };
    }
    this.#dispatcher = new Dispatcher({
      processes: resolved.processes,
      maxTasksPerChild: resolved.maxTasksPerChild,
      init,
      abortError: (entry) => abortErrorFor(entry.signal),
      closedError: () => new PoolClosedError('The pool was terminated before this task finished.'),
      messages: this.#context === 'thread' ? this.#messages.name : null,
      channel: this.#context === 'process' ? this.#messages.sink : undefined,
      messagesSent: (sent) => this.#messages.expect(sent),
    });
    this.#ready = startTinypool({ ...resolved, context: this.#context, resourceLimits: opts.resourceLimits });
    this.#ready.then(
      (tp) => this.#dispatcher.attach(tp),
      () => {},
    );
  }

  /** The context the workers run in. */
  get context(): ContextName {
    return this.#context;
  }

  /** The number of workers. */
  get processes(): number {
    return this.#processes;
  }

  /**
   * Counts of workers and tasks right now (multiproc only; Python has no equivalent).
   * @throws Nothing: it only reads counters, also after `close()`.
   * @example
   * await pool.map(tasks.square, [1, 2, 3]);
   * console.log(pool.stats().workers); // 2
   */
  stats(): PoolStats {
    const d = this.#dispatcher;
    return { workers: d.workers, busy: d.busy, queued: d.queued, completed: d.completed, failed: d.failed };
  }

  /**
   * Runs `task(...args)` in a worker and resolves to its result. Python: `apply`.
   * @param task - a task reference from `defineTasks()`.
   * @param args - the task's arguments, sent by structured clone. @default []
   * @param options - `timeout` (ms), `signal`, `onMessage`.
   * @throws {ValidationError} (rejects) when `task` is not a task reference or an option is bad.
   * @throws {PoolClosedError} (rejects) after `close()` or `terminate()`.
   * @throws {WorkerCrashedError} (rejects) when the worker died while running this call.
   * @throws {TimeoutError} (rejects) when `timeout` ms passed; an `AbortError` when `signal` aborted.
   * @throws {SerializationError} (rejects) when an argument or the result cannot be sent.
   * Also rejects with whatever the task threw: same class, message and stack.
   * @example
   * console.log(await pool.apply(tasks.add, [2, 3])); // 5
   */
  async apply<F extends TaskFunction>(
    task: TaskRef<F>,
    args: TaskArgs<F> = [] as unknown as TaskArgs<F>,
    options: CallOptions = {},
  ): Promise<TaskResult<F>> {
    await this.#admit(task, options, 'apply', true);
    return this.#call(task, args as unknown[], options) as Promise<TaskResult<F>>;
  }

  /**
   * Like {@link apply}, but returns an {@link AsyncResult} at once. Python: `apply_async`.
   * @param options - also `callback` and `errorCallback`, as Python's `callback` and `error_callback`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * @throws {QueueFullError} at once when `maxQueue` tasks are already waiting.
   * The result rejects as {@link apply} does.
   * @example
   * const r = pool.applyAsync(tasks.square, [7], { callback: (v) => console.log('got', v) });
   * console.log(await r.get(5_000), r.successful()); // 49 true
   */
  applyAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    args: TaskArgs<F> = [] as unknown as TaskArgs<F>,
    options: AsyncCallOptions<TaskResult<F>> = {},
  ): AsyncResult<TaskResult<F>> {
    this.#admitSync(task, options, 'applyAsync');
    const promise = this.#call(task, args as unknown[], options) as Promise<TaskResult<F>>;
    return new AsyncResult(settleCall(promise, options));
  }

  /**
   * Applies `task` to every item and resolves to the results in input order. Python: `map`.
   * @param iterable - any iterable or async iterable; read in full.
   * @param options - `chunksize` (items per message; chosen for you by default), `onProgress`,
   * `timeout`, `signal`.
   * @throws {PoolClosedError} (rejects) after `close()` or `terminate()`.
   * @throws {WorkerCrashedError} (rejects) when a worker died running one of its chunks.
   * @throws {ValidationError} (rejects) for a bad task or option.
   * Also rejects with the first error an item's task threw, or the error the input iterable threw.
   * @example
   * console.log(await pool.map(tasks.square, [1, 2, 3], { chunksize: 2 })); // [ 1, 4, 9 ]
   */
  async map<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: MapOptions = {},
  ): Promise<TaskResult<F>[]> {
    await this.#admit(task, options, 'map', true);
    return this.#collect(task, iterable, options, false) as Promise<TaskResult<F>[]>;
  }

  /**
   * Like {@link map}, returning an {@link AsyncResult}. Python: `map_async`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * @throws {QueueFullError} at once when `maxQueue` tasks are already waiting.
   * The result rejects as {@link map} does.
   * @example
   * const r = pool.mapAsync(tasks.square, [4, 5]);
   * console.log(await r); // [ 16, 25 ]
   */
  mapAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: MapOptions & AsyncCallOptions<TaskResult<F>[]> = {},
  ): AsyncResult<TaskResult<F>[]> {
    this.#admitSync(task, options, 'mapAsync');
    const promise = this.#collect(task, iterable, options, false) as Promise<TaskResult<F>[]>;
    return new AsyncResult(settleCall(promise, options));
  }

  /**
   * Like {@link map}, with each item an argument list. Python: `starmap`.
   * @throws {PoolClosedError} (rejects) after `close()` or `terminate()`.
   * @throws {WorkerCrashedError} (rejects) when a worker died running one of its chunks.
   * Also rejects as {@link map} does.
   * @example
   * console.log(await pool.starmap(tasks.add, [[1, 2], [3, 4]])); // [ 3, 7 ]
   */
  async starmap<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: MapOptions = {},
  ): Promise<TaskResult<F>[]> {
    await this.#admit(task, options, 'starmap', true);
    return this.#collect(task, iterable, options, true) as Promise<TaskResult<F>[]>;
  }

  /**
   * Like {@link starmap}, returning an {@link AsyncResult}. Python: `starmap_async`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {QueueFullError} at once when `maxQueue` tasks are already waiting.
   * The result rejects as {@link starmap} does.
   * @example
   * console.log(await pool.starmapAsync(tasks.add, [[5, 6]])); // [ 11 ]
   */
  starmapAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: MapOptions & AsyncCallOptions<TaskResult<F>[]> = {},
  ): AsyncResult<TaskResult<F>[]> {
    this.#admitSync(task, options, 'starmapAsync');
    const promise = this.#collect(task, iterable, options, true) as Promise<TaskResult<F>[]>;
    return new AsyncResult(settleCall(promise, options));
  }

  /**
   * Yields results in input order as they arrive, reading the input lazily: at most `inflight`
   * chunks (default `2 * processes`) ahead of the loop. Leaving the loop stops reading. Python: `imap`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * The loop throws the first failed item's error (a task's error, `WorkerCrashedError`, or the
   * input iterable's own error) after yielding every result before it.
   * @example
   * for await (const sq of pool.imap(tasks.square, [1, 2, 3], { chunksize: 1 })) console.log(sq);
   */
  imap<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions = {},
  ): AsyncGenerator<TaskResult<F>, void, undefined> {
    this.#admitSync(task, options, 'imap');
    return this.#stream(task, iterable, options, true);
  }

  /**
   * Yields results in completion order, reading the input lazily. Python: `imap_unordered`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * The loop throws the first error an item's task threw.
   * @example
   * const results = [];
   * for await (const sq of pool.imapUnordered(tasks.square, [1, 2, 3])) results.push(sq);
   * console.log(results.sort()); // [ 1, 4, 9 ]
   */
  imapUnordered<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions = {},
  ): AsyncGenerator<TaskResult<F>, void, undefined> {
    this.#admitSync(task, options, 'imapUnordered');
    return this.#stream(task, iterable, options, false);
  }

  /**
   * Stops accepting tasks; those submitted still run. Python: `close`.
   * @throws Nothing; calling it again does nothing.
   * @example
   * const results = pool.map(tasks.square, [1, 2]);
   * pool.close(); // new submissions now fail with PoolClosedError
   * await pool.join();
   * console.log(await results); // [ 1, 4 ]
   */
  close(): void {
    if (this.#state === 'running') this.#state = 'closed';
    this.#room.wakeAll();
  }

  /**
   * Waits for every submitted task to finish and the workers to stop. Call `close()` or
   * `terminate()` first. Python: `join`.
   * @throws {ProcessError} (rejects) when called before `close()` or `terminate()` (Python: `ValueError`).
   * @example
   * pool.close();
   * await pool.join(); // every submitted task has finished, the workers have stopped
   */
  async join(): Promise<void> {
    if (this.#state === 'running') throw new ProcessError('join() needs close() or terminate() first.');
    await this.#dispatcher.whenIdle();
    const tp = await this.#ready.catch(() => undefined);
    await tp?.destroy();
    this.#messages.close();
  }

  /**
   * Stops the workers at once; pending calls reject with `PoolClosedError`, running ones too.
   * Python: `terminate`.
   * @throws Nothing; calling it again does nothing.
   * @example
   * console.log(await pool.map(tasks.square, [1, 2, 3])); // [ 1, 4, 9 ]
   * await pool.terminate(); // the workers stop at once
   * await pool.apply(tasks.square, [4]).catch((err) => console.log(err.name)); // PoolClosedError
   */
  async terminate(): Promise<void> {
    this.#state = 'terminated';
    this.#room.wakeAll();
    this.#dispatcher.terminate();
    const tp = await this.#ready.catch(() => undefined);
    await tp?.destroy();
    this.#messages.close();
  }

  /**
   * `await using pool = new Pool()` terminates it at the end of the scope, as Python's
   * `with Pool() as pool:` does.
   * @throws Nothing, as {@link terminate}.
   * @example
   * await pool[Symbol.asyncDispose](); // what leaving an `await using` block calls
   * console.log(pool.stats().workers); // 0
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  #closedError(): PoolClosedError {
    return new PoolClosedError(`The pool is ${this.#state}: no new tasks can be submitted.`);
  }

  #admitSync(task: unknown, options: object, method: string): void {
    if (this.#state !== 'running') throw this.#closedError();
    checkCall(task, options, method);
    if (this.#dispatcher.queued >= this.#maxQueue) {
      throw new QueueFullError(
        `The pool's queue is full (maxQueue ${this.#maxQueue}): wait for results first.`,
      );
    }
  }

  async #admit(task: unknown, options: object, method: string, wait: boolean): Promise<void> {
    if (this.#state !== 'running') throw this.#closedError();
    checkCall(task, options, method);
    while (wait && this.#dispatcher.queued >= this.#maxQueue) {
      await this.#room.wait();
      if (this.#state !== 'running') throw this.#closedError();
    }
  }

  /** One spec object per task ref, so a batch's task table dedupes by identity. */
  #spec(task: TaskRef): TaskSpec {
    let spec = this.#specs.get(task);
    if (!spec) {
      spec = { module: task.module, taskName: task.taskName };
      this.#specs.set(task, spec);
    }
    return spec;
  }

  #call(task: TaskRef, args: unknown[], options: CallOptions): Promise<unknown> {
    const { signal, listener, dispose } = beginCall(options, this.#messages);
    const context = this.#context;
    return new Promise((resolve, reject) => {
      const { value, transfer, encoded } = allPrimitive(args)
        ? plain(args)
        : encodeValue(args, context, 'args');
      const job = {
        kind: 'call' as const,
        task: 0,
        args: value,
        encoded,
        ...(listener === undefined ? {} : { listener }),
      };
      this.#dispatcher.submit({
        spec: this.#spec(task),
        build: () => ({ job, transfer }),
        batchable: signal === undefined,
        signal,
        taskIndex: undefined,
        resolve: (reply) => {
          dispose();
          this.#room.wakeOne();
          const r = reply as CallReply;
          if (!r.ok) reject(fromErrorRecord(r.error));
          else if (!r.encoded) resolve(r.value);
          else {
            try {
              resolve(decodeValue(r.value, context));
            } catch (error) {
              reject(error);
            }
          }
        },
        reject: (error) => {
          dispose();
          this.#room.wakeOne();
          reject(error);
        },
      });
    });
  }

  async #collect(task: TaskRef, iterable: unknown, options: MapOptions, star: boolean): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const chunk of this.#chunks(
      task,
      iterable,
      { ...options, inflight: this.#processes * 4 },
      true,
      star,
    )) {
      for (let i = 0; i < chunk.length; i++) out.push(chunk[i]);
    }
    return out;
  }

  #stream(
    task: TaskRef,
    iterable: unknown,
    options: ImapOptions,
    ordered: boolean,
  ): AsyncGenerator<any, void, undefined> {
    return new Flatten(this.#chunks(task, iterable, options, ordered, false));
  }

  #chunks(
    task: TaskRef,
    iterable: unknown,
    options: ImapOptions,
    ordered: boolean,
    star: boolean,
  ): AsyncGenerator<ArrayLike<unknown>, void, undefined> {
    return mapChunks(
      {
        dispatcher: this.#dispatcher,
        messages: this.#messages,
        context: this.#context,
        processes: this.#processes,
      },
      this.#spec(task),
      iterable,
      options,
      ordered,
      star,
    );
  }
}
