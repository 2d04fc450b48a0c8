/**
 * One map-style call of a BullMQ pool (`map`, `starmap`, `imap`, `imapUnordered`): one job per
 * chunk, fed by core's stream engine, with the local pool's failure and delivery rules. The call's
 * end (its `timeout`, its `signal`, the pool stopped) ends the stream at once, also while it waits
 * on an input that stopped yielding; an `imap` goes on after a failed item, as Python's does; an
 * open `imap` reads the rest of its input when the pool is closed.
 */
import {
  type ImapOptions,
  type MapOptions,
  PoolClosedError,
  SerializationError,
  type TaskRef,
} from '@multiproc/core';
import {
  AdaptiveChunks,
  type CallOrder,
  closeUnstarted,
  isAsyncIterable,
  streamChunks,
} from '@multiproc/core/internal';
import { MAX_TIMEOUT_MS, secondsHint, type WithoutNulls } from '@multiproc/shared';
import { RedisConnectionError, UnknownTaskError } from '../errors.js';
import { thrownOrError } from '../internal/error-record.js';
import type { JobKind, ResultPayload } from '../internal/protocol.js';
import { packPayload } from '../internal/wire.js';
import { ownError } from './own-error.js';
import { type CallScope, openScope } from './scope.js';

/** The map-style methods, by the name their errors give. */
export type MapMethod = 'map' | 'starmap' | 'imap' | 'imapUnordered';

/** What the stream yields: a chunk's results, or a failed item the call goes on after (`imap`). */
export type MapChunks = ReturnType<typeof streamChunks>;

/**
 * A chunk's outcome: the results before the first failure, that failure if any, and (an `imap`
 * without `chunksize`) the outcome of its items after the failure, sent again.
 */
interface ChunkResult {
  readonly values: readonly unknown[];
  readonly error?: unknown;
  readonly more?: ChunkResult;
  /** Worker time the chunk took, for adaptive sizing. */
  readonly ms: number;
}

/** What a map-style call needs from the pool's calls. */
export interface MapCallSite {
  /** Aborted (with the error to reject with) when the pool is terminated or lost. */
  readonly stop: AbortSignal;
  /** A number unique to the call, for its job ids. */
  nextCall(): number;
  /** The portable id of `task` (throws `ValidationError` for a name clash). */
  taskId(task: TaskRef): string;
  /** Waits for the pool's connection (rejects when the call or the pool stops meanwhile). */
  started(scope: CallScope): Promise<void>;
  /** The order of a call made now, open (later calls' jobs wait) until {@link closeCall}. */
  openCall(): CallOrder;
  closeCall(order: CallOrder): void;
  /** How many workers to plan the chunks for. */
  plan(options: WithoutNulls<MapOptions>, iterable: unknown): Promise<number>;
  submit(
    id: string,
    task: string,
    kind: JobKind,
    base: number,
    /** The items, packed (`packPayload`). */
    body: Buffer,
    onMessage: ((value: unknown) => void) | undefined,
    /** The call's order (none: the job takes its place as it is sent). */
    order: CallOrder | undefined,
  ): Promise<ResultPayload>;
  /** Removes queued jobs and stops running ones (nothing once the pool has stopped). */
  cancel(ids: readonly string[]): void;
  /** Registers an `imap`'s `readAll` for `close()`; returns the function that forgets it. */
  reading(readAll: () => Promise<void>): () => void;
  /** Resolves once a running `terminate()` has (a call it stopped rejects after that). */
  afterTerminate(): Promise<void>;
}

/** Makes a stream read its whole input (`StreamOptions.readsOn`). */
type ReadAll = (leftError: () => unknown) => Promise<void>;

/**
 * Chunks of an input of unknown length start small, then each takes about 50 ms of worker time,
 * growing while a chunk's time is mostly its Redis round trip: trivial items travel by thousands
 * and slow items one by one.
 */
const chunkSizer = () => new AdaptiveChunks({ first: 16, max: 65_536, targetMs: 50, growWhileFast: true });

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
  if (!keepsReceived) return (ms) => `The ${method} call did not finish within ${ms} ms.${secondsHint(ms)}`;
  return (ms) =>
    `The ${method} call did not receive every result within ${ms} ms of the call (its timeout): ` +
    'the results received by then were yielded, the items not done by then (or not yet read from ' +
    `the input) timed out.${secondsHint(ms)}`;
}

/**
 * Whether `error` fails only the items it came with while an `imap` goes on: not when the call
 * itself ended (its abort, timeout, `onMessage` throwing, the pool stopped) or no later item can
 * run either (the pool lost Redis, the workers lack the task).
 */
function failsOnlyItems(error: unknown, scope: CallScope, stop: AbortSignal): boolean {
  if (scope.isStopped() || stop.aborted) return false;
  return !(
    error instanceof PoolClosedError ||
    error instanceof RedisConnectionError ||
    error instanceof UnknownTaskError
  );
}

/** Yields the results of `task` applied to each item of `iterable`, a chunk at a time. */
export function mapStream(
  site: MapCallSite,
  task: TaskRef,
  iterable: unknown,
  options: WithoutNulls<ImapOptions>,
  kind: JobKind,
  method: MapMethod,
): MapChunks {
  const keepsAll = method === 'map' || method === 'starmap';
  // An imap without chunksize sends a failed chunk's items after the failed one again, so that
  // each item fails or succeeds alone, as with Python's default of one item a task.
  const resends = !keepsAll && options.chunksize === undefined;
  const call = site.nextCall();
  // A map over an input read synchronously: no job of a later call is added before its last chunk,
  // as in Python (`outbox.ts`). An async input may wait on a later call; an imap's consumer paces it.
  const order = keepsAll && !isAsyncIterable(iterable) ? site.openCall() : undefined;
  const lastSent = () => order && site.closeCall(order);
  let chunk = 0;
  // Set once the stream runs: makes it read its whole input (see StreamOptions.readsOn).
  let handOver!: (readAll: ReadAll | undefined) => void;
  const readAllReady = new Promise<ReadAll | undefined>((resolve) => {
    handOver = resolve;
  });
  let first: ReturnType<MapChunks['next']> | undefined;
  let started = false;
  const open = () =>
    openScope(options, site.stop, {
      timeoutMessage: timeoutMessage(method, !keepsAll),
      unrefTimer: !keepsAll,
    });
  // A call with a timeout or a signal watches them from the call, as the local Pool's: also an
  // imap whose loop has not asked for a result yet. Any other imap holds nothing until it does.
  let opened = options.timeout != null || options.signal != null ? open() : undefined;
  const body = (async function* () {
    opened ??= open();
    const scope = opened;
    // This call's jobs not settled yet: once it stops (`signal`, `timeout`, an early exit, a
    // failure), those still queued are removed and the running ones stopped on their workers.
    const live = new Set<string>();
    // Set once the stream has ended: a failed chunk's rest is not sent after that.
    let ended = false;
    // Set once the stream took the input: from then on it closes the input as it ends.
    let streaming = false;
    try {
      const taskId = site.taskId(task);
      await site.started(scope);
      const processes = await site.plan(options, iterable);
      const send = (items: unknown[], base: number): { id: string; reply: Promise<ChunkResult> } => {
        const id = `m${call}-${chunk++}`;
        if (site.stop.aborted) return { id, reply: Promise.reject(ownError(site.stop.reason)) };
        if (ended)
          return {
            id,
            reply: Promise.reject(new PoolClosedError('The call ended before these items were sent.')),
          };
        // An item is named by its index in the input, as the core Pool names it (`items[3].cb`).
        let body: Buffer;
        try {
          body = packPayload(items, kind, base);
        } catch (error) {
          // A map fails as a whole, at once; an imap goes on after an item that cannot be sent.
          if (keepsAll) throw error;
          return { id, reply: scope.race(unsendable(items, base, error)) };
        }
        live.add(id);
        const reply = site.submit(id, taskId, kind, base, body, scope.onMessage, order).then(
          (r): ChunkResult | Promise<ChunkResult> => {
            live.delete(id);
            const result = chunkResult(r, base);
            const from = result.values.length + 1;
            if (!resends || result.error === undefined || from >= items.length) return result;
            // The chunk's reply waits for its rest's: it stays one chunk of the call (its place in
            // the input order, its share of `inflight`), and an early exit cancels the rest too.
            return send(items.slice(from), base + from).reply.then(
              (more): ChunkResult => ({ ...result, more, ms: result.ms + more.ms }),
              (error: unknown): ChunkResult => ({ ...result, more: { values: [], error, ms: 0 } }),
            );
          },
          (error: unknown) => {
            live.delete(id);
            throw error;
          },
        );
        return { id, reply: scope.race(reply) };
      };
      // An imap chunk with an item that cannot be sent fails as a chunk the worker failed at that
      // item: as one task with `chunksize`; without, the items around it run, each on its own.
      const unsendable = async (items: unknown[], base: number, error: unknown): Promise<ChunkResult> => {
        const at = resends ? firstUnsendable(items, kind, base) : -1;
        if (at === -1) throw error;
        const part = (from: number, to: number): Promise<ChunkResult> =>
          from >= to
            ? Promise.resolve({ values: [], ms: 0 })
            : send(items.slice(from, to), base + from).reply.catch((e: unknown) => ({
                values: [],
                error: e,
                ms: 0,
              }));
        const [before, after] = [part(0, at), part(at + 1, items.length)];
        return append(await before, {
          values: [],
          error: packError(items[at], kind, base + at),
          more: await after,
          ms: 0,
        });
      };
      const submit = (items: unknown[], base: number) => {
        const { id, reply } = send(items, base);
        return { handle: id, reply };
      };
      streaming = true;
      yield* streamChunks(iterable as Iterable<unknown>, submit, (ids) => site.cancel(ids), {
        processes,
        chunksize: options.chunksize,
        inflight: options.inflight ?? (keepsAll ? 4 : 2) * processes,
        ordered: method !== 'imapUnordered',
        keepsAll,
        onProgress: options.onProgress,
        count: countResults,
        read: (result: ChunkResult) => result,
        sizer: chunkSizer(),
        // The call's end ends the stream at once, also while it waits on an input that stopped
        // yielding (no job of its own may be out then). An imap's timeout stops only its
        // reading: what it received in time is still yielded.
        interruptible: (stop, stopReading) =>
          scope.onStop((error, timedOut) => (timedOut && !keepsAll ? stopReading : stop)(error)),
        onReceived: () => scope.received(),
        onLastSent: lastSent,
        readsOn: handOver,
        ...(keepsAll ? {} : { itemFailure: (error: unknown) => failsOnlyItems(error, scope, site.stop) }),
      });
    } catch (error) {
      // Ended before its stream started (its timeout or signal while the pool was connecting):
      // the input handed over is closed all the same, before the call rejects.
      if (!streaming) closeUnstarted(iterable);
      await site.afterTerminate();
      throw error;
    } finally {
      ended = true;
      lastSent(); // also when it ended before its stream started
      handOver(undefined);
      scope.dispose();
      if (live.size > 0) site.cancel([...live]);
    }
  })();
  /** Runs the body before its loop asks (once): on close(), and for an imap with a timeout. */
  const startEarly = () => {
    if (started || first !== undefined) return;
    first = body.next();
    first.catch(() => {});
  };
  const forget = keepsAll
    ? undefined
    : site.reading(async () => {
        // The body runs up to the stream's start, which hands over readAll.
        startEarly();
        return (await readAllReady)?.(leftClosed);
      });
  // An imap's deadline counts from the call, as Python's imap runs its tasks from the call: a call
  // with a timeout starts now (within `inflight`), or a loop started late (or never) would find
  // its whole time spent waiting for it, with nothing run and its input never closed.
  if (!keepsAll && hasDeadline(options.timeout)) startEarly();
  // While the consumer waits on a step, the call's timeout holds the program (see CallScope.waiting).
  const step = async (next: ReturnType<MapChunks['next']>) => {
    opened?.waiting(true);
    try {
      return await next;
    } finally {
      opened?.waiting(false);
    }
  };
  return (async function* () {
    started = true;
    let bodyDone = false;
    try {
      for (;;) {
        // The step started early (on close(), or for a call with a timeout) comes first, and is let
        // go of once read: its results must not live as long as the call.
        const pending = first ?? body.next();
        first = undefined;
        const next = await step(pending).catch((error: unknown) => {
          bodyDone = true;
          throw error;
        });
        if (next.done) {
          bodyDone = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // Left at a yield (return()): the stream stops reading and cancels what is out.
      if (!bodyDone) await body.return();
      forget?.();
    }
  })();
}

/** Whether `timeout` sets a deadline still ahead: a positive number of ms a timer can measure. */
function hasDeadline(timeout: number | null | undefined): boolean {
  return timeout != null && timeout > 0 && timeout <= MAX_TIMEOUT_MS;
}

/** The index in `items` of the first item that cannot be packed on its own, or -1. */
function firstUnsendable(items: readonly unknown[], kind: JobKind, base: number): number {
  return items.findIndex((item, i) => packError(item, kind, base + i) !== undefined);
}

/** Why the item at `index` of the input cannot be packed, or `undefined` when it can. */
function packError(item: unknown, kind: JobKind, index: number): unknown {
  try {
    packPayload([item], kind, index);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** `head` followed by `tail`: `tail` hung after the last outcome of `head`'s chain. */
function append(head: ChunkResult, tail: ChunkResult): ChunkResult {
  const more = head.more ? append(head.more, tail) : tail;
  return { ...head, more, ms: head.ms + tail.ms };
}

/** How many results a chunk's outcome holds (those of its items sent again included). */
function countResults(result: ChunkResult): number {
  return result.values.length + (result.more ? countResults(result.more) : 0);
}

/** A worker's chunk result, with a failed item's `taskIndex` counted from the call's first item. */
function chunkResult(result: ResultPayload, base: number): ChunkResult {
  if (result.ok) return result as ChunkResult;
  const error = thrownOrError(result.error);
  const index = error instanceof Error ? (error as { taskIndex?: unknown }).taskIndex : undefined;
  if (typeof index === 'number')
    Object.defineProperty(error, 'taskIndex', { value: index + base, enumerable: true });
  if (error instanceof SerializationError && base > 0) renameResult(error, base);
  return { values: result.values ?? [], error, ms: result.ms ?? 0 };
}

/**
 * The worker names a result it cannot send by its index in its job (`result[0].cb`); the caller
 * knows it by its index in the input (`result[4].cb`), as the local pool names it.
 */
function renameResult(error: SerializationError, base: number): void {
  const at = /^result\[(\d+)\]/.exec(error.path);
  if (!at) return;
  const [inJob, index] = [at[0], `result[${Number(at[1]) + base}]`];
  Object.defineProperty(error, 'path', { value: index + error.path.slice(inJob.length) });
  error.message = error.message.replace(inJob, index);
  if (error.stack) error.stack = error.stack.replace(inJob, index);
}
