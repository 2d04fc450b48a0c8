/**
 * The calls of a BullMQ pool: an `apply` is one job; a map-style call is one job per chunk, fed
 * by the stream engine. Each call waits for the pool's connection, honours its `signal`/`timeout`
 * (cancelling its jobs), and counts as busy until it settles, so `join()` waits for it.
 */
import {
  type CallOptions,
  type ImapOptions,
  type MapOptions,
  PoolClosedError,
  type TaskRef,
  ValidationError,
} from '@multiproc/core';
import { AdaptiveChunks, knownLength, streamChunks, watchAbort } from '@multiproc/core/internal';
import { thrownOrError } from '../internal/error-record.js';
import type { JobKind, ResultPayload } from '../internal/protocol.js';
import { moduleNameOf, taskIdOf } from '../internal/task-ids.js';
import { allPlain, assertPortable } from '../internal/wire.js';
import type { Jobs } from './jobs.js';
import { type CallScope, openScope } from './scope.js';
import type { Session } from './session.js';

/** A chunk's outcome: the results before the first failure, and that failure if any. */
interface ChunkResult {
  readonly values: readonly unknown[];
  readonly error?: unknown;
  /** Worker time the chunk took, for adaptive sizing. */
  readonly ms: number;
}

/**
 * Chunks of an input of unknown length start small, then each takes about 50 ms of worker time,
 * growing while a chunk's time is mostly its Redis round trip: trivial items travel by thousands
 * and slow items one by one.
 */
const chunkSizer = () => new AdaptiveChunks({ first: 16, max: 65_536, targetMs: 50, growWhileFast: true });

/** The map-style methods, by the name their errors give. */
export type MapMethod = 'map' | 'starmap' | 'imap' | 'imapUnordered';

/** Makes a stream read its whole input (`StreamOptions.readsOn`). */
type ReadAll = (leftError: () => unknown) => Promise<void>;

/** What an imap loop that left at a failed item gets should it go on after the pool closed. */
const leftClosed = () =>
  new PoolClosedError(
    'The pool was closed while this imap loop was stopped at a failed item: the rest of its input was not run. Read on before close() to run it.',
  );

/**
 * What a map call's timeout says, as in the local pool. A `map` fails as a whole; an `imap`
 * (`keepsReceived`) yields what arrived in time and fails only the rest.
 */
function timeoutMessage(method: MapMethod, keepsReceived: boolean): (ms: number) => string {
  if (!keepsReceived) return (ms) => `The ${method} call did not finish within ${ms} ms.`;
  return (ms) =>
    `The ${method} call did not receive every result within ${ms} ms of the call (its timeout): ` +
    'the results received by then were yielded, the items not done by then (or not yet read from ' +
    'the input) timed out.';
}

/** What the calls need from their pool. */
export interface CallsHost {
  readonly jobs: Jobs;
  readonly session: Session;
  /** Resolves once the pool is connected and registered. */
  readonly ready: Promise<void>;
  /** Aborted (with the error to reject with) when the pool is terminated. */
  readonly stop: AbortSignal;
  /** The pool's registry member, named in cancel messages. */
  readonly member: string;
  /** module URL -> portable name, from the `moduleNames` option. */
  readonly moduleNames: ReadonlyMap<string, string>;
  /** Whether `processes` was given (else a map plans with a fresh count of workers). */
  readonly fixedProcesses: boolean;
  readonly processes: () => number;
}

export class Calls {
  readonly #host: CallsHost;
  readonly #owners = new Map<string, string>();
  readonly #idle: Array<() => void> = [];
  /** The open `imap` calls, each as the function that makes it read the rest of its input (`close()`). */
  readonly #readers = new Set<() => Promise<void>>();
  #starting = 0;
  /** `apply`/`map`-style calls still running (a map may be between chunks, reading its input). */
  #running = 0;
  #seq = 0;

  constructor(host: CallsHost) {
    this.#host = host;
  }

  /** Calls waiting for the connection (counted as queued). */
  get starting(): number {
    return this.#starting;
  }

  /** Resolves once no call is starting or running and no job is out. */
  async whenIdle(): Promise<void> {
    while (this.#busy()) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Wakes `whenIdle()` waiters when nothing is left (called as jobs settle). */
  wake(): void {
    if (this.#busy()) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #busy(): boolean {
    return this.#starting > 0 || this.#running > 0 || this.#host.jobs.size > 0;
  }

  /** One `apply`: one job. */
  async apply(task: TaskRef, args: unknown[], options: CallOptions): Promise<unknown> {
    const scope = openScope(options, this.#host.stop);
    let id: string | undefined;
    this.#running++;
    try {
      const taskId = this.#taskId(task);
      if (!Array.isArray(args)) throw new ValidationError("Pool.apply: 'args' must be an array.");
      if (!allPlain(args)) assertPortable(args, 'args');
      await this.#started(scope);
      id = `a${++this.#seq}`;
      const reply = this.#submit(id, taskId, 'apply', 0, args, scope.onMessage);
      const result = await Promise.race([reply, scope.stopped]);
      if (!result.ok) throw thrownOrError(result.error);
      return (result as { value: unknown }).value;
    } catch (error) {
      if (id !== undefined && scope.isStopped()) this.#cancel([id]);
      throw error;
    } finally {
      scope.dispose();
      this.#running--;
      this.wake();
    }
  }

  /** A `map`/`starmap`: every chunk's results, in input order. */
  async collect(task: TaskRef, iterable: unknown, options: MapOptions, kind: JobKind): Promise<unknown[]> {
    const out: unknown[] = [];
    this.#running++;
    try {
      const method = kind === 'star' ? 'starmap' : 'map';
      for await (const chunk of this.chunks(task, iterable, options, kind, method)) {
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
      void Promise.race([readAll(), stopped]).finally(() => {
        this.#running--;
        this.wake();
      });
    }
    this.#readers.clear();
  }

  /**
   * The results of a map-style call, a chunk at a time; starts when first iterated (or when the
   * pool is closed, for an `imap`). A `map` keeps every result (its chunks go as fast as workers
   * take them); an `imap` is paced by its consumer until `close()`.
   */
  chunks(
    task: TaskRef,
    iterable: unknown,
    options: ImapOptions,
    kind: JobKind,
    method: MapMethod,
  ): AsyncGenerator<ArrayLike<unknown>, void, undefined> {
    const keepsAll = method === 'map' || method === 'starmap';
    const call = ++this.#seq;
    let chunk = 0;
    const self = this;
    const host = this.#host;
    // Set once the stream runs: makes it read its whole input (see StreamOptions.readsOn).
    let handOver!: (readAll: ReadAll | undefined) => void;
    const readAllReady = new Promise<ReadAll | undefined>((resolve) => {
      handOver = resolve;
    });
    let first: Promise<IteratorResult<ArrayLike<unknown>, void>> | undefined;
    let started = false;
    const body = (async function* () {
      const scope = openScope(options, host.stop, {
        timeoutMessage: timeoutMessage(method, !keepsAll),
        unrefTimer: !keepsAll,
      });
      // This call's jobs not settled yet: once it stops (`signal`, `timeout`, an early exit, a
      // failure), those still queued are removed and the running ones stopped on their workers.
      const live = new Set<string>();
      try {
        const taskId = self.#taskId(task);
        await self.#started(scope);
        const processes = await self.#plan(options, iterable);
        const submit = (items: unknown[], base: number) => {
          const id = `m${call}-${chunk++}`;
          if (host.stop.aborted) return { handle: id, reply: Promise.reject(host.stop.reason) };
          // An item is named by its index in the input, as the core Pool names it (`items[3].cb`).
          if (!allPlain(items)) {
            for (let i = 0; i < items.length; i++) assertPortable(items[i], `items[${base + i}]`);
          }
          live.add(id);
          const reply = self.#submit(id, taskId, kind, base, items, scope.onMessage).then(
            (r) => {
              live.delete(id);
              return chunkResult(r, base);
            },
            (error: unknown) => {
              live.delete(id);
              throw error;
            },
          );
          return { handle: id, reply: Promise.race([reply, scope.stopped]) };
        };
        yield* streamChunks(iterable as Iterable<unknown>, submit, (ids) => self.#cancel(ids), {
          processes,
          chunksize: options.chunksize,
          inflight: options.inflight ?? (keepsAll ? 4 : 2) * processes,
          ordered: method !== 'imapUnordered',
          keepsAll,
          onProgress: options.onProgress,
          read: (result: ChunkResult) => result,
          sizer: chunkSizer(),
          // The call's end (timeout, signal, the pool stopped) ends the stream at once, also while
          // it waits on an input that stopped yielding: no job of its own may be out then. An
          // imap's timeout stops only its reading: what it received in time is still yielded.
          interruptible: (stop, stopReading) =>
            scope.onStop((error, timedOut) => (timedOut && !keepsAll ? stopReading : stop)(error)),
          onReceived: () => scope.received(),
          readsOn: handOver,
        });
      } finally {
        handOver(undefined);
        scope.dispose();
        if (live.size > 0) self.#cancel([...live]);
      }
    })();
    const forget = keepsAll
      ? undefined
      : this.#reading(async () => {
          if (!started && first === undefined) {
            // The body runs up to the stream's start, which hands over readAll.
            first = body.next();
            first.catch(() => {});
          }
          return (await readAllReady)?.(leftClosed);
        });
    return (async function* () {
      started = true;
      try {
        if (first !== undefined) {
          const step = await first;
          if (step.done) return;
          yield step.value;
        }
        yield* body;
      } finally {
        forget?.();
      }
    })();
  }

  /** Registers an `imap`'s `readAll` for `close()`; returns the function that forgets it. */
  #reading(readAll: () => Promise<void>): () => void {
    this.#readers.add(readAll);
    return () => this.#readers.delete(readAll);
  }

  /** The portable id of `task`, refusing two modules that would share a name on the workers. */
  #taskId(task: TaskRef): string {
    const name = this.#host.moduleNames.get(task.module) ?? moduleNameOf(task.module);
    const owner = this.#owners.get(name);
    if (owner === undefined) this.#owners.set(name, task.module);
    else if (owner !== task.module) {
      throw new ValidationError(
        `Tasks of ${owner} and ${task.module} would both be named '${name}' on the workers: ` +
          "give one of them another name with the pool's moduleNames option (and --tasks name=path).",
      );
    }
    return taskIdOf(name, task.taskName);
  }

  /** Waits for the connection; counts the call as starting meanwhile. */
  async #started(scope: CallScope): Promise<void> {
    this.#starting++;
    try {
      await Promise.race([this.#host.ready, scope.stopped]);
      if (this.#host.stop.aborted) throw this.#host.stop.reason;
    } finally {
      this.#starting--;
    }
  }

  #submit(
    id: string,
    task: string,
    kind: JobKind,
    base: number,
    payload: unknown[],
    onMessage?: (v: unknown) => void,
  ) {
    return this.#host.jobs.submit({ id, task, kind, base, payload, onMessage });
  }

  #cancel(ids: readonly string[]): void {
    const host = this.#host;
    if (host.stop.aborted) return; // terminate() stops everything at once
    host.jobs.cancel(ids, (jobs) => host.session.publish({ t: 'cancel', pool: host.member, jobs }));
  }

  /** How many workers to plan for: the option, else (for an input of known length) a fresh count. */
  async #plan(options: MapOptions, iterable: unknown): Promise<number> {
    const host = this.#host;
    if (!host.fixedProcesses && options.chunksize === undefined && knownLength(iterable) !== undefined) {
      await host.session.refresh();
    }
    return host.processes();
  }
}

/** A worker's chunk result, with a failed item's `taskIndex` counted from the call's first item. */
function chunkResult(result: ResultPayload, base: number): ChunkResult {
  if (result.ok) return result as ChunkResult;
  const error = thrownOrError(result.error);
  const index = error instanceof Error ? (error as { taskIndex?: unknown }).taskIndex : undefined;
  if (typeof index === 'number')
    Object.defineProperty(error, 'taskIndex', { value: index + base, enumerable: true });
  return { values: result.values ?? [], error, ms: result.ms ?? 0 };
}
