/**
 * The copies a map-style call (`map`, `starmap`, `imap`, `imapUnordered`) takes of the queues and
 * pipe ends its items hold, as `apply` takes its arguments' at the call (apply-call.ts): an
 * array's items at the call, another input's items as each is read. Their chunk is encoded later
 * (when a worker has room for it), from these copies, so the caller may close its own handles
 * right after the call or the read, as Python's parent may.
 *
 * Only such objects are looked for (the codec's `keepOnly` walk: no encoding, no copy of plain
 * data, one more scan of an object item; a number item costs one `typeof`). Each item keeps its own copies, from its read until
 * its chunk settles; a failed chunk's items sent again keep theirs until that chunk settles. What
 * the call never sent (it ended early) is given back when it ends.
 */
import { encodeValue, type Keeper } from '@multiproc/shared';
import type { ContextName } from '../options.js';
import { readsAsArray } from './stream-input.js';

const SCAN_AS_LONG_LIST = Number.MAX_SAFE_INTEGER;

/** One item's copies, by the object each stands for (the codec's `keep` map). */
export type Kept = Map<object, Keeper>;

/** A chunk's items' copies, by position in the chunk (undefined: that item holds none). */
export type ChunkKeeps = (Kept | undefined)[] | undefined;

/** One map call's items' copies not yet handed to a chunk, by position in the input. */
export class ItemKeeps {
  readonly #context: ContextName;
  readonly #byIndex = new Map<number, Kept>();
  #ended = false;
  // The map the next item's copies go in (most items hold none: it is used again).
  #scratch: Kept = new Map();

  constructor(context: ContextName) {
    this.#context = context;
  }

  /** Item `index` of the input was read (an array's: the call was made): its copies are taken now. */
  take(item: unknown, index: number): void {
    if (item === null || typeof item !== 'object' || this.#ended) return;
    const kept = this.#scratch;
    // An unsendable part is named by the chunk's own encode, in input order, as before.
    // `listLength` as for a long chunk: arrays' named fields are not looked into (the scan of a plain
    // object item costs ~0.13 us then, against ~0.17 us for its chunk's encode).
    encodeValue(item, this.#context, 'items', { keep: kept, keepOnly: true, listLength: SCAN_AS_LONG_LIST });
    if (kept.size === 0) return;
    this.#byIndex.set(index, kept);
    this.#scratch = new Map();
  }

  /** A call's copies, with an array input's taken now (another input's are taken as read). */
  static atCall(context: ContextName, input: unknown): ItemKeeps {
    const keeps = new ItemKeeps(context);
    if (readsAsArray(input)) for (let i = 0; i < input.length; i++) keeps.take(input[i], i);
    return keeps;
  }

  /** Hands the copies of items `base` to `base + n - 1` to their chunk. */
  claim(base: number, n: number): ChunkKeeps {
    if (this.#byIndex.size === 0) return undefined;
    let out: ChunkKeeps;
    for (let i = 0; i < n; i++) {
      const kept = this.#byIndex.get(base + i);
      if (kept === undefined) continue;
      (out ??= new Array<Kept | undefined>(n))[i] = kept;
      this.#byIndex.delete(base + i);
    }
    return out;
  }

  /**
   * A chunk settled: its items' copies are given up, but those from position `from` on (but the
   * one at `skip`), which are sent again as chunks of their own (input positions from
   * `base + from`), come back here.
   */
  settled(keeps: ChunkKeeps, base: number, from = Number.POSITIVE_INFINITY, skip = -1): void {
    if (keeps === undefined) return;
    for (let i = 0; i < keeps.length; i++) {
      const kept = keeps[i];
      if (kept === undefined) continue;
      if (i >= from && i !== skip && !this.#ended) this.#byIndex.set(base + i, kept);
      else giveBack(kept);
    }
  }

  /** The call ended: the copies of items never sent are given up, and later ones at once. */
  end(): void {
    this.#ended = true;
    for (const kept of this.#byIndex.values()) giveBack(kept);
    this.#byIndex.clear();
  }
}

function giveBack(kept: Kept): void {
  for (const keeper of kept.values()) keeper.release();
}
