/** One map-style call (`map`, `starmap`, `imap`, `imapUnordered`): its chunks, submitted lazily. */
import { secondsHint } from '@multiproc/shared';
import { PoolClosedError, WorkerEntryNotFoundError, WorkerStartError } from '../errors.js';
import type { TaskSpec } from '../internal/batch.js';
import type { ContextName } from '../options.js';
import { Float64Buffers } from './buffers.js';
import { sentInHalves, splits } from './chunk-halves.js';
import { AdaptiveChunks } from './chunks.js';
import type { Dispatcher, Entry } from './dispatcher.js';
import { firstCallHint } from './first-calls.js';
import { Flatten } from './flatten.js';
import { ItemKeeps } from './item-keeps.js';
import { type ChunkCall, ChunkEntry, type ChunkReply, countResults, readLoaded } from './map-chunk.js';
import type { CallerMessages } from './messages.js';
import type { ImapOptions, MapOptions } from './options.js';
import { type ItemFailure, streamChunks } from './stream.js';
import { inputAtCall } from './stream-input.js';
import { beginCall, type CallHold, isAsyncIterable, type WaitedFor } from './util.js';

/**
 * The results of an `imap`/`imapUnordered` call one by one. The loop reading them settles the
 * chunks workers answered on their side lanes as it goes (`Dispatcher.poll`): those chunks' objects
 * then die before the loop's next scavenges (issue 18). A failed item rejects its own `next()`
 * and the call goes on after it, as Python's `IMapIterator` does.
 */
export function imapResults<T>(
  pool: MapCallPool,
  spec: TaskSpec,
  iterable: unknown,
  options: ImapOptions,
  ordered: boolean,
): Flatten<T> {
  const { dispatcher } = pool;
  const method = ordered ? 'imap' : 'imapUnordered';
  const chunks = mapChunks(pool, spec, iterable, { ...options, goesOn: true, method }, ordered, false);
  return new Flatten<T>(chunks, () => dispatcher.poll(), pool.afterTerminate);
}

/** What an imap loop that left at a failed item gets should it go on after the pool closed. */
const leftClosed = () =>
  new PoolClosedError(
    'The pool was closed while this imap loop was stopped at a failed item: the rest of its input was not run. Read on before close() to run it.',
  );

/** What a map call needs from its pool. */
export interface MapCallPool {
  readonly dispatcher: Dispatcher;
  readonly messages: CallerMessages;
  readonly context: ContextName;
  readonly processes: number;
  /**
   * Registers an `imap` call's `readAll` (`StreamOptions.readsOn`), which the pool's `close()`
   * calls; returns the function that forgets it (`Gate.reading`).
   */
  readonly reading?: (readAll: (terminated: boolean) => Promise<void>) => () => void;
  /** Rejects with `error` once a running `terminate()` has resolved (`Gate.afterTerminate`). */
  readonly afterTerminate?: (error: unknown) => Promise<never>;
}

/**
 * Chunk sizers by task (a pool's specs are its own): a map of a known length starts at the size
 * the task's earlier calls learned, instead of paying a round trip to measure it again.
 */
const sizers = new WeakMap<TaskSpec, AdaptiveChunks>();

function sizerOf(spec: TaskSpec): AdaptiveChunks {
  let sizer = sizers.get(spec);
  if (!sizer) {
    sizer = new AdaptiveChunks();
    sizers.set(spec, sizer);
  }
  return sizer;
}

/**
 * What a map call's options add for the engine: `keepsAll` (see `StreamOptions`), `goesOn`: a
 * failed item fails only its own results and the call goes on (`imap`); without `chunksize` the
 * items after it in its chunk are then sent again, so that each item fails or succeeds alone as
 * with Python's default of one item a task. With `chunksize` a chunk is one task, as in Python:
 * its items after the failed one do not run.
 */
type MapCallOptions = ImapOptions &
  WaitedFor & {
    keepsAll?: boolean;
    goesOn?: boolean;
    method: string;
    keeps?: ItemKeeps;
  };

/**
 * What a map call's timeout says. A `map` fails as a whole. An `imap` keeps what arrived: the
 * results received by the deadline are yielded, only the rest time out (Python's
 * `IMapIterator.next(timeout)` fails only a wait for a result that is not there).
 */
export function timeoutMessage(
  method: string,
  keepsReceived: boolean,
  spec: TaskSpec,
): (ms: number) => string {
  if (!keepsReceived)
    return (ms) =>
      `The ${method} call did not finish within ${ms} ms.${firstCallHint(spec, ms)}${secondsHint(ms)}`;
  return (ms) =>
    `The ${method} call did not receive every result within ${ms} ms of the call (its timeout): ` +
    'the results received by then were yielded, the items not done by then (or not yet read from ' +
    `the input) timed out.${firstCallHint(spec, ms)}${secondsHint(ms)}`;
}

/**
 * Whether `error` fails only the chunk it came with while the call goes on: not when it is the
 * call's own end (its abort, timeout, `onMessage` throwing) or the pool cannot run it (closed,
 * terminated, no worker can start), where going on would fail every later item the same way. An
 * item's own failure that comes after the call ended (a task's error in a chunk answered by then)
 * is still its item's: the stream goes on to the call's own error (it ended there before, and an
 * imap's timeout went unreported, the items not done lost without an error).
 */
function failsOnlyItems(
  error: unknown,
  call: { aborted: { error: unknown } | undefined; hold: CallHold },
): boolean {
  const ended = call.aborted ?? call.hold.failure;
  if (ended !== undefined && error === ended.error) return false;
  return !(
    error instanceof PoolClosedError ||
    error instanceof WorkerStartError ||
    error instanceof WorkerEntryNotFoundError
  );
}

/** Yields the results of `spec` applied to each item of `iterable`, a chunk at a time. */
export function mapChunks(
  pool: MapCallPool,
  spec: TaskSpec,
  iterable: unknown,
  options: MapCallOptions,
  ordered: boolean,
  star: boolean,
): AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined> {
  const { context, dispatcher } = pool;
  // The chunks handed to the pool and not settled: an abort stops them all.
  const live = new Set<ChunkEntry>();
  let aborted: { error: unknown } | undefined;
  // Stops the stream (set once it started): a call waiting on its input has no chunk to abort.
  let interrupt: ((error: unknown) => void) | undefined;
  // Stops its reading only: what was received is still yielded (an imap's timeout).
  let expire: ((error: unknown) => void) | undefined;
  const keepsReceived = options.goesOn === true;
  const hold = beginCall(
    options,
    pool.messages,
    (error, timedOut) => {
      aborted = { error };
      // Their workers are stopped after the call rejected: the copies among their items end first.
      for (const chunk of live) chunk.holderEnded?.();
      dispatcher.abort([...live], error);
      if (timedOut && keepsReceived) expire?.(error);
      else interrupt?.(error);
    },
    options.goesOn,
    timeoutMessage(options.method, keepsReceived, spec),
  );
  if (hold.aborted) aborted = { error: hold.aborted };
  const listener = hold.listener;
  const inflight = options.inflight ?? pool.processes * 2;
  // Two a running chunk (the items read, the copy a thread works on and sends back) and some spare.
  const buffers = star ? undefined : new Float64Buffers(2 * inflight + 4);
  // Set once the consumer is done with the call: a failed chunk's rest is not sent after that.
  let ended = false;
  // The copies of the queues and pipe ends its items hold: an array's are taken at the call.
  const keeps = options.keeps ?? ItemKeeps.atCall(context, iterable);
  // A map over an input read synchronously: no later call's job starts before its last chunk, as
  // in Python, whose task handler queues all of a call's tasks before the next call's (job-order.ts).
  const opens = options.keepsAll === true && !isAsyncIterable(iterable);
  let lastSent = false;
  const submit = (items: unknown[] | Float64Array, base: number) => {
    let entry: ChunkEntry | undefined;
    const reply = new Promise<ChunkReply>((resolve, reject) => {
      if (aborted) return reject(aborted.error);
      if (ended) return reject(new PoolClosedError('The call ended before these items were sent.'));
      if (opens && !lastSent) call.order ??= dispatcher.openCall();
      try {
        entry = new ChunkEntry(call, items, base, resolve, reject);
      } catch (error) {
        // An item cannot be sent: in an imap without chunksize only it fails (map-chunk.ts).
        if (!splits(call, items)) throw error;
        resolve(sentInHalves(call, items, base));
        return;
      }
      live.add(entry);
      dispatcher.submit(entry, hold.abortable);
    });
    return { handle: entry as Entry | undefined, reply };
  };
  const resendsRest = options.goesOn === true && options.chunksize === undefined;
  const call: ChunkCall = {
    spec,
    star,
    listener,
    context,
    buffers,
    live,
    hold,
    messages: pool.messages,
    keeps,
    order: undefined,
    resend: resendsRest ? (items, base) => submit(items, base).reply : undefined,
  };
  const state = {
    get aborted() {
      return aborted;
    },
    hold,
  };
  // An imap's consumer paces it until the pool closes; then the call reads the rest of its input
  // on its own (see Gate.close), started here if its loop has not started yet. A terminated pool
  // only closes the input of a loop that left at a failed item.
  let readAll: ((leftError: () => unknown, terminated?: boolean) => Promise<void>) | undefined;
  let first: Promise<IteratorResult<ArrayLike<unknown> | ItemFailure, void>> | undefined;
  let started = false;
  /** Starts the stream before its loop asks (once): on close(), and for a call with a timeout. */
  const startEarly = () => {
    if (started || first !== undefined) return;
    first = inner.next();
    first.catch(() => {});
  };
  const forget = options.keepsAll
    ? undefined
    : pool.reading?.((terminated) => {
        if (terminated) return readAll?.(leftClosed, true) ?? Promise.resolve();
        // The stream's body runs up to its first await here, which hands over readAll.
        if (!started) startEarly();
        return readAll?.(leftClosed) ?? Promise.resolve();
      });
  // Given up (the consumer left, a chunk failed): settled here, so their items' copies go back.
  const cancel = () => {
    const given = [...live].filter((chunk) => !chunk.settled);
    dispatcher.cancel(given);
    for (const chunk of given) chunk.givenUp();
  };
  const inner = streamChunks(iterable as Iterable<unknown>, submit, cancel, {
    processes: pool.processes,
    chunksize: options.chunksize ?? undefined,
    inflight,
    ordered,
    keepsAll: options.keepsAll,
    onProgress: options.onProgress ?? undefined,
    count: countResults,
    byWorkerTime: true,
    ...(buffers === undefined ? {} : { buffers, recycleResults: context === 'thread' }),
    sizer: sizerOf(spec),
    onItem: (value, index) => keeps.take(value, index),
    interruptible: (stop, stopReading) => {
      if (aborted) stop(aborted.error);
      else {
        interrupt = stop;
        expire = stopReading;
      }
    },
    inputWaits: dispatcher.inputWaits,
    onReceived: () => hold.received(),
    onLastSent: () => {
      lastSent = true;
      if (call.order) dispatcher.closeCall(call.order);
    },
    read: (reply: ChunkReply) => readLoaded(reply, context),
    readsOn: (handOver) => {
      readAll = handOver;
    },
    ...(options.goesOn ? { itemFailure: (error: unknown) => failsOnlyItems(error, state) } : {}),
  });
  // An imap's deadline counts from the call, as Python's imap runs its tasks from the call: a call
  // with a timeout starts now (within `inflight`), or a loop started late would find its whole
  // time spent waiting for it, with nothing run.
  if (keepsReceived && !options.keepsAll && hold.abortable && !aborted && (options.timeout ?? 0) > 0)
    startEarly();
  // While the consumer waits on a step, the call's timeout holds the program (see beginCall).
  const step = async (next: Promise<IteratorResult<ArrayLike<unknown> | ItemFailure, void>>) => {
    hold.waiting(true);
    try {
      return await next;
    } finally {
      hold.waiting(false);
    }
  };
  return (async function* () {
    started = true;
    try {
      for (;;) {
        // The step started early (on close(), or for a call with a timeout) comes first, and is let
        // go of once read: its results must not live as long as the call.
        const pending = first ?? inner.next();
        first = undefined;
        const next = await step(pending);
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // Left at a yield (return()): the stream stops reading and drops what has not started. A
      // stream that ended or threw answers return() at once. What the input's return() throws
      // reaches the consumer after the call let go of everything.
      try {
        await inner.return();
      } finally {
        ended = true;
        forget?.();
        hold.dispose();
        keeps.end();
      }
    }
  })();
}

/**
 * Runs a whole `map`/`starmap` call: every result, in input order. Its input is taken as the call
 * starts ({@link inputAtCall}); a call given its `keeps` took it already (`PoolEngine.mapCall`).
 */
export async function collectAll(
  pool: MapCallPool,
  spec: TaskSpec,
  iterable: unknown,
  options: MapOptions,
  star: boolean,
  keeps?: ItemKeeps,
  waitedMs = 0,
): Promise<unknown[]> {
  if (keeps === undefined) iterable = inputAtCall(iterable);
  const out: unknown[] = [];
  const method = star ? 'starmap' : 'map';
  const chunks = mapChunks(
    pool,
    spec,
    iterable,
    {
      ...options,
      inflight: pool.processes * 4,
      keepsAll: true,
      method,
      waitedMs,
      ...(keeps ? { keeps } : {}),
    },
    true,
    star,
  );
  for await (const chunk of chunks) {
    // Only an `imap` goes on after a failed item: a map's stream throws instead.
    if (!('length' in chunk)) throw chunk.error;
    for (let i = 0; i < chunk.length; i++) out.push(chunk[i]);
  }
  return out;
}
