/** One map-style call (`map`, `starmap`, `imap`, `imapUnordered`): its chunks, submitted lazily. */
import type { JobReply, MapReply, TaskSpec } from '../internal/batch.js';
import type { ContextName } from '../options.js';
import { prepareChunk } from './chunks.js';
import type { Dispatcher, Entry } from './dispatcher.js';
import type { CallerMessages } from './messages.js';
import type { ImapOptions } from './options.js';
import { streamChunks } from './stream.js';
import { beginCall } from './util.js';

/** What a map call needs from its pool. */
export interface MapCallPool {
  readonly dispatcher: Dispatcher;
  readonly messages: CallerMessages;
  readonly context: ContextName;
  readonly processes: number;
}

/** Yields the results of `spec` applied to each item of `iterable`, a chunk at a time. */
export function mapChunks(
  pool: MapCallPool,
  spec: TaskSpec,
  iterable: unknown,
  options: ImapOptions,
  ordered: boolean,
  star: boolean,
): AsyncGenerator<ArrayLike<unknown>, void, undefined> {
  const { signal, listener, dispose } = beginCall(options, pool.messages);
  const { context, dispatcher } = pool;
  const submit = (items: unknown[], base: number) => {
    let entry!: Entry;
    const reply = new Promise<MapReply>((resolve, reject) => {
      const chunk = prepareChunk(items, context, star);
      entry = {
        spec,
        build: () => {
          const packed = chunk.pack();
          const job = {
            kind: 'map' as const,
            task: 0,
            ...(listener === undefined ? {} : { listener }),
            items: packed.items,
            star,
            encoded: packed.encoded,
          };
          return { job, transfer: packed.transfer };
        },
        batchable: false,
        signal,
        taskIndex: base,
        resolve: resolve as (r: JobReply) => void,
        reject,
      };
      dispatcher.submit(entry);
    });
    return { entry, reply };
  };
  const inner = streamChunks(iterable as Iterable<unknown>, submit, (entries) => dispatcher.cancel(entries), {
    processes: pool.processes,
    context,
    chunksize: options.chunksize,
    inflight: options.inflight ?? pool.processes * 2,
    ordered,
    onProgress: options.onProgress,
  });
  return (async function* () {
    try {
      yield* inner;
    } finally {
      dispose();
    }
  })();
}
