/** One map-style call (`map`, `starmap`, `imap`, `imapUnordered`): its chunks, submitted lazily. */
import { decodeJson, decodeValue } from '@multiproc/shared';
import { PoolClosedError, WorkerEntryNotFoundError, WorkerStartError } from '../errors.js';
import type { Job, JobReply, MapJob, MapReply, TaskSpec } from '../internal/batch.js';
import { thrownOrError } from '../internal/error-record.js';
import type { ContextName } from '../options.js';
import { Float64Buffers } from './buffers.js';
import { AdaptiveChunks, type PreparedChunk, prepareChunk } from './chunks.js';
import type { Dispatcher, Entry, Held } from './dispatcher.js';
import { Flatten } from './flatten.js';
import type { CallerMessages } from './messages.js';
import type { ImapOptions, MapOptions } from './options.js';
import { type ChunkResults, type ItemFailure, streamChunks } from './stream.js';
import { beginCall, type CallHold } from './util.js';

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
  return new Flatten<T>(chunks, () => dispatcher.poll());
}

/** What a map call needs from its pool. */
export interface MapCallPool {
  readonly dispatcher: Dispatcher;
  readonly messages: CallerMessages;
  readonly context: ContextName;
  readonly processes: number;
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
type MapCallOptions = ImapOptions & { keepsAll?: boolean; goesOn?: boolean; method: string };

/**
 * What a map call's timeout says. A `map` fails as a whole. An `imap` keeps what arrived: the
 * results received by the deadline are yielded, only the rest time out (Python's
 * `IMapIterator.next(timeout)` fails only a wait for a result that is not there).
 */
function timeoutMessage(method: string, keepsReceived: boolean): (ms: number) => string {
  if (!keepsReceived) return (ms) => `The ${method} call did not finish within ${ms} ms.`;
  return (ms) =>
    `The ${method} call did not receive every result within ${ms} ms of the call (its timeout): ` +
    'the results received by then were yielded, the items not done by then (or not yet read from ' +
    'the input) timed out.';
}

/**
 * Whether `error` fails only the chunk it came with while the call goes on: not when the call
 * itself ended (its abort, timeout, `onMessage` throwing) or the pool cannot run it (closed,
 * terminated, no worker can start), where going on would fail every later item the same way.
 */
function failsOnlyItems(error: unknown, call: { aborted: unknown; hold: CallHold }): boolean {
  if (call.aborted !== undefined || call.hold.failure !== undefined) return false;
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
  const live = new Set<Entry>();
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
      dispatcher.abort([...live], error);
      if (timedOut && keepsReceived) expire?.(error);
      else interrupt?.(error);
    },
    options.goesOn,
    timeoutMessage(options.method, keepsReceived),
  );
  if (hold.aborted) aborted = { error: hold.aborted };
  const listener = hold.listener;
  const inflight = options.inflight ?? pool.processes * 2;
  // Two a running chunk (the items read, the copy a thread works on and sends back) and some spare.
  const buffers = star ? undefined : new Float64Buffers(2 * inflight + 4);
  // Set once the consumer is done with the call: a failed chunk's rest is not sent after that.
  let ended = false;
  const submit = (items: unknown[] | Float64Array, base: number) => {
    let entry: ChunkEntry | undefined;
    const reply = new Promise<ChunkReply>((resolve, reject) => {
      if (aborted) return reject(aborted.error);
      if (ended) return reject(new PoolClosedError('The call ended before these items were sent.'));
      entry = new ChunkEntry(call, items, base, resolve, reject);
      live.add(entry);
      dispatcher.submit(entry);
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
    resend: resendsRest ? (items, base) => submit(items, base).reply : undefined,
  };
  const state = {
    get aborted() {
      return aborted;
    },
    hold,
  };
  const inner = streamChunks(iterable as Iterable<unknown>, submit, () => dispatcher.cancel([...live]), {
    processes: pool.processes,
    chunksize: options.chunksize,
    inflight,
    ordered,
    keepsAll: options.keepsAll,
    onProgress: options.onProgress,
    count: countResults,
    byWorkerTime: true,
    ...(buffers === undefined ? {} : { buffers, recycleResults: context === 'thread' }),
    sizer: sizerOf(spec),
    interruptible: (stop, stopReading) => {
      if (aborted) stop(aborted.error);
      else {
        interrupt = stop;
        expire = stopReading;
      }
    },
    onReceived: () => hold.received(),
    read: (reply: ChunkReply) => readChunk(reply, context),
    ...(options.goesOn ? { itemFailure: (error: unknown) => failsOnlyItems(error, state) } : {}),
  });
  return (async function* () {
    try {
      yield* inner;
    } finally {
      ended = true;
      hold.dispose();
    }
  })();
}

/**
 * A chunk's reply: `rest`, when its items after a failed one were sent again (`ChunkCall.resend`),
 * is their reply, or what that failed with.
 */
interface ChunkReply {
  readonly reply: MapReply;
  readonly base: number;
  readonly rest?: ChunkReply | { readonly failure: unknown };
  readonly ms?: number | undefined;
}

/** How many results a chunk's reply holds (those sent again included). */
function countResults(chunk: ChunkReply): number {
  const { reply, rest } = chunk;
  const own = reply.count ?? reply.values.length;
  return rest === undefined || 'failure' in rest ? own : own + countResults(rest);
}

function readChunk(chunk: ChunkReply, context: ContextName): ChunkResults {
  const { reply, base, rest } = chunk;
  const values = reply.json
    ? (decodeJson(reply.json) as unknown[])
    : reply.encoded
      ? decodeValue(reply.values as unknown[], context)
      : reply.values;
  if (!reply.error) return { values };
  const error = withTaskIndex(thrownOrError(reply.error, context), base + values.length);
  if (rest === undefined) return { values, error };
  const more = 'failure' in rest ? { values: [], error: rest.failure } : readChunk(rest, context);
  return { values, error, more };
}

/** What the chunks of one map call share. */
interface ChunkCall {
  readonly spec: TaskSpec;
  readonly star: boolean;
  readonly listener: number | undefined;
  readonly context: ContextName;
  readonly buffers: Float64Buffers | undefined;
  /** The chunks handed to the pool and not settled: an abort stops them all. */
  readonly live: Set<Entry>;
  /** Its `onMessage`'s failure, once it threw. */
  readonly hold: CallHold;
  readonly messages: CallerMessages;
  /** Sends a failed chunk's items after the failed one again, as a chunk of their own (`imap` without `chunksize`). */
  readonly resend: ((items: unknown[] | Float64Array, base: number) => Promise<ChunkReply>) | undefined;
}

/**
 * One chunk of a map call as the dispatcher holds it. A class rather than an object of closures:
 * a chunk lives until its results are read, through several scavenges of an `imap` loop, so every
 * object it holds is copied and promoted once per chunk (issue 18).
 */
class ChunkEntry implements Entry {
  readonly spec: TaskSpec;
  readonly batchable = false;
  readonly taskIndex: number;
  readonly group: object;
  readonly items: number;
  held: Held | undefined = undefined;
  settled = false;
  readonly #call: ChunkCall;
  readonly #items: unknown[] | Float64Array;
  readonly #chunk: PreparedChunk;
  readonly #resolve: (reply: ChunkReply) => void;
  readonly #reject: (error: unknown) => void;

  constructor(
    call: ChunkCall,
    items: unknown[] | Float64Array,
    base: number,
    resolve: (reply: ChunkReply) => void,
    reject: (error: unknown) => void,
  ) {
    this.spec = call.spec;
    this.taskIndex = base;
    this.group = call;
    this.items = items.length;
    this.#call = call;
    this.#items = items;
    this.#chunk = prepareChunk(items, call.context, call.star, call.buffers, base);
    this.#resolve = resolve;
    this.#reject = reject;
  }

  build(): { job: Job; transfer: object[] } {
    const packed = this.#chunk.pack();
    const { listener, star } = this.#call;
    const job: MapJob = {
      kind: 'map',
      task: 0,
      listener,
      items: packed.items,
      star,
      base: this.taskIndex,
      encoded: packed.encoded,
    };
    return { job, transfer: packed.transfer };
  }

  resolve(reply: JobReply): void {
    const rest = this.#restAfter(reply as MapReply);
    // Released below: the rest's items are copied out first.
    this.#release();
    const { listener, context, messages } = this.#call;
    // A thread's messages travel on another channel than its reply (which told the pool how many
    // it sent): the chunk settles once they have reached onMessage, as an apply call does.
    if (listener !== undefined && context === 'thread') {
      void messages.drained(listener).then(() => this.#settle(reply as MapReply, rest));
    } else this.#settle(reply as MapReply, rest);
  }

  /** The items after a failed one, to send again (`ChunkCall.resend`), and the input position of the first. */
  #restAfter(reply: MapReply): { items: unknown[] | Float64Array; base: number } | undefined {
    if (!reply.error || !this.#call.resend) return undefined;
    const from = (reply.count ?? reply.values.length) + 1;
    if (from >= this.#items.length) return undefined;
    return { items: this.#items.slice(from), base: this.taskIndex + from };
  }

  #settle(reply: MapReply, rest: { items: unknown[] | Float64Array; base: number } | undefined): void {
    const failure = this.#call.hold.failure;
    const base = this.taskIndex;
    if (failure) this.#reject(failure.error);
    else if (!rest) this.#resolve({ reply, base, ms: reply.ms });
    else this.#resend(reply, rest);
  }

  #resend(reply: MapReply, rest: { items: unknown[] | Float64Array; base: number }): void {
    const base = this.taskIndex;
    // The chunk's reply waits for the rest's: it stays one chunk of the call (its place in the
    // input order, its share of `inflight`), and an early exit cancels the rest with the call's
    // other live chunks.
    this.#call.resend!(rest.items, rest.base).then(
      (more) => this.#resolve({ reply, base, rest: more, ms: sumMs(reply.ms, more.ms) }),
      (failure: unknown) => this.#resolve({ reply, base, rest: { failure }, ms: reply.ms }),
    );
  }

  reject(error: unknown): void {
    this.#release();
    this.#reject(error);
  }

  /** Settled: the chunk is never sent again, so its items go back to the call's buffers. */
  #release(): void {
    this.#call.live.delete(this);
    if (this.#items instanceof Float64Array) this.#call.buffers?.give(this.#items);
  }
}

function sumMs(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

/** Runs a whole `map`/`starmap` call: every result, in input order. */
export async function collectAll(
  pool: MapCallPool,
  spec: TaskSpec,
  iterable: unknown,
  options: MapOptions,
  star: boolean,
): Promise<unknown[]> {
  const out: unknown[] = [];
  const chunks = mapChunks(
    pool,
    spec,
    iterable,
    { ...options, inflight: pool.processes * 4, keepsAll: true, method: star ? 'starmap' : 'map' },
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

/**
 * Marks the error a failed item threw with its position in the input (`taskIndex`, as on
 * `WorkerCrashedError`), unless the error already has one or cannot take it.
 */
function withTaskIndex(error: unknown, index: number): unknown {
  // A thrown non-Error value is delivered as it is, without a field added.
  if (error instanceof Error && !('taskIndex' in error) && Object.isExtensible(error))
    (error as { taskIndex?: number }).taskIndex = index;
  return error;
}
