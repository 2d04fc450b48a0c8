/**
 * The engine behind `map`, `starmap`, `imap` and `imapUnordered`: reads the input lazily, cuts it
 * into chunks, keeps at most `inflight` chunks submitted ahead of the consumer, and yields results
 * in input order (or completion order). Leaving the loop early stops reading the input and drops
 * the chunks still queued.
 */
import { decodeValue } from '@multiproc/shared';
import type { MapReply } from '../internal/batch.js';
import { fromErrorRecord } from '../internal/error-record.js';
import { AdaptiveChunks, defaultChunksize, knownLength } from './chunks.js';
import type { Entry } from './dispatcher.js';

/** How the pool runs one chunk: returns its entry (to cancel it; none if it failed at once) and its reply. */
export type SubmitChunk = (
  items: unknown[],
  base: number,
) => { entry: Entry | undefined; reply: Promise<MapReply> };

export interface StreamOptions {
  readonly processes: number;
  readonly context: 'thread' | 'process';
  readonly chunksize: number | undefined;
  readonly inflight: number;
  readonly ordered: boolean;
  readonly onProgress: ((done: number, total: number | undefined) => void) | undefined;
}

interface Pending {
  readonly entry: Entry | undefined;
  /** The position of the chunk's first item in the input. */
  readonly base: number;
  readonly reply: Promise<MapReply>;
  settled: MapReply | undefined;
  failure: unknown;
  done: boolean;
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

function iteratorOf(source: Iterable<unknown> | AsyncIterable<unknown>): AnyIterator {
  const asyncIt = (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(source);
  const syncIt = (source as Iterable<unknown>)?.[Symbol.iterator];
  if (typeof syncIt === 'function') return syncIt.call(source);
  throw new TypeError('The input must be an iterable or an async iterable.');
}

/**
 * Yields the results of `source` mapped through the pool, one chunk (an array-like of results) at
 * a time: callers flatten them, which costs one async step per chunk instead of one per item.
 */
export async function* streamChunks(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  submit: SubmitChunk,
  cancel: (entries: Entry[]) => void,
  options: StreamOptions,
): AsyncGenerator<ArrayLike<unknown>, void, undefined> {
  const it = Array.isArray(source) ? undefined : iteratorOf(source);
  const total = knownLength(source);
  const fixed =
    options.chunksize ?? (total === undefined ? undefined : defaultChunksize(total, options.processes));
  const adaptive = new AdaptiveChunks();
  const pending: Pending[] = [];
  let inputDone = false;
  let inputError: { error: unknown } | undefined;
  let read = 0;
  let finished = 0;
  let wake: (() => void) | undefined;

  // Arrays are sliced directly; other iterables are stepped, awaiting only async iterators.
  const array = Array.isArray(source) ? (source as unknown[]) : undefined;
  const isAsync = typeof (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
  let position = 0;

  const readChunk = async (): Promise<unknown[]> => {
    const size = fixed ?? adaptive.next();
    if (array) {
      const items = array.slice(position, position + size);
      position += items.length;
      if (position >= array.length) inputDone = true;
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
      const { entry, reply } = submit(items, read);
      const p: Pending = { entry, base: read, reply, settled: undefined, failure: undefined, done: false };
      read += items.length;
      reply
        .then(
          (r) => {
            p.settled = r;
            if (r.ms !== undefined) adaptive.record(items.length, r.ms);
          },
          (error) => {
            p.failure = error;
          },
        )
        .finally(() => {
          p.done = true;
          wake?.();
        });
      pending.push(p);
    }
  };

  const nextDone = async (): Promise<Pending> => {
    for (;;) {
      const index = options.ordered ? (pending[0]?.done ? 0 : -1) : pending.findIndex((p) => p.done);
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
      if (p.failure !== undefined) throw p.failure;
      const reply = p.settled!;
      const values = reply.encoded ? decodeValue(reply.values as unknown[], options.context) : reply.values;
      if (values.length > 0) yield values;
      finished += values.length;
      if (reply.error) throw withTaskIndex(fromErrorRecord(reply.error), p.base + values.length);
      options.onProgress?.(finished, total);
      await fill();
    }
    if (inputError) throw inputError.error;
  } finally {
    // Early exit or failure: stop reading and drop what has not started.
    if (!inputDone) await (it as AsyncIterator<unknown> | undefined)?.return?.();
    for (const p of pending) p.reply.catch(() => {});
    cancel(pending.flatMap((p) => (p.entry ? [p.entry] : [])));
  }
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
