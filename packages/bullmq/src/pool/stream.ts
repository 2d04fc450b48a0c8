/**
 * The engine behind `map`, `starmap`, `imap` and `imapUnordered`: reads the input lazily, cuts it
 * into chunks (one job each), keeps at most `inflight` jobs ahead of the consumer, and yields each
 * chunk's results in input order (or completion order). Leaving early stops reading the input and
 * cancels the jobs still out. The same shape as the local pool's engine, with chunk sizes tuned
 * for a Redis round trip per job instead of a message between threads.
 *
 * Chunk size: Python's rule for a known length (`ceil(length / (4 * processes))`); for an
 * iterator, adaptive: the first chunks are small, then each takes about 50 ms of worker time, so
 * trivial items travel by thousands and slow items one by one.
 */

/** A chunk's outcome: the results before the first failure, and that failure if any. */
export interface ChunkResult {
  readonly values: readonly unknown[];
  readonly error?: unknown;
  /** Worker time the chunk took, for adaptive sizing. */
  readonly ms: number;
}

/** Submits one chunk as a job. */
export type SubmitChunk = (items: unknown[], base: number) => { id: string; reply: Promise<ChunkResult> };

export interface StreamOptions {
  readonly processes: number;
  readonly chunksize: number | undefined;
  readonly inflight: number;
  readonly ordered: boolean;
  readonly onProgress: ((done: number, total: number | undefined) => void) | undefined;
}

const TARGET_CHUNK_MS = 50;
const FIRST_ADAPTIVE_CHUNK = 16;
const MAX_ADAPTIVE_CHUNK = 65_536;

/** The number of items of `source` when it is known without consuming it. */
export function knownLength(source: unknown): number | undefined {
  if (Array.isArray(source) || ArrayBuffer.isView(source)) return (source as { length: number }).length;
  if (source instanceof Set || source instanceof Map) return source.size;
  return undefined;
}

interface Pending {
  readonly id: string;
  result: ChunkResult | undefined;
  failure: { error: unknown } | undefined;
}

function iteratorOf(source: unknown): Iterator<unknown> | AsyncIterator<unknown> {
  const asyncIt = (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(source);
  const syncIt = (source as Iterable<unknown>)?.[Symbol.iterator];
  if (typeof syncIt === 'function') return syncIt.call(source);
  throw new TypeError('The input must be an iterable or an async iterable.');
}

/** Yields the results of the chunks of `source`, one array per chunk. */
export async function* streamChunks(
  source: unknown,
  submit: SubmitChunk,
  cancel: (ids: string[]) => void,
  options: StreamOptions,
): AsyncGenerator<readonly unknown[], void, undefined> {
  const array = Array.isArray(source) ? (source as unknown[]) : undefined;
  const it = array ? undefined : iteratorOf(source);
  const isAsync = typeof (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
  const total = knownLength(source);
  const fixed =
    options.chunksize ??
    (total === undefined ? undefined : Math.max(1, Math.ceil(total / (4 * options.processes))));
  let adaptiveItems = 0;
  let adaptiveMs = 0;
  let last = { items: 0, ms: 0 };
  const pending: Pending[] = [];
  let inputDone = false;
  let inputError: { error: unknown } | undefined;
  let read = 0;
  let finished = 0;
  let wake: (() => void) | undefined;

  const nextSize = (): number => {
    if (fixed !== undefined) return fixed;
    if (adaptiveItems === 0) return FIRST_ADAPTIVE_CHUNK;
    const perItem = adaptiveMs / adaptiveItems;
    if (perItem <= 0) return MAX_ADAPTIVE_CHUNK;
    let size = Math.round(TARGET_CHUNK_MS / perItem);
    // A small chunk's time is mostly fixed cost, which makes items look slow: while chunks finish
    // well under the target, at least double them.
    if (last.ms < TARGET_CHUNK_MS / 2) size = Math.max(size, last.items * 2);
    return Math.max(1, Math.min(MAX_ADAPTIVE_CHUNK, size));
  };

  const readChunk = async (): Promise<unknown[]> => {
    const size = nextSize();
    if (array) {
      const items = array.slice(read, read + size);
      if (read + items.length >= array.length) inputDone = true;
      return items;
    }
    const items: unknown[] = [];
    try {
      while (items.length < size) {
        const step = isAsync ? await it!.next() : (it!.next() as IteratorResult<unknown>);
        if (step.done) {
          inputDone = true;
          break;
        }
        items.push(step.value);
      }
    } catch (error) {
      inputDone = true;
      inputError = { error };
    }
    return items;
  };

  const fill = async (): Promise<void> => {
    while (!inputDone && pending.length < options.inflight) {
      const items = await readChunk();
      if (items.length === 0) break;
      const { id, reply } = submit(items, read);
      read += items.length;
      const p: Pending = { id, result: undefined, failure: undefined };
      reply.then(
        (r) => {
          p.result = r;
          adaptiveItems += items.length;
          adaptiveMs += r.ms;
          last = { items: items.length, ms: r.ms };
          wake?.();
        },
        (error) => {
          p.failure = { error };
          wake?.();
        },
      );
      pending.push(p);
    }
  };

  const isDone = (p: Pending | undefined) =>
    p !== undefined && (p.result !== undefined || p.failure !== undefined);
  const nextDone = async (): Promise<Pending> => {
    for (;;) {
      const index = options.ordered ? (isDone(pending[0]) ? 0 : -1) : pending.findIndex(isDone);
      if (index !== -1) return pending.splice(index, 1)[0]!;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  };

  try {
    await fill();
    while (pending.length > 0) {
      const p = await nextDone();
      if (p.failure) throw p.failure.error;
      const { values, error } = p.result!;
      if (values.length > 0) yield values;
      finished += values.length;
      if (error !== undefined) throw error;
      options.onProgress?.(finished, total);
      await fill();
    }
    if (inputError) throw inputError.error;
  } finally {
    // Early exit or failure: stop reading and cancel what is still out.
    if (!inputDone) await (it as AsyncIterator<unknown> | undefined)?.return?.();
    if (pending.length > 0) cancel(pending.map((p) => p.id));
  }
}
