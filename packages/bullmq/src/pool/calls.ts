/**
 * The calls of a BullMQ pool: an `apply` is one job; a map-style call is one job per chunk, fed
 * by the stream engine. Each call waits for the pool's connection, honours its `signal`/`timeout`
 * (cancelling its jobs), and counts as busy until it settles, so `join()` waits for it.
 */
import {
  type CallOptions,
  type ImapOptions,
  type MapOptions,
  type TaskRef,
  ValidationError,
} from '@multiproc/core';
import { inputAtCall, knownLength, moduleTaskNames, taskSetOf, watchAbort } from '@multiproc/core/internal';
import type { WithoutNulls } from '@multiproc/shared';
import { thrownOrError } from '../internal/error-record.js';
import type { JobKind } from '../internal/protocol.js';
import { moduleNameOf, taskIdOf, tasksFingerprint } from '../internal/task-ids.js';
import { packPayload } from '../internal/wire.js';
import type { Jobs } from './jobs.js';
import { type MapCallSite, type MapChunks, type MapMethod, mapStream } from './map-stream.js';
import { ownError } from './own-error.js';
import { type CallScope, openScope } from './scope.js';
import type { Session } from './session.js';

/** What the calls need from their pool. */
export interface CallsHost {
  readonly jobs: Jobs;
  readonly session: Session;
  /** Resolves once the pool is connected and registered. */
  readonly ready: Promise<void>;
  /** Aborted (with the error to reject with) when the pool is terminated. */
  readonly stop: AbortSignal;
  /** While `terminate()` runs: resolves when it has (the calls it stopped reject after that). */
  readonly terminating: () => Promise<void> | undefined;
  /** The pool's registry member, named in cancel messages. */
  readonly member: string;
  /** module URL, or task set (`taskSetOf`) -> portable name, from the `moduleNames` option. */
  readonly moduleNames: ReadonlyMap<string | object, string>;
  /** Whether `processes` was given (else a map plans with a fresh count of workers). */
  readonly fixedProcesses: boolean;
  readonly processes: () => number;
  /** Told whether calls are pending (they keep the program alive; an idle pool does not). */
  readonly keepAlive: (busy: boolean) => void;
}

export class Calls {
  readonly #host: CallsHost;
  readonly #owners = new Map<string, string>();
  /** Portable task id -> the fingerprint of its module's task names, as of its last call. */
  readonly #fingerprints = new Map<string, string>();
  readonly #idle: Array<() => void> = [];
  /** The open `imap` calls, each as the function that makes it read the rest of its input (`close()`). */
  readonly #readers = new Set<() => Promise<void>>();
  #starting = 0;
  /** `apply`/`map`-style calls still running (a map may be between chunks, reading its input). */
  #running = 0;
  #seq = 0;

  /** What the map-style calls use of these calls. */
  readonly #site: MapCallSite;

  constructor(host: CallsHost) {
    this.#host = host;
    this.#site = {
      stop: host.stop,
      nextCall: () => ++this.#seq,
      taskId: (task) => this.#taskId(task),
      started: (scope) => this.#started(scope),
      afterTerminate: () => this.#afterTerminate(),
      plan: (options, iterable) => this.#plan(options, iterable),
      openCall: () => host.jobs.openCall(),
      closeCall: (order) => host.jobs.closeCall(order),
      submit: (id, task, kind, base, body, onMessage, order) =>
        host.jobs.submit({ id, task, kind, base, body, onMessage, mod: this.#fingerprintOf(task) }, order),
      cancel: (ids) => this.#cancel(ids),
      reading: (readAll) => {
        this.#readers.add(readAll);
        return () => this.#readers.delete(readAll);
      },
    };
  }

  /** Calls waiting for the connection (counted as queued). */
  get starting(): number {
    return this.#starting;
  }

  /** Resolves once no call is starting or running and no job is out. */
  async whenIdle(): Promise<void> {
    while (this.#busy()) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Wakes `whenIdle()` waiters when nothing is left (called as jobs are submitted and settle). */
  wake(): void {
    const busy = this.#busy();
    this.#host.keepAlive(busy);
    if (busy) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #busy(): boolean {
    return this.#starting > 0 || this.#running > 0 || this.#host.jobs.size > 0;
  }

  /** One `apply`: one job, added after those of the calls made before it (open until then). */
  async apply(task: TaskRef, args: unknown[], options: WithoutNulls<CallOptions>): Promise<unknown> {
    const jobs = this.#host.jobs;
    const order = jobs.openCall();
    const scope = openScope(options, this.#host.stop);
    let id: string | undefined;
    this.#running++;
    this.#host.keepAlive(true);
    try {
      const taskId = this.#taskId(task);
      if (!Array.isArray(args)) throw new ValidationError("Pool.apply: 'args' must be an array.");
      // Taken now: a later change to the arguments does not reach the task.
      const body = packPayload(args, 'apply', 0);
      await this.#started(scope);
      id = `a${++this.#seq}`;
      const spec = {
        id,
        task: taskId,
        kind: 'apply' as const,
        base: 0,
        body,
        mod: this.#fingerprintOf(taskId),
      };
      const reply = jobs.submit({ ...spec, onMessage: scope.onMessage }, order);
      jobs.closeCall(order);
      const result = await Promise.race([reply, scope.stopped]);
      if (!result.ok) throw thrownOrError(result.error);
      return (result as { value: unknown }).value;
    } catch (error) {
      if (id !== undefined && scope.isStopped()) this.#cancel([id]);
      await this.#afterTerminate();
      throw error;
    } finally {
      jobs.closeCall(order); // also when it failed before its job was made
      scope.dispose();
      this.#running--;
      this.wake();
    }
  }

  /**
   * A `map`/`starmap`: every chunk's results, in input order. An array, typed array, Set or Map
   * input is taken as the call is made (`inputAtCall`), as the local Pool's map takes it.
   */
  async collect(
    task: TaskRef,
    input: unknown,
    options: WithoutNulls<MapOptions>,
    kind: JobKind,
  ): Promise<unknown[]> {
    const iterable = inputAtCall(input);
    const out: unknown[] = [];
    this.#running++;
    this.#host.keepAlive(true);
    try {
      const method = kind === 'star' ? 'starmap' : 'map';
      for await (const chunk of this.chunks(task, iterable, options, kind, method)) {
        // Only an `imap` goes on after a failed item: a map's stream throws instead.
        if (!('length' in chunk)) throw chunk.error;
        for (let i = 0; i < chunk.length; i++) out.push(chunk[i]);
      }
    } finally {
      this.#running--;
      this.wake();
    }
    return out;
  }

  /**
   * `close()`: every `imap` whose consumer may not have read it all reads the rest of its input now
   * (Python's task handler feeds every task of a call whatever its consumer reads), and counts as
   * running, so `join()` waits for it, until it has nothing more to run or the pool is stopped.
   */
  close(): void {
    const stopped = new Promise<void>((resolve) => watchAbort(this.#host.stop, resolve));
    for (const readAll of this.#readers) {
      this.#running++;
      this.#host.keepAlive(true);
      void Promise.race([readAll(), stopped]).finally(() => {
        this.#running--;
        this.wake();
      });
    }
    this.#readers.clear();
  }

  /**
   * The results of a map-style call, a chunk at a time (a failed item the call goes on after as
   * its own entry); starts when first iterated (or when the pool is closed, for an `imap`).
   */
  chunks(
    task: TaskRef,
    iterable: unknown,
    options: WithoutNulls<ImapOptions>,
    kind: JobKind,
    method: MapMethod,
  ): MapChunks {
    return mapStream(this.#site, task, iterable, options, kind, method);
  }

  /** The portable id of `task`, refusing two modules that would share a name on the workers. */
  #taskId(task: TaskRef): string {
    // Its own defineTasks() call first: two task modules bundled into one file share its URL.
    const set = taskSetOf(task);
    const names = this.#host.moduleNames;
    const name = (set && names.get(set)) ?? names.get(task.module) ?? moduleNameOf(task.module);
    const owner = this.#owners.get(name);
    if (owner === undefined) this.#owners.set(name, task.module);
    else if (owner !== task.module) {
      throw new ValidationError(
        `Tasks of ${owner} and ${task.module} would both be named '${name}' on the workers: ` +
          "give one of them another name with the pool's moduleNames option (and --tasks name=path).",
      );
    }
    const id = taskIdOf(name, task.taskName);
    // Its call's tasks, which a worker's module matches whether it is that file or the bundle that
    // holds it (a bundle's URL holds other modules' tasks too). A reference that came from elsewhere
    // has no call here: its module's tasks, read again at each call (a module may define more later).
    this.#fingerprints.set(id, tasksFingerprint(set ?? moduleTaskNames(task.module)));
    return id;
  }

  /** The fingerprint of the module of a task id {@link #taskId} made. */
  #fingerprintOf(taskId: string): string {
    return this.#fingerprints.get(taskId) ?? '';
  }

  /**
   * A call `terminate()` stopped rejects once `terminate()` has resolved, as the local pool's do:
   * `const r = pool.apply(...); await pool.terminate(); await r.catch(...)` must not see its
   * rejection reported unhandled while `terminate()` talks to Redis.
   */
  async #afterTerminate(): Promise<void> {
    await this.#host.terminating()?.catch(() => {});
  }

  /** Waits for the connection; counts the call as starting meanwhile. */
  async #started(scope: CallScope): Promise<void> {
    this.#starting++;
    this.#host.keepAlive(true);
    try {
      await Promise.race([this.#host.ready, scope.stopped]);
      // After a dropped connection, not before the pool knows whether Redis kept its keys.
      await Promise.race([this.#host.session.checked(), scope.stopped]);
      if (this.#host.stop.aborted) throw ownError(this.#host.stop.reason);
    } finally {
      this.#starting--;
      this.wake();
    }
  }

  #cancel(ids: readonly string[]): void {
    const host = this.#host;
    if (host.stop.aborted) return; // terminate() stops everything at once
    host.jobs.cancel(ids, (jobs) => this.#holding(host.session.cancel(jobs)));
  }

  /** `work` (a talk with Redis on a call's behalf) counts as running until it settles. */
  #holding<T>(work: Promise<T>): Promise<T> {
    this.#running++;
    this.#host.keepAlive(true);
    return work.finally(() => {
      this.#running--;
      this.wake();
    });
  }

  /** How many workers to plan for: the option, else (for an input of known length) a fresh count. */
  async #plan(options: WithoutNulls<MapOptions>, iterable: unknown): Promise<number> {
    const host = this.#host;
    if (!host.fixedProcesses && options.chunksize === undefined && knownLength(iterable) !== undefined) {
      await this.#holding(host.session.refresh());
    }
    return host.processes();
  }
}
