/** One map-style call (`map`, `starmap`, `imap`, `imapUnordered`): its chunks, submitted lazily. */
import { decodeValue } from '@multiproc/shared';
import type { JobReply, MapReply, TaskSpec } from '../internal/batch.js';
import { fromErrorRecord } from '../internal/error-record.js';
import type { ContextName } from '../options.js';
import { Float64Buffers } from './buffers.js';
import { AdaptiveChunks, prepareChunk } from './chunks.js';
import type { Dispatcher, Entry } from './dispatcher.js';
import type { CallerMessages } from './messages.js';
import type { ImapOptions, MapOptions } from './options.js';
import { streamChunks } from './stream.js';
import { beginCall } from './util.js';

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
  let aborted: Error | undefined;
  const hold = beginCall(options, pool.messages, (error) => {
    aborted = error;
    dispatcher.abort([...live], error);
  });
  aborted = hold.aborted;
  const listener = hold.listener;
  const inflight = options.inflight ?? pool.processes * 2;
  // Two a running chunk (the items read, the copy a thread works on and sends back) and some spare.
  const buffers = star ? undefined : new Float64Buffers(2 * inflight + 4);
  // A chunk's items go back to `buffers` once it settles: it is never sent again.
  const release = (items: unknown[] | Float64Array) => {
    if (items instanceof Float64Array) buffers?.give(items);
  };
  const submit = (items: unknown[] | Float64Array, base: number) => {
    let entry: Entry | undefined;
    const reply = new Promise<MapReply>((resolve, reject) => {
      if (aborted) return reject(aborted);
      const chunk = prepareChunk(items, context, star, buffers);
      const self: Entry = {
        spec,
        build: () => {
          const packed = chunk.pack();
          const job = {
            kind: 'map' as const,
            task: 0,
            ...(listener === undefined ? {} : { listener }),
            items: packed.items,
            star,
            base,
            encoded: packed.encoded,
          };
          return { job, transfer: packed.transfer };
        },
        batchable: false,
        taskIndex: base,
        held: undefined,
        settled: false,
        resolve: (r: JobReply) => {
          live.delete(self);
          release(items);
          resolve(r as MapReply);
        },
        reject: (error: unknown) => {
          live.delete(self);
          release(items);
          reject(error);
        },
      };
      entry = self;
      live.add(self);
      dispatcher.submit(self);
    });
    return { handle: entry, reply };
  };
  const inner = streamChunks(iterable as Iterable<unknown>, submit, (entries) => dispatcher.cancel(entries), {
    processes: pool.processes,
    chunksize: options.chunksize,
    inflight,
    ordered,
    keepsAll: options.keepsAll,
    onProgress: options.onProgress,
    count: (reply: MapReply) => reply.values.length,
    byWorkerTime: true,
    ...(buffers === undefined ? {} : { buffers, recycleResults: context === 'thread' }),
    sizer: sizerOf(spec),
    read: (reply: MapReply, base: number) => {
      const values = reply.encoded ? decodeValue(reply.values as unknown[], context) : reply.values;
      if (!reply.error) return { values };
      return { values, error: withTaskIndex(fromErrorRecord(reply.error), base + values.length) };
    },
  });
  return (async function* () {
    try {
      yield* inner;
    } finally {
      hold.dispose();
    }
  })();
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
function withTaskIndex(error: Error, index: number): Error {
  if (!('taskIndex' in error) && Object.isExtensible(error))
    (error as { taskIndex?: number }).taskIndex = index;
  return error;
}
