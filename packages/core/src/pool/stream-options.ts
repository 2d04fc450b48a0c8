/**
 * The types a stream of map chunks (`streamChunks`) is driven by: its options, what it yields, and
 * its record of each chunk it sent.
 */
import type { Float64Buffers } from './buffers.js';
import type { AdaptiveChunks } from './chunks.js';
import type { InputWaits, StopStream } from './stream-input.js';

/**
 * A chunk's results as the consumer gets them: the values before the first failure, and that
 * failure; `more`: the results of the chunk's items after the failure, when they ran on (an
 * `imap` without `chunksize` sends them again, as Python's one-item tasks would run them).
 */
export interface ChunkResults {
  readonly values: ArrayLike<unknown>;
  readonly error?: unknown;
  readonly more?: ChunkResults;
}

/**
 * What the stream yields in place of a chunk's results for a failed item when the call goes on
 * after it (`StreamOptions.itemFailure`): the consumer rejects that one `next()` with `error`.
 */
export class ItemFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/**
 * How the caller runs one chunk: the handle to cancel it by (none if it failed at once) and its
 * reply, whose `ms` (worker time, when it says) sizes the next chunks of an input of unknown length.
 */
export type SubmitChunk<H, R extends { readonly ms?: number | undefined }, I = unknown[]> = (
  items: I,
  base: number,
) => { handle: H | undefined; reply: Promise<R> };

export interface StreamOptions<R> {
  readonly processes: number;
  readonly chunksize: number | undefined;
  readonly inflight: number;
  readonly ordered: boolean;
  /**
   * The consumer keeps every result anyway (`map`): only chunks still running count against
   * `inflight`, and a chunk that finishes lets the next one go at once, even while an older,
   * slower chunk holds up the results in order.
   */
  readonly keepsAll?: boolean;
  /**
   * Whether `error` fails only the items it names and the call goes on after them (`imap`, as
   * Python's `IMapIterator` does): the stream yields it as an {@link ItemFailure} and stays
   * usable. Absent or false (`map`, or an error that ends the call, such as its abort), it
   * throws: the stream ends and cancels what is still out. A failure a chunk's results carry
   * (`read`'s `error`) and one its reply rejects with are both asked.
   */
  itemFailure?(error: unknown): boolean;
  /** Told, as each chunk finishes (in completion order), how many results are ready so far. */
  readonly onProgress: ((done: number, total: number | undefined) => void) | undefined;
  /** How many results a finished chunk's reply holds; the chunk's item count by default. */
  count?(reply: R): number;
  /**
   * Size every chunk by worker time, an input of known length too (capped at Python's size,
   * `defaultChunksize`), and send one item a chunk, no more chunks than workers, until a first
   * chunk of the call comes back. Default false: Python's size for a known length, the sizer's
   * sizes otherwise.
   */
  readonly byWorkerTime?: boolean;
  /**
   * Reads a reply as the consumer reaches it; `base` is the position of its first item in the input.
   * A Promise when the results wait for a load (a task reference's module); its rejection fails the call.
   */
  read(reply: R, base: number): ChunkResults | Promise<ChunkResults>;
  /**
   * Read an input that is not an array into buffers taken from here while its items are numbers:
   * an all-number chunk is submitted as a `Float64Array` view (so `submit` must take
   * `unknown[] | Float64Array`), and no array of boxed items lives on the heap meanwhile.
   */
  readonly buffers?: Float64Buffers;
  /**
   * Hands the stream a function that stops it with an error (the call's timeout or abort): the
   * stream then rejects with it, also while it waits on an input that stopped yielding (whose
   * pending `next()` is left behind, and its `return()` called unawaited). And one that stops only
   * its reading (`stopReading`, an `imap`'s timeout): nothing more is read or submitted, the chunks
   * already out still settle (the caller fails those it stops) and are yielded as usual; the stream
   * then rejects with the error unless the input had been read to its end.
   */
  readonly interruptible?: (stop: StopStream, stopReading: StopStream) => void;
  /** Told once every result has arrived: the input read to its end and every chunk settled. */
  readonly onReceived?: () => void;
  /**
   * Told once the stream sends no more chunks: its input was read to its end (or failed), or the
   * call ended or was stopped. Its last chunk, if any, was submitted before.
   */
  readonly onLastSent?: () => void;
  /**
   * Where the stream registers that same stop while, and only while, it waits on an async input's
   * `next()` (a pool's terminate() stops those: a call waiting on its input has no job for it to
   * fail). A stream its consumer abandoned at a yield is then held by nobody.
   */
  readonly inputWaits?: InputWaits;
  /**
   * Hands the caller, as the stream starts, a function that makes it read its whole input without
   * waiting for the consumer (the pool was closed: Python's task handler feeds every task of a call
   * whatever its consumer reads). From then on a chunk that ends lets the next go, at most
   * `inflight` running, and the results wait for the consumer, who may read them later or never.
   * Its promise resolves once the call has nothing more to run: its input ended or failed, or the
   * call ended, and every chunk it sent has ended (or the consumer left). A consumer that was
   * last handed a failed item has left (a `for await` calls no `return()` then): the stream reads
   * no more, calls the input's `return()` (the promise waits for it unless a read was pending),
   * and ends with `leftError()` should that consumer go on after all. With `terminated` (the pool
   * was terminated) it only does the latter: a stream whose consumer left at a failed item closes
   * its input, any other is left as it is.
   */
  readonly readsOn?: (readAll: (leftError: () => unknown, terminated?: boolean) => Promise<void>) => void;
  /**
   * Yielded `Float64Array` results are `buffers`' to reuse once the consumer asks for the next
   * chunk (it has read them by then). Default false.
   */
  readonly recycleResults?: boolean;
  /** Sizes the adaptive chunks (shared, it carries what earlier calls learned); a new one by default. */
  readonly sizer?: AdaptiveChunks;
  /**
   * Told of each item of an input that is not an array as it is read (numbers packed into a
   * buffer are not), with its position in the input: a map call takes the item's copies of queues
   * and pipe ends then.
   */
  readonly onItem?: (value: unknown, index: number) => void;
}

/** A chunk the stream sent, until the consumer has read its results. */
export interface Pending<H, R> {
  /** Dropped once the chunk ended: only a chunk still out is cancelled, and what the handle holds dies young. */
  handle: H | undefined;
  /** The position of the chunk's first item in the input. */
  readonly base: number;
  settled: R | undefined;
  failure: unknown;
  done: boolean;
  /** When it ended, among the call's chunks (1 for the first): the completion order. */
  order: number;
}
