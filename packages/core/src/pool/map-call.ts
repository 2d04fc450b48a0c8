/** One map-style call (`map`, `starmap`, `imap`, `imapUnordered`): its chunks, submitted lazily. */
import { decodeJson, decodeValue } from '@multiproc/shared';
import type { Job, JobReply, MapJob, MapReply, TaskSpec } from '../internal/batch.js';
import { thrownOrError } from '../internal/error-record.js';
import type { ContextName } from '../options.js';
import { Float64Buffers } from './buffers.js';
import { AdaptiveChunks, type PreparedChunk, prepareChunk } from './chunks.js';
import type { Dispatcher, Entry, Held } from './dispatcher.js';
import { Flatten } from './flatten.js';
import type { CallerMessages } from './messages.js';
import type { ImapOptions, MapOptions } from './options.js';
import { streamChunks } from './stream.js';
import { beginCall, type CallHold } from './util.js';

/**
 * The results of an `imap`/`imapUnordered` call one by one. The loop reading them settles the
 * chunks workers answered on their side lanes as it goes (`Dispatcher.poll`): those chunks' objects
 * then die before the loop's next scavenges (issue 18).
 */
export function imapResults<T>(
  pool: MapCallPool,
  spec: TaskSpec,
  iterable: unknown,
  options: ImapOptions,
  ordered: boolean,
): Flatten<T> {
  const { dispatcher } = pool;
  return new Flatten<T>(mapChunks(pool, spec, iterable, options, ordered, false), () => dispatcher.poll());
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

/** Yields the results of `spec` applied to each item of `iterable`, a chunk at a time. */
export function mapChunks(
  pool: MapCallPool,
  spec: TaskSpec,
  iterable: unknown,
  options: ImapOptions & { keepsAll?: boolean },
  ordered: boolean,
  star: boolean,
): AsyncGenerator<ArrayLike<unknown>, void, undefined> {
  const { context, dispatcher } = pool;
  // The chunks handed to the pool and not settled: an abort stops them all.
  const live = new Set<Entry>();
  let aborted: { error: unknown } | undefined;
  // Stops the stream (set once it started): a call waiting on its input has no chunk to abort.
  let interrupt: ((error: unknown) => void) | undefined;
  const hold = beginCall(options, pool.messages, (error) => {
    aborted = { error };
    dispatcher.abort([...live], error);
    interrupt?.(error);
  });
  if (hold.aborted) aborted = { error: hold.aborted };
  const listener = hold.listener;
  const inflight = options.inflight ?? pool.processes * 2;
  // Two a running chunk (the items read, the copy a thread works on and sends back) and some spare.
  const buffers = star ? undefined : new Float64Buffers(2 * inflight + 4);
  const call: ChunkCall = { spec, star, listener, context, buffers, live, hold, messages: pool.messages };
  const submit = (items: unknown[] | Float64Array, base: number) => {
    let entry: ChunkEntry | undefined;
    const reply = new Promise<MapReply>((resolve, reject) => {
      if (aborted) return reject(aborted.error);
      entry = new ChunkEntry(call, items, base, resolve, reject);
      live.add(entry);
      dispatcher.submit(entry);
    });
    return { handle: entry as Entry | undefined, reply };
  };
  const inner = streamChunks(iterable as Iterable<unknown>, submit, (entries) => dispatcher.cancel(entries), {
    processes: pool.processes,
    chunksize: options.chunksize,
    inflight,
    ordered,
    keepsAll: options.keepsAll,
    onProgress: options.onProgress,
    count: (reply: MapReply) => reply.count ?? reply.values.length,
    byWorkerTime: true,
    ...(buffers === undefined ? {} : { buffers, recycleResults: context === 'thread' }),
    sizer: sizerOf(spec),
    interruptible: (stop) => {
      if (aborted) stop(aborted.error);
      else interrupt = stop;
    },
    read: (reply: MapReply, base: number) => {
      const values = reply.json
        ? (decodeJson(reply.json) as unknown[])
        : reply.encoded
          ? decodeValue(reply.values as unknown[], context)
          : reply.values;
      if (!reply.error) return { values };
      return { values, error: withTaskIndex(thrownOrError(reply.error, context), base + values.length) };
    },
  });
  return (async function* () {
    // Watched from the first read on (an imap never iterated holds nothing of the pool's).
    const unwatch = dispatcher.whenTerminated((error) => {
      aborted ??= { error };
      interrupt?.(error);
    });
    try {
      yield* inner;
    } finally {
      unwatch();
      hold.dispose();
    }
  })();
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
  held: Held | undefined = undefined;
  settled = false;
  readonly #call: ChunkCall;
  readonly #items: unknown[] | Float64Array;
  readonly #chunk: PreparedChunk;
  readonly #resolve: (reply: MapReply) => void;
  readonly #reject: (error: unknown) => void;

  constructor(
    call: ChunkCall,
    items: unknown[] | Float64Array,
    base: number,
    resolve: (reply: MapReply) => void,
    reject: (error: unknown) => void,
  ) {
    this.spec = call.spec;
    this.taskIndex = base;
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
    this.#release();
    const { listener, context, messages } = this.#call;
    // A thread's messages travel on another channel than its reply (which told the pool how many
    // it sent): the chunk settles once they have reached onMessage, as an apply call does.
    if (listener !== undefined && context === 'thread') {
      void messages.drained(listener).then(() => this.#settle(reply as MapReply));
    } else this.#settle(reply as MapReply);
  }

  #settle(reply: MapReply): void {
    const failure = this.#call.hold.failure;
    if (failure) this.#reject(failure.error);
    else this.#resolve(reply);
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
    { ...options, inflight: pool.processes * 4, keepsAll: true },
    true,
    star,
  );
  for await (const chunk of chunks) for (let i = 0; i < chunk.length; i++) out.push(chunk[i]);
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
