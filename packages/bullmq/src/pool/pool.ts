/**
 * `Pool` on BullMQ: the local pool's interface, with tasks run by `multiproc-worker` processes on
 * any machine that reaches the same Redis. Each call becomes signed jobs in a queue private to
 * this pool (one per `apply`, one per chunk of a map); results come back through the queue's event
 * stream. Lifecycle: `running` -> `closed` (no new calls) -> torn down by `join()`, or straight to
 * `terminated`; teardown unregisters the pool, waits for its workers to let go and deletes its keys.
 */
import { EventEmitter } from 'node:events';
import {
  type ApplyParams,
  type AsyncCallOptions,
  AsyncResult,
  type CallOptions,
  cpuCount,
  type ImapIterator,
  type ImapOptions,
  type MapOptions,
  type OneArgTask,
  PoolClosedError,
  type PoolStats,
  ProcessError,
  type TaskFunction,
  type TaskRef,
  type TaskResult,
} from '@multiproc/core';
import {
  assertNotBootstrapping,
  type CallInput,
  callOptions,
  checkCall,
  Flatten,
  guardMethods,
  type Inspect,
  inspectSymbol,
  keepCallerStack,
  POOL_ARITY,
  refuseToSend,
  settleCall,
  showFields,
  submitClosedError,
  terminatedError,
  tooManyArguments,
} from '@multiproc/core/internal';
import { disposableInEveryRealm, type WithoutNulls } from '@multiproc/shared';
import type { ArgLists, Given, Items } from './call-types.js';
import type { Calls } from './calls.js';
import type { Jobs } from './jobs.js';
import { Liveness } from './liveness.js';
import { defineBullmqPoolNames } from './names.js';
import { type PoolOptions, type ResolvedPoolOptions, resolvePoolOptions } from './options.js';
import { dropped, holding, openParts, type Parts, shutDown } from './parts.js';
import { reapedError, type Session, type WorkerInfo } from './session.js';

type State = 'running' | 'closed' | 'terminated';

/**
 * A pool whose workers are `multiproc-worker` processes on other machines, reached through BullMQ
 * queues on Redis. Same methods and results as `@multiproc/core`'s `Pool`; a job whose worker dies
 * is run again on another (at-least-once). Python: a `Pool` served by `multiprocessing.managers`.
 *
 * A pool dropped without `close()`/`terminate()` is terminated once garbage collected (its Redis
 * connections closed, its keys deleted; Python: `Pool.__del__`); a pending call (its Promise,
 * `AsyncResult` or `imap` iterator) keeps it alive.
 *
 * Events (it is an `EventEmitter`): `drain` (no job waits for a worker), `active`, `completed`,
 * `failed`, `stalled` (`{ jobId, task }`, per job), `workerCreate` / `workerDestroy` (a worker
 * started or stopped serving this pool, {@link WorkerInfo}).
 * @throws {ValidationError} from the constructor for bad options or a missing secret.
 * @throws {ContextError} from the constructor in a module a worker is importing (no `isMain()` guard).
 * @example
 * import { defineTasks, isMain } from '@multiproc/core';
 * import { Pool } from '@multiproc/bullmq';
 *
 * export const tasks = defineTasks(import.meta.url, { square: (x: number) => x * x });
 * if (isMain()) {
 *   // workers: MULTIPROC_SECRET=... multiproc-worker --redis redis://host:6379 --tasks ./tasks.js
 *   const pool = new Pool({ connection: 'redis://host:6379', secret: process.env.MULTIPROC_SECRET });
 *   console.log(await pool.map(tasks.square, [1, 2, 3])); // [1, 4, 9]
 *   pool.close();
 *   await pool.join();
 * }
 */
export class Pool extends EventEmitter implements AsyncDisposable {
  readonly #o: ResolvedPoolOptions;
  readonly #session: Session;
  readonly #jobs: Jobs;
  readonly #stop = new AbortController();
  readonly #calls: Calls;
  readonly #liveness = new Liveness();
  #state: State = 'running';
  // Set when `[Symbol.asyncDispose]` terminated the pool (an `await using` block ended), for the messages.
  #disposed = false;
  readonly #parts: Parts;
  /** Why the workers removed this pool, when they did (the user did not terminate it). */
  #reapedWith: PoolClosedError | undefined;

  constructor(options?: PoolOptions | null) {
    super();
    if (arguments.length > 1) throw tooManyArguments('new Pool', arguments.length);
    assertNotBootstrapping('a Pool'); // its jobs would import this module again, on the workers
    this.#o = resolvePoolOptions(options);
    // The parts reach the pool only through `self`, so that a dropped pool can be collected.
    const self = new WeakRef(this);
    const on = (act: (pool: Pool) => void) => () => {
      const pool = self.deref();
      if (pool) act(pool);
    };
    const parts = openParts(this.#o, {
      stop: this.#stop,
      liveness: this.#liveness,
      pool: () => self.deref(),
      emit: (event, ...args) => void self.deref()?.emit(event, ...args),
      onReaped: on((pool) => pool.#reaped()),
      onLost: (error) => on((pool) => pool.#lose(error))(),
      terminated: () => Pool.#isTerminated(self.deref()),
    });
    ({ session: this.#session, jobs: this.#jobs, calls: this.#calls } = parts);
    this.#parts = parts;
    dropped.register(this, parts, parts);
  }

  static #isTerminated(pool: Pool | undefined): boolean {
    return pool !== undefined && pool.#state === 'terminated';
  }

  /** Every Redis key of this pool starts with this (`<prefix>:pool-<id>:`); `join()` deletes them. */
  get keyPrefix(): string {
    return this.#parts.keyPrefix;
  }

  /** The workers chunks are planned for: the `processes` option, else the serving workers' concurrency. */
  get processes(): number {
    return this.#o.processes ?? (this.#session.concurrency || cpuCount());
  }

  /** The worker processes serving this pool, as of the last heartbeat (at most a second old). */
  get workers(): readonly WorkerInfo[] {
    return this.#session.workers;
  }

  /**
   * Counts of workers and jobs right now; `workers` sums the serving workers' concurrency.
   * `starting` is always 0: a worker machine is counted once it announces itself, ready to serve.
   */
  stats(): PoolStats {
    const { busy, queued, completed, failed } = this.#jobs;
    const workers = this.#session.concurrency;
    return { workers, starting: 0, busy, queued: queued + this.#calls.starting, completed, failed };
  }

  /**
   * What `console.log(pool)` shows, as for the local Pool (Python: the repr).
   * @example
   * console.log(pool); // Pool { state: 'running', processes: 2, keyPrefix: 'multiproc:pool-5f0c…:' }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const fields = { state: this.#state, processes: this.processes, keyPrefix: this.keyPrefix };
    return showFields('Pool', fields, options, inspect);
  }

  /** A short description, as the local Pool's (Python: the repr): `<Pool state=running processes=2 keyPrefix=…>`. */
  override toString(): string {
    return `<Pool state=${this.#state} processes=${this.processes} keyPrefix=${this.keyPrefix}>`;
  }

  /**
   * Runs `task(...args)` on a worker and resolves to its result. Python: `apply`.
   * @param task A task reference made by `defineTasks()`, exported by a module the workers load.
   * @param rest `[args?, options?]`: `args`, its arguments (structured-cloneable values; default
   *   `[]`); `options`, `signal` and `timeout` (ms from this call, queued time included) cancel the
   *   job, `onMessage` receives `sendToCaller()` messages (one that throws fails the call, as locally).
   * @throws {PoolClosedError} (as a rejection) after `close()` or `terminate()`.
   * @throws {UnknownTaskError} (as a rejection) when the worker did not load the task's module.
   * @example
   * console.log(await pool.apply(tasks.square, [7])); // 49
   */
  async apply<F extends TaskFunction>(
    task: TaskRef<F>,
    ...rest: ApplyParams<F, CallOptions>
  ): Promise<TaskResult<F>> {
    const [args, given] = rest as unknown as Given<CallOptions>; // null (Python's None): not given
    const options = this.#admit(task, given, 'apply', { args });
    // An error that came back over Redis gains the frames of the code awaiting the call, as locally.
    return keepCallerStack(
      this.#calls.apply(task, (args ?? []) as unknown[], options) as Promise<TaskResult<F>>,
    );
  }

  /**
   * Like {@link apply}, but returns an `AsyncResult` at once. Python: `apply_async`.
   * @param rest `[args?, options?]`, as for {@link apply}; `options` also takes `callback` and
   *   `errorCallback`, called when the call settles.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @example
   * const r = pool.applyAsync(tasks.square, [7]);
   * console.log(await r.get(5000)); // 49
   */
  applyAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    ...rest: ApplyParams<F, AsyncCallOptions<TaskResult<F>>>
  ): AsyncResult<TaskResult<F>> {
    const [args, given] = rest as unknown as Given<AsyncCallOptions<TaskResult<F>>>;
    const options = this.#admit(task, given, 'applyAsync', { args });
    const call = this.#calls.apply(task, (args ?? []) as unknown[], options) as Promise<TaskResult<F>>;
    return new AsyncResult(settleCall(call, options));
  }

  /**
   * Applies `task` to every item; resolves to the results in input order. One job per chunk of
   * `chunksize` items (default: about four chunks per worker). Python: `map`.
   * @param iterable Any sync or async iterable.
   * @param options `chunksize`, `onProgress(done, total)`, `signal`, `timeout`, `onMessage`.
   * @throws {PoolClosedError} (as a rejection) after `close()` or `terminate()`.
   * @example
   * console.log(await pool.map(tasks.square, [1, 2, 3])); // [1, 4, 9]
   */
  async map<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: MapOptions | null = {},
  ): Promise<TaskResult<F>[]> {
    const opts = this.#admit(task, options, 'map', { iterable });
    return keepCallerStack(this.#calls.collect(task, iterable, opts, 'map') as Promise<TaskResult<F>[]>);
  }

  /**
   * Like {@link map}, returning an `AsyncResult`. Python: `map_async`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @example
   * console.log(await pool.mapAsync(tasks.square, [1, 2, 3]).get()); // [1, 4, 9]
   */
  mapAsync<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: (MapOptions & AsyncCallOptions<TaskResult<F>[]>) | null = {},
  ): AsyncResult<TaskResult<F>[]> {
    const opts = this.#admit(task, options, 'mapAsync', { iterable });
    return new AsyncResult(
      settleCall(this.#calls.collect(task, iterable, opts, 'map') as Promise<TaskResult<F>[]>, opts),
    );
  }

  /**
   * Like {@link map}, each item an argument list. Python: `starmap`.
   * @throws {PoolClosedError} (as a rejection) after `close()` or `terminate()`.
   * @example
   * console.log(await pool.starmap(tasks.add, [[1, 2], [3, 4]])); // [3, 7]
   */
  async starmap<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: MapOptions | null = {},
  ): Promise<TaskResult<F>[]> {
    const opts = this.#admit(task, options, 'starmap', { iterable });
    return keepCallerStack(this.#calls.collect(task, iterable, opts, 'star') as Promise<TaskResult<F>[]>);
  }

  /**
   * Like {@link starmap}, returning an `AsyncResult`. Python: `starmap_async`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @example
   * console.log(await pool.starmapAsync(tasks.add, [[1, 2]]).get()); // [3]
   */
  starmapAsync<F extends TaskFunction>(
    task: TaskRef<F>,
    iterable: ArgLists<F>,
    options: (MapOptions & AsyncCallOptions<TaskResult<F>[]>) | null = {},
  ): AsyncResult<TaskResult<F>[]> {
    const opts = this.#admit(task, options, 'starmapAsync', { iterable });
    return new AsyncResult(
      settleCall(this.#calls.collect(task, iterable, opts, 'star') as Promise<TaskResult<F>[]>, opts),
    );
  }

  /**
   * Yields results in input order, reading the input lazily with at most `inflight` jobs out
   * (default twice the workers); leaving the loop early cancels them. Python: `imap`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @example
   * for await (const y of pool.imap(tasks.square, [1, 2, 3])) console.log(y); // 1, 4, 9
   */
  imap<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions | null = {},
  ): ImapIterator<TaskResult<F>> {
    const opts = this.#admit(task, options, 'imap', { iterable });
    return this.#results<TaskResult<F>>(task, iterable, opts, 'imap');
  }

  /**
   * Yields results in completion order, reading the input lazily. Python: `imap_unordered`.
   * @throws {PoolClosedError} at once after `close()` or `terminate()`.
   * @example
   * for await (const y of pool.imapUnordered(tasks.square, [1, 2, 3])) console.log(y);
   */
  imapUnordered<F extends OneArgTask>(
    task: TaskRef<F>,
    iterable: Items<F>,
    options: ImapOptions | null = {},
  ): ImapIterator<TaskResult<F>> {
    const opts = this.#admit(task, options, 'imapUnordered', { iterable });
    return this.#results<TaskResult<F>>(task, iterable, opts, 'imapUnordered');
  }

  /** The results of an `imap`-style call one by one. */
  #results<R>(task: TaskRef, iterable: unknown, o: WithoutNulls<ImapOptions>, m: 'imap' | 'imapUnordered') {
    return new Flatten(holding(this, this.#calls.chunks(task, iterable, o, 'map', m))) as ImapIterator<R>;
  }

  /**
   * Stops accepting calls; those submitted still run, and an `imap` whose loop has not read it all
   * runs the rest of its input (its results wait for the loop), as in Python. Python: `close`.
   * @example
   * pool.close();
   * await pool.join();
   */
  close(): void {
    if (this.#state !== 'running') return;
    this.#state = 'closed';
    this.#calls.close();
  }

  /**
   * Waits for every submitted call to finish (a map still reading its input too), then unregisters
   * the pool, waits for its workers to detach and deletes its keys (its connection down: on a fresh
   * one, waited for up to `connectTimeout`). Call `close()` or `terminate()` first. Python: `join`.
   * @throws {ProcessError} (as a rejection) when the pool is still running.
   * @example
   * pool.close();
   * await pool.join();
   */
  async join(): Promise<void> {
    if (this.#state === 'running') throw new ProcessError('join() needs close() or terminate() first.');
    await keepCallerStack(this.#calls.whenIdle().then(() => this.#teardown()));
  }

  /**
   * Rejects pending calls with `PoolClosedError` (those waiting on a stalled input too), cancels
   * their jobs on the workers, and tears down as `join()` does. Python: `terminate`.
   * @example
   * await pool.terminate();
   */
  async terminate(): Promise<void> {
    this.#terminate(terminatedError(this.#disposed));
    await keepCallerStack(this.#teardown());
  }

  /** `await using pool = new Pool(...)` terminates it at the end of its scope (the messages say so). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state !== 'terminated') this.#disposed = true;
    await this.terminate();
  }

  #terminate(error: Error): void {
    this.#state = 'terminated';
    this.#stop.abort(error);
    this.#jobs.failAll(error);
    this.#calls.wake();
  }

  #reaped(): void {
    this.#reapedWith = reapedError(this.#o.clientTtl);
    this.#terminate(this.#reapedWith);
  }

  /**
   * Redis lost the pool: every pending and later call rejects with `error`, and the pool lets go
   * of Redis at once (deleting what is left of its keys if Redis is there), so `join()` and
   * `terminate()` only wait for that.
   */
  #lose(error: Error): void {
    this.#stop.abort(error);
    this.#jobs.failAll(error);
    this.#calls.wake();
    void this.#teardown();
  }

  #teardown(): Promise<void> {
    this.#liveness.set(true);
    dropped.unregister(this.#parts);
    return shutDown(this.#parts);
  }

  /** Checks a call as the local pool does (same errors, null: not given) and that the pool takes it. */
  #admit<O extends object>(task: unknown, given: O | null | undefined, method: string, input: CallInput) {
    const options = callOptions(given);
    const r = this.#reapedWith;
    if (r) throw new PoolClosedError(`No new tasks can be submitted: ${r.message}`, { cause: r });
    if (this.#state !== 'running') throw submitClosedError(this.#state, this.#disposed);
    checkCall(task, options, method, input);
    return options;
  }
}
disposableInEveryRealm(Pool.prototype);
guardMethods(Pool.prototype, 'Pool', POOL_ARITY);
defineBullmqPoolNames(Pool.prototype);
refuseToSend(Pool.prototype, 'Pool');
