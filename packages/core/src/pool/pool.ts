/**
 * `Pool`: a fixed set of workers that run tasks. Mirrors Python's `multiprocessing.Pool`, built on
 * tinypool (worker management) with multiproc's batching, crash handling and laziness around it.
 */
import { QueueFullError } from '@multiproc/ipc';
import { decodeValue, encodeValue, ProcessError } from '@multiproc/shared';
import type { Tinypool } from 'tinypool';
import { PoolClosedError } from '../errors.js';
import type { CallReply, InitSpec, TaskSpec } from '../internal/batch.js';
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
import {
  abortErrorFor,
  allPrimitive,
  beginCall,
  type CallInput,
  checkCall,
  plain,
  settleCall,
  Waiters,
} from './util.js';

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

  /** Counts of workers and tasks right now. */
  stats(): PoolStats {
    const d = this.#dispatcher;
    return { workers: d.workers, busy: d.busy, queued: d.queued, completed: d.completed, failed: d.failed };
  }

  /** Runs `task(...args)` in a worker and resolves to its result. Python: `apply`. */
  async apply<F extends TaskFunction>(
    task: TaskRef<F>,
    args: TaskArgs<F> = [] as unknown as TaskArgs<F>,
    options: CallOptions = {},
  ): Promise<TaskResult<F>> {
    await this.#admit(task, options, 'apply', true, { args });
    return this.#call(task, args as unknown[], options) as Promise<TaskResult<F>>;
  }

  /** Like {@link apply}, but returns an {@link AsyncResult} at once. Python: `apply_async`. */
  applyAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    args: TaskArgs<F> = [] as unknown as TaskArgs<F>,
    options: AsyncCallOptions<TaskResult<F>> = {},
  ): AsyncResult<TaskResult<F>> {
    this.#admitSync(task, options, 'applyAsync', { args });
    const promise = this.#call(task, args as unknown[], options) as Promise<TaskResult<F>>;
    return new AsyncResult(settleCall(promise, options));
  }

  /** Applies `task` to every item and resolves to the results in input order. Python: `map`. */
  async map<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: MapOptions = {},
  ): Promise<TaskResult<F>[]> {
    await this.#admit(task, options, 'map', true, { iterable });
    return this.#collect(task, iterable, options, false) as Promise<TaskResult<F>[]>;
  }

  /** Like {@link map}, returning an {@link AsyncResult}. Python: `map_async`. */
  mapAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: MapOptions & AsyncCallOptions<TaskResult<F>[]> = {},
  ): AsyncResult<TaskResult<F>[]> {
    this.#admitSync(task, options, 'mapAsync', { iterable });
    const promise = this.#collect(task, iterable, options, false) as Promise<TaskResult<F>[]>;
    return new AsyncResult(settleCall(promise, options));
  }

  /** Like {@link map}, with each item an argument list. Python: `starmap`. */
  async starmap<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: MapOptions = {},
  ): Promise<TaskResult<F>[]> {
    await this.#admit(task, options, 'starmap', true, { iterable });
    return this.#collect(task, iterable, options, true) as Promise<TaskResult<F>[]>;
  }

  /** Like {@link starmap}, returning an {@link AsyncResult}. Python: `starmap_async`. */
  starmapAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: MapOptions & AsyncCallOptions<TaskResult<F>[]> = {},
  ): AsyncResult<TaskResult<F>[]> {
    this.#admitSync(task, options, 'starmapAsync', { iterable });
    const promise = this.#collect(task, iterable, options, true) as Promise<TaskResult<F>[]>;
    return new AsyncResult(settleCall(promise, options));
  }

  /** Yields results in input order as they arrive, reading the input lazily. Python: `imap`. */
  imap<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions = {},
  ): AsyncGenerator<TaskResult<F>, void, undefined> {
    this.#admitSync(task, options, 'imap', { iterable });
    return this.#stream(task, iterable, options, true);
  }

  /** Yields results in completion order, reading the input lazily. Python: `imap_unordered`. */
  imapUnordered<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions = {},
  ): AsyncGenerator<TaskResult<F>, void, undefined> {
    this.#admitSync(task, options, 'imapUnordered', { iterable });
    return this.#stream(task, iterable, options, false);
  }

  /** Stops accepting tasks; those submitted still run. Python: `close`. */
  close(): void {
    if (this.#state === 'running') this.#state = 'closed';
    this.#room.wakeAll();
  }

  /**
   * Waits for every submitted task to finish and the workers to stop. Call `close()` or
   * `terminate()` first. Python: `join`.
   */
  async join(): Promise<void> {
    if (this.#state === 'running') throw new ProcessError('join() needs close() or terminate() first.');
    await this.#dispatcher.whenIdle();
    const tp = await this.#ready.catch(() => undefined);
    await tp?.destroy();
    this.#messages.close();
  }

  /** Stops the workers at once; pending calls reject with `PoolClosedError`. Python: `terminate`. */
  async terminate(): Promise<void> {
    this.#state = 'terminated';
    this.#room.wakeAll();
    this.#dispatcher.terminate();
    const tp = await this.#ready.catch(() => undefined);
    await tp?.destroy();
    this.#messages.close();
  }

  /** `await using pool = new Pool()` terminates it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  #closedError(): PoolClosedError {
    return new PoolClosedError(`The pool is ${this.#state}: no new tasks can be submitted.`);
  }

  #admitSync(task: unknown, options: object, method: string, input: CallInput): void {
    if (this.#state !== 'running') throw this.#closedError();
    checkCall(task, options, method, input);
    if (this.#dispatcher.queued >= this.#maxQueue) {
      throw new QueueFullError(
        `The pool's queue is full (maxQueue ${this.#maxQueue}): wait for results first.`,
      );
    }
  }

  async #admit(
    task: unknown,
    options: object,
    method: string,
    wait: boolean,
    input: CallInput,
  ): Promise<void> {
    if (this.#state !== 'running') throw this.#closedError();
    checkCall(task, options, method, input);
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
