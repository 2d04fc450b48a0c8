/**
 * `Pool`: a fixed set of workers that run tasks. Mirrors Python's `multiprocessing.Pool`, built on
 * tinypool (worker management) with multiproc's batching, crash handling and laziness around it.
 */
import { EventEmitter } from 'node:events';
import { disposableInEveryRealm, ProcessError } from '@multiproc/shared';
import { guardMethods, POOL_ARITY, tooManyArguments } from '../internal/arity.js';
import { assertMayStartWorkers } from '../internal/bootstrap.js';
import { keepCallerStack } from '../internal/caller-stack.js';
import { refuseToSend } from '../internal/host-bound.js';
import { type Inspect, inspectSymbol, showFields } from '../internal/inspect.js';
import type { ContextName } from '../options.js';
import type { ApplyParams, OneArgTask, TaskFunction, TaskRef, TaskResult } from '../task.js';
import { AsyncResult } from './async-result.js';
import { PoolEngine } from './engine.js';
import type { PoolEvents } from './events.js';
import type { ImapIterator } from './flatten.js';
import type { Gate } from './gate.js';
import { collectAll, imapResults } from './map-call.js';
import type {
  AsyncCallOptions,
  CallOptions,
  CheckedPoolOptions,
  ImapOptions,
  MapOptions,
  PoolOptions,
} from './options.js';
import type { ArgLists, Items, PoolStats } from './types.js';
import { callOptions, settleCall } from './util.js';

export type { PoolStats } from './types.js';

/**
 * Each call's result (Promise, `AsyncResult`, `imap` iterator) keeps its Pool alive, as Python's
 * results hold their pool: `await new Pool().apply(...)` runs to its end (nothing kept past it). */
const owners = new WeakMap<object, Pool>();

/**
 * Terminates the workers of a Pool collected while it was running, or closed but never joined
 * (Python: `Pool.__del__` and the `_terminate_pool` finalizer): a program that drops its pools
 * without `close()`/`terminate()` does not keep their workers for its whole life.
 */
const finalizer = new FinalizationRegistry<PoolEngine>((engine) => engine.dropped());

/**
 * A pool of workers. Python: `multiprocessing.Pool`.
 *
 * A worker that dies (throws at top level, calls `process.exit()`, is killed, runs out of memory)
 * fails only the call it was running, with `WorkerCrashedError`, and is replaced; calls that had
 * finished keep their results and calls it had not started run on another worker, once.
 *
 * A pool dropped without `close()`/`terminate()` is terminated once garbage collected (Python:
 * `Pool.__del__`); a pending call (its Promise, `AsyncResult` or `imap` iterator) keeps it alive.
 *
 * It is an `EventEmitter` of {@link PoolEvents}: `'workerCreate'`, `'workerDestroy'`, `'crash'`
 * and `'drain'`. `NODE_DEBUG=multiproc` logs each worker's start, exit (`closed` after `join()`,
 * `terminated` after `terminate()`), crash, retirement and replacement to stderr.
 * @throws {ValidationError} from the constructor for bad options, naming the option.
 * @throws {ContextError} from the constructor under Node's permission model without `--allow-worker`
 * (`'thread'`) or `--allow-child-process` (`'process'`), and at the top level of a module a worker is importing
 * (guard it with `if (isMain())`).
 * @example
 * const pool = new Pool({ processes: 4 });
 * pool.on('crash', (crash) => console.error(`worker ${crash.id} died`, crash.exitCode, crash.signal));
 * console.log(await pool.map(tasks.square, [1, 2, 3])); // [1, 4, 9]
 * pool.close();
 * await pool.join();
 */
export class Pool<I extends TaskFunction = TaskFunction>
  extends EventEmitter<PoolEvents>
  implements AsyncDisposable
{
  readonly #engine: PoolEngine;
  readonly #gate: Gate;

  /**
   * @param options `initargs` are checked against `initializer`'s parameters (`I`), and required
   *   when it has a required one.
   */
  constructor(options?: CheckedPoolOptions<I> | null) {
    if (arguments.length > 1) throw tooManyArguments('new Pool', arguments.length);
    super();
    assertMayStartWorkers('a Pool');
    this.#engine = new PoolEngine(
      new WeakRef(this),
      (options === undefined ? {} : options) as PoolOptions | null,
    );
    this.#gate = this.#engine.gate;
    finalizer.register(this, this.#engine);
  }

  /** `result`, which keeps this pool alive while it is reachable (see `owners`). */
  #keeps<T extends object>(result: T): T {
    owners.set(result, this);
    return result;
  }

  /** A call's promise, kept as {@link #keeps} does; its rejection tells where it was awaited. */
  #call<T>(promise: Promise<unknown>): Promise<T> {
    return this.#keeps(keepCallerStack(promise as Promise<T>));
  }

  /** The context the workers run in. */
  get context(): ContextName {
    return this.#engine.context;
  }

  /** The number of workers. */
  get processes(): number {
    return this.#engine.processes;
  }

  /**
   * What `console.log(pool)` shows: `Pool { state: 'running', processes: 2, context: 'thread' }`
   * (`state` is `'running'`, `'closed'` or `'terminated'`). Python: the repr
   * `<multiprocessing.pool.Pool state=RUN pool_size=2>`.
   * @throws Nothing: it only reads the pool's state, also after `terminate()`.
   * @example
   * console.log(pool); // Pool { state: 'running', processes: 2, context: 'thread' }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const fields = { state: this.#gate.state, processes: this.processes, context: this.context };
    return showFields('Pool', fields, options, inspect);
  }

  /**
   * A short description, as Python's repr `<multiprocessing.pool.Pool state=RUN pool_size=2>`.
   * @throws Nothing: it only reads the pool's state.
   * @example
   * console.log(String(pool)); // <Pool state=running processes=2 context=thread>
   */
  override toString(): string {
    return `<Pool state=${this.#gate.state} processes=${this.processes} context=${this.context}>`;
  }

  /**
   * Counts of workers and tasks right now (multiproc only; Python has no equivalent). From
   * `new Pool()` on, `workers` counts those still starting too (Python's `Pool()` has started its
   * processes when it returns), and `starting` says how many of them are not ready for a task yet.
   * @throws Nothing: it only reads counters, also after `close()`.
   * @example
   * await pool.map(tasks.square, [1, 2, 3]);
   * console.log(pool.stats().workers); // 2
   */
  stats(): PoolStats {
    return this.#engine.stats();
  }

  /**
   * Runs `task(...args)` in a worker and resolves to its result. Python: `apply`.
   * @param task - a task reference from `defineTasks()`.
   * @param rest - `[args?, options?]`: `args`, the task's arguments, sent by structured clone
   *   (default `[]`; required when the task has a required parameter); `options`, `timeout` (ms),
   *   `signal`, `onMessage`.
   * @throws {ValidationError} (rejects) when `task` is not a task reference or an option is bad.
   * @throws {PoolClosedError} (rejects) after `close()` or `terminate()`.
   * @throws {WorkerCrashedError} (rejects) when the worker died while running this call.
   * @throws {TimeoutError} (rejects) when `timeout` ms passed; an `AbortError` when `signal` aborted.
   * @throws {SerializationError} (rejects) when an argument or the result cannot be sent.
   * Also rejects with what the task threw: same class, message, stack; `cause`, fields sent as results are.
   * @example
   * console.log(await pool.apply(tasks.add, [2, 3])); // 5
   */
  apply<F extends TaskFunction>(
    task: TaskRef<F>,
    ...rest: ApplyParams<F, CallOptions>
  ): Promise<TaskResult<F>> {
    const [args, given] = rest as unknown as [(unknown[] | null)?, (CallOptions | null)?];
    const options = callOptions(given); // null (Python's None): no options, as is an option set to null
    return this.#call(this.#engine.apply(task, args ?? [], options));
  }

  /**
   * Like {@link apply}, but returns an {@link AsyncResult} at once. Python: `apply_async`.
   * @param rest - `[args?, options?]`, as for {@link apply}; `options` also takes `callback` and
   *   `errorCallback`, as Python's `callback` and `error_callback`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * @throws {QueueFullError} at once when `maxQueue` tasks are already waiting.
   * The result rejects as {@link apply} does.
   * @example
   * const r = pool.applyAsync(tasks.square, [7], { callback: (v) => console.log('got', v) });
   * console.log(await r.get(30_000), r.successful()); // 49 true
   */
  applyAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    ...rest: ApplyParams<F, AsyncCallOptions<TaskResult<F>>>
  ): AsyncResult<TaskResult<F>> {
    const [argList, given] = rest as unknown as [
      (unknown[] | null)?,
      (AsyncCallOptions<TaskResult<F>> | null)?,
    ];
    const [args, options] = [argList ?? [], callOptions(given)]; // null (Python's None): as for apply()
    this.#gate.admitNow(task, options, 'applyAsync', { args });
    const promise = this.#keeps(
      this.#gate.track(this.#engine.call(task, args as unknown[], options)),
    ) as Promise<TaskResult<F>>;
    return this.#keeps(new AsyncResult(settleCall(promise, options), this.#engine.spec(task)));
  }

  /**
   * Applies `task` to every item and resolves to the results in input order. Python: `map`.
   * @param iterable - any iterable or async iterable; read in full.
   * @param options - `chunksize` (items per message; chosen for you by default), `onProgress`,
   * `timeout`, `signal`.
   * @throws {PoolClosedError} (rejects) after `close()` or `terminate()`.
   * @throws {WorkerCrashedError} (rejects) when a worker died running one of its chunks.
   * @throws {ValidationError} (rejects) for a bad task or option.
   * Also rejects with the input iterable's error, or with the first failed item's in INPUT order
   * (`taskIndex`: its position) once every item before it has finished (Python waits for every item,
   * then raises the first failure in time); running chunks finish, unstarted ones never run.
   * @example
   * console.log(await pool.map(tasks.square, [1, 2, 3], { chunksize: 2 })); // [ 1, 4, 9 ]
   */
  map<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: MapOptions | null = {},
  ): Promise<TaskResult<F>[]> {
    options = callOptions(options); // null (Python's None): no options, as is an option set to null
    return this.#call(this.#engine.mapCall('map', task, options, iterable, false));
  }

  /**
   * Like {@link map}, returning an {@link AsyncResult}. Python: `map_async`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * @throws {QueueFullError} at once when `maxQueue` tasks are already waiting.
   * The result rejects as {@link map} does, at the same moment; `errorCallback` gets that error.
   * @example
   * const r = pool.mapAsync(tasks.square, [4, 5]);
   * console.log(await r); // [ 16, 25 ]
   */
  mapAsync<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: (MapOptions & AsyncCallOptions<TaskResult<F>[]>) | null = {},
  ): AsyncResult<TaskResult<F>[]> {
    options = callOptions(options); // null (Python's None): no options, as is an option set to null
    this.#gate.admitNow(task, options, 'mapAsync', { iterable });
    const promise = this.#keeps(
      this.#gate.track(collectAll(this.#engine.mapPool(), this.#engine.spec(task), iterable, options, false)),
    ) as Promise<TaskResult<F>[]>;
    return this.#keeps(new AsyncResult(settleCall(promise, options), this.#engine.spec(task)));
  }

  /**
   * Like {@link map}, with each item an argument list. Python: `starmap`.
   * @throws {PoolClosedError} (rejects) after `close()` or `terminate()`.
   * @throws {WorkerCrashedError} (rejects) when a worker died running one of its chunks.
   * Also rejects as {@link map} does (the first failed item in input order, once those before ended).
   * @example
   * console.log(await pool.starmap(tasks.add, [[1, 2], [3, 4]])); // [ 3, 7 ]
   */
  starmap<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: MapOptions | null = {},
  ): Promise<TaskResult<F>[]> {
    options = callOptions(options); // null (Python's None): no options, as is an option set to null
    return this.#call(this.#engine.mapCall('starmap', task, options, iterable, true));
  }

  /**
   * Like {@link starmap}, returning an {@link AsyncResult}. Python: `starmap_async`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {QueueFullError} at once when `maxQueue` tasks are already waiting.
   * The result rejects as {@link starmap} does, at the same moment; `errorCallback` gets that error.
   * @example
   * console.log(await pool.starmapAsync(tasks.add, [[5, 6]])); // [ 11 ]
   */
  starmapAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: (MapOptions & AsyncCallOptions<TaskResult<F>[]>) | null = {},
  ): AsyncResult<TaskResult<F>[]> {
    options = callOptions(options); // null (Python's None): no options, as is an option set to null
    this.#gate.admitNow(task, options, 'starmapAsync', { iterable });
    const promise = this.#keeps(
      this.#gate.track(collectAll(this.#engine.mapPool(), this.#engine.spec(task), iterable, options, true)),
    ) as Promise<TaskResult<F>[]>;
    return this.#keeps(new AsyncResult(settleCall(promise, options), this.#engine.spec(task)));
  }

  /**
   * Yields results in input order as they arrive, reading the input lazily: at most `inflight`
   * chunks (default `2 * processes`) ahead of the loop. Leaving the loop stops reading. Python: `imap`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * A failed item (its task threw, its worker died: `WorkerCrashedError`, its result could not be
   * sent: `SerializationError`) rejects that one `next()`, and later `next()` calls go on with the
   * next items, as Python's `IMapIterator.next()` does (with `chunksize`, a chunk is one task as in
   * Python: its items after the failed one do not run). The input iterable's own error, an abort, a
   * timeout or `PoolClosedError` ends the loop, after every result before it. A `timeout` fails
   * only the results not received by its deadline (Python's `next(timeout)` fails only a wait for
   * a result not there): the results received in time are yielded first, however slow the loop
   * body; a call whose input was read to its end with every result received never times out.
   * The deadline counts from the call: a call with a `timeout` starts its first `inflight` chunks at
   * once, before the loop asks (without one, nothing is read until the loop asks).
   * Once the pool is closed, the call runs the rest of its input whether the loop reads or not
   * (see {@link close}).
   * @example
   * for await (const sq of pool.imap(tasks.square, [1, 2, 3], { chunksize: 1 })) console.log(sq);
   */
  imap<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions | null = {},
  ): ImapIterator<TaskResult<F>> {
    options = callOptions(options); // null (Python's None): no options, as is an option set to null
    this.#gate.admitNow(task, options, 'imap', { iterable });
    return this.#keeps(imapResults(this.#engine.mapPool(), this.#engine.spec(task), iterable, options, true));
  }

  /**
   * Yields results in completion order, reading the input lazily. Python: `imap_unordered`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @throws {ValidationError} at once for a bad task or option.
   * A failed item rejects that one `next()` and the loop goes on, as for {@link imap}.
   * @example
   * const results = [];
   * for await (const sq of pool.imapUnordered(tasks.square, [1, 2, 3])) results.push(sq);
   * console.log(results.sort()); // [ 1, 4, 9 ]
   */
  imapUnordered<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions | null = {},
  ): ImapIterator<TaskResult<F>> {
    options = callOptions(options); // null (Python's None): no options, as is an option set to null
    this.#gate.admitNow(task, options, 'imapUnordered', { iterable });
    return this.#keeps(
      imapResults(this.#engine.mapPool(), this.#engine.spec(task), iterable, options, false),
    );
  }

  /**
   * Stops accepting tasks; those submitted still run. An open `imap`/`imapUnordered` call then
   * reads the rest of its input without waiting for its loop (at most `inflight` chunks running)
   * and keeps the results until the loop reads them: memory grows with what the loop has not
   * read. A loop that stopped at a failed item (a `for await` does) has left: its call reads no
   * more. Python: `close`.
   * @throws Nothing; calling it again does nothing.
   * @example
   * const results = pool.map(tasks.square, [1, 2]);
   * pool.close(); // new submissions now fail with PoolClosedError
   * await pool.join();
   * console.log(await results); // [ 1, 4 ]
   */
  close(): void {
    this.#engine.close();
  }

  /**
   * Waits for every submitted task to finish, every item of an `imap` made before `close()`
   * included (an endless input keeps it waiting, as in Python), and the workers to stop; no worker
   * starts after that. Call `close()` or `terminate()` first. Python: `join`.
   * @throws {ProcessError} (rejects) when called before `close()` or `terminate()` (Python: `ValueError`).
   * @example
   * pool.close();
   * await pool.join(); // every submitted task has finished, the workers have stopped
   */
  join(): Promise<void> {
    if (this.#gate.state === 'running') {
      return Promise.reject(new ProcessError('join() needs close() or terminate() first.'));
    }
    return this.#call(this.#engine.join()); // a pool dropped while joined is not terminated
  }

  /**
   * Stops the workers at once; pending calls reject with `PoolClosedError`, running ones too, and
   * so do map calls waiting on an async input that stopped yielding. Python: `terminate`.
   * @throws Nothing; calling it again does nothing.
   * @example
   * console.log(await pool.map(tasks.square, [1, 2, 3])); // [ 1, 4, 9 ]
   * await pool.terminate(); // the workers stop at once
   * await pool.apply(tasks.square, [4]).catch((err) => console.log(err.name)); // PoolClosedError
   */
  async terminate(): Promise<void> {
    await keepCallerStack(this.#engine.terminate());
  }

  /**
   * `await using pool = new Pool()` terminates it at the end of the scope, as Python's
   * `with Pool() as pool:` does. Await every call inside the block: `return pool.map(...)` leaves
   * the block before the call ends, and the call then rejects with `PoolClosedError` (saying so);
   * write `return await pool.map(...)`.
   * @throws Nothing, as {@link terminate}.
   * @example
   * await pool[Symbol.asyncDispose](); // what leaving an `await using` block calls
   * console.log(pool.stats().workers); // 0
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#engine.terminate(true);
  }
}

disposableInEveryRealm(Pool.prototype);
guardMethods(Pool.prototype, 'Pool', POOL_ARITY, ['apply', 'map', 'starmap', 'join']);
refuseToSend(Pool.prototype, 'Pool');
