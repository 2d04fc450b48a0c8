/**
 * Chunk sizing and packing for map-style calls.
 *
 * Size (when the caller gives no `chunksize`): adapts to the time the worker reports per item.
 * The first chunk holds one item; then each chunk takes ~10 ms of worker time, so trivial items
 * are batched by thousands and slow items go one by one. With a known input length a chunk is
 * never larger than Python's size (`ceil(len / (4 * processes))`), but often smaller: Python's
 * four chunks per worker put most of an uneven input's work in one chunk.
 *
 * Packing: a chunk whose items are all numbers travels as a Float64Array (transferred between
 * threads), which clones ~5x faster than an array; results come back packed the same way.
 */
import { describeValue, encodeValue, SerializationError, ValidationError } from '@multiproc/shared';
import type { Float64Buffers } from './buffers.js';
import { EncodedChunk } from './encoded-chunk.js';
import type { ChunkKeeps } from './item-keeps.js';

const TARGET_CHUNK_MS = 10;
const FIRST_ADAPTIVE_CHUNK = 1;
const MAX_ADAPTIVE_CHUNK = 16_384;
/**
 * A call's one-item first chunk moves a learned size only when it took at least the target over
 * PROBE_FLOOR (below that, one item's time is the clock's and the scheduler's noise: 7-90 us for
 * a task that takes 0.05 us) and chunks of that size would take more than PROBE_SLACK targets at
 * its rate (see `AdaptiveChunks.probe`).
 */
const PROBE_FLOOR = 100;
const PROBE_SLACK = 10;

export { knownLength } from './stream-input.js';

/** Python's default chunksize for a known length. */
export function defaultChunksize(length: number, processes: number): number {
  return Math.max(1, Math.ceil(length / (processes * 4)));
}

/**
 * Chooses the next chunk's (or batch's) size from the worker time measured so far: recent
 * batches weigh most, so a first batch slowed by importing the task module is soon forgotten.
 */
export class AdaptiveChunks {
  readonly #first: number;
  readonly #max: number;
  readonly #targetMs: number;
  readonly #growWhileFast: boolean;
  #perItemMs: number | undefined;
  #last = { items: 0, ms: 0 };

  /**
   * @param options - `first` chunk size (default 1), `max` size (default 16,384), `targetMs` of
   *   worker time per chunk (default 10), and `growWhileFast`: at least double the size while a
   *   chunk takes under half the target, for chunks whose time is mostly a fixed cost (a Redis
   *   round trip) that makes their items look slow (default false).
   */
  constructor(options: { first?: number; max?: number; targetMs?: number; growWhileFast?: boolean } = {}) {
    this.#first = options.first ?? FIRST_ADAPTIVE_CHUNK;
    this.#max = options.max ?? MAX_ADAPTIVE_CHUNK;
    this.#targetMs = options.targetMs ?? TARGET_CHUNK_MS;
    this.#growWhileFast = options.growWhileFast ?? false;
  }

  /** Whether a chunk was measured yet. */
  get known(): boolean {
    return this.#perItemMs !== undefined;
  }

  /** A chunk (or batch) of `items` took `ms` of worker time. */
  record(items: number, ms: number): void {
    if (items <= 0) return;
    const sample = ms / items;
    this.#perItemMs = this.#perItemMs === undefined ? sample : (this.#perItemMs + sample) / 2;
    this.#last = { items, ms };
  }

  /**
   * A call's first chunk, of one item, took `ms`. It counts when this call's first items are much
   * heavier than the ones the size was learned from (a call over files biggest first, after one
   * that ended on the smallest). Otherwise the learned size stands: one item of a cheap task
   * measures noise, and one item of an uneven input is a worse guess than the average learned.
   */
  probe(ms: number): void {
    const target = this.#targetMs;
    if (this.known && (ms < target / PROBE_FLOOR || this.next() * ms <= PROBE_SLACK * target)) return;
    this.record(1, ms);
  }

  /** How many items take about `ms` at the learned rate (at least 1; the maximum while unknown or free). */
  sizeFor(ms: number): number {
    const perItem = this.#perItemMs;
    if (perItem === undefined || perItem <= 0) return this.#max;
    return Math.max(1, Math.min(this.#max, Math.round(ms / perItem)));
  }

  /**
   * The size of the next chunk: about the target of worker time, or `atLeastMs` if that is more
   * (an ordered call's cover, see {@link coverMs}).
   */
  next(atLeastMs = 0): number {
    const perItem = this.#perItemMs;
    if (perItem === undefined) return this.#first;
    if (perItem <= 0) return this.#max;
    let size = Math.round(Math.max(this.#targetMs, atLeastMs) / perItem);
    if (this.#growWhileFast && this.#last.ms < this.#targetMs / 2)
      size = Math.max(size, this.#last.items * 2);
    return Math.max(1, Math.min(this.#max, size));
  }
}

/** A chunk ready to post: packed or encoded items, and what to transfer. */
export interface PackedChunk {
  readonly items: unknown[] | Float64Array;
  readonly encoded: boolean;
  readonly transfer: object[];
}

/** A chunk checked and encoded at submission; `pack()` gives a fresh copy to post each time. */
export interface PreparedChunk {
  pack(): PackedChunk;
  /** The chunk will not be posted again and no live worker holds it decoded: see `Entry.drop`. */
  drop?(): void;
  /** The worker its last post went to has ended, or is being stopped: see `Entry.holderEnded`. */
  ended?(): void;
}

/**
 * Prepares a chunk of items for `target`: encodes multiproc objects and names unsendable parts now
 * (so the call rejects at once); all-number chunks travel as a Float64Array. Items read packed
 * already (an input of unknown length) are kept as they are: a thread gets a copy, on a buffer of
 * `buffers`, each `pack()`, since the copy it is sent is transferred and a chunk may be sent again.
 * @throws {ValidationError} for a `starmap` item (input index `base + i`) that is not an argument list.
 */
export function prepareChunk(
  items: unknown[] | Float64Array,
  target: 'thread' | 'process',
  star: boolean,
  buffers?: Float64Buffers,
  base = 0,
  keeps?: ChunkKeeps,
): PreparedChunk {
  if (items instanceof Float64Array) return packedChunk(items, target, buffers);
  if (star) checkArgLists(items, base);
  for (let i = 0; i < items.length; i++) {
    if (typeof items[i] !== 'number') return new EncodedChunk(items, target, base, keeps);
  }
  return new NumberArrayChunk(items as number[], target);
}

// Classes, not closures: a chunk is held until its results are read, across scavenges (issue 18).

/** An array of numbers: packed into a fresh `Float64Array` at each post. */
class NumberArrayChunk implements PreparedChunk {
  readonly #items: number[];
  readonly #thread: boolean;

  constructor(items: number[], target: 'thread' | 'process') {
    this.#items = items;
    this.#thread = target === 'thread';
  }

  pack(): PackedChunk {
    const packed = Float64Array.from(this.#items);
    return { items: packed, encoded: false, transfer: this.#thread ? [packed.buffer] : [] };
  }
}

/** Items read packed, for a thread: each post sends a copy on a buffer of `buffers`. */
class PackedThreadChunk implements PreparedChunk {
  readonly #items: Float64Array;
  readonly #buffers: Float64Buffers | undefined;

  constructor(items: Float64Array, buffers: Float64Buffers | undefined) {
    this.#items = items;
    this.#buffers = buffers;
  }

  pack(): PackedChunk {
    const items = this.#items;
    const copy = this.#buffers ? this.#buffers.take(items.length) : new Float64Array(items.length);
    copy.set(items);
    return { items: copy, encoded: false, transfer: [copy.buffer] };
  }
}

/** A chunk posted as it is every time (a child process gets a copy of it anyway). */
class FixedChunk implements PreparedChunk {
  readonly #chunk: PackedChunk;

  constructor(chunk: PackedChunk) {
    this.#chunk = chunk;
  }

  pack(): PackedChunk {
    return this.#chunk;
  }
}

function packedChunk(
  items: Float64Array,
  target: 'thread' | 'process',
  buffers?: Float64Buffers,
): PreparedChunk {
  if (target === 'process') {
    // A view is serialized with its whole buffer: a short one goes as a copy of its own.
    const whole = items.byteLength === items.buffer.byteLength ? items : items.slice();
    return new FixedChunk({ items: whole, encoded: false, transfer: [] });
  }
  return new PackedThreadChunk(items, buffers);
}

/** `starmap` spreads each item into the task's arguments: each must be an array (or iterable).
 * @throws {ValidationError} naming the item by its index in the call's input (`base + i`). */
export function checkArgLists(items: readonly unknown[], base: number): void {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (Array.isArray(item)) continue;
    if (typeof item === 'string' || (item !== null && typeof item === 'object' && Symbol.iterator in item))
      continue;
    throw new ValidationError(
      `Pool.starmap(): item ${base + i} is not an argument list (got ${describeValue(item)}). Each item is spread into the task's arguments: write [[1, 2], [3]], or use map() for one argument per item.`,
    );
  }
}

/**
 * Why structured clone refused a chunk the codec passed: an item of a long chunk is sent without
 * its arrays' named fields looked into (`listLength`, no `Object.keys()` per item), so a function
 * or symbol there is met by the platform only. This finds it (the failure path alone pays for the
 * look) and names it as the codec would: `items[5].cb`, `items[5][0].cb`; undefined when none is.
 */
export function unsendableNamedField(
  items: unknown[],
  target: 'thread' | 'process',
  base: number,
): SerializationError | undefined {
  const named = (arr: unknown[]) => Object.keys(arr).filter((key) => String(Number(key) >>> 0) !== key);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== 'object') continue;
    // The item and what it holds directly: where a value sent alone has its named fields looked into.
    const arrays: [unknown[], string][] = [];
    if (Array.isArray(item)) arrays.push([item, `items[${base + i}]`]);
    for (const [key, v] of Object.entries(item)) {
      if (Array.isArray(v))
        arrays.push([v, `items[${base + i}]${Array.isArray(item) ? `[${key}]` : `.${key}`}`]);
    }
    for (const [arr, path] of arrays) {
      for (const key of named(arr)) {
        const v = (arr as unknown as Record<string, unknown>)[key];
        if (typeof v !== 'function' && typeof v !== 'symbol') continue;
        try {
          encodeValue(v, target, `${path}.${key}`);
        } catch (err) {
          if (err instanceof SerializationError) return err;
        }
      }
    }
  }
  return undefined;
}

/**
 * The worker time each chunk of an ordered call (`imap`) should take so that a chunk as long as its
 * longest so far (`longestMs`) does not leave the other workers idle while it is the oldest one
 * unread. The consumer takes results in input order and at most `inflight` chunks are read ahead
 * of it, so once that chunk is the oldest, the other `processes - 1` workers have the chunks they
 * are running and the `inflight - processes` read after those: these must hold `processes - 1`
 * times its work. A window counted in chunks covers a slow item only if its chunks are long
 * enough (issue 18: `.js` files parsed in path order, some 40 ms among 1 ms ones).
 */
export function coverMs(longestMs: number, processes: number, inflight: number): number {
  return (longestMs * (processes - 1)) / Math.max(1, inflight - processes);
}

/** Near the end of an input of known length, a chunk holds at most 1/(TAIL_SHARE * processes) of the rest... */
const TAIL_SHARE = 2;
/** ...unless the learned rate says that is under this much work. */
const TAIL_FLOOR_MS = 1;

/**
 * The most items the next chunk of an input of `total` items takes once `read` of them were sent:
 * near the end, an even share of a fraction of what is left (guided self-scheduling), unless that
 * is under TAIL_FLOOR_MS of work at `sizer`'s learned rate. The last chunks shrink to single
 * items, so one worker does not run a last chunk, a big item in it, while the others idle; cheap
 * items keep their sizes. No cap (`Infinity`) for an input of unknown length.
 */
export function tailCap(
  total: number | undefined,
  read: number,
  processes: number,
  sizer: AdaptiveChunks,
): number {
  if (total === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(Math.ceil((total - read) / (TAIL_SHARE * processes)), sizer.sizeFor(TAIL_FLOOR_MS));
}

/**
 * The next adaptive chunk's size: the sizer's (at least `atLeastMs` of worker time, see
 * {@link coverMs}), never above Python's size for an input of known length (`total`), and within
 * {@link tailCap} once `read` items were sent.
 */
export function adaptiveSize(
  sizer: AdaptiveChunks,
  total: number | undefined,
  read: number,
  processes: number,
  atLeastMs: number,
): number {
  const python = total === undefined ? Number.POSITIVE_INFINITY : defaultChunksize(total, processes);
  return Math.min(sizer.next(atLeastMs), python, tailCap(total, read, processes, sizer));
}
