/**
 * A map chunk whose items go through the codec (they hold queues, pipe ends, objects that are
 * not plain data): encoded at submission, its copies given back when it is dropped undelivered,
 * and ended when the worker it went to ends (`Entry.holderEnded`).
 */
import { encodeValue } from '@multiproc/shared';
import { ERRORS_AS_VALUES } from '../internal/error-record.js';
import type { PackedChunk, PreparedChunk } from './chunks.js';
import type { ChunkKeeps } from './item-keeps.js';
import { dropEncoded, endEncoded } from './undelivered.js';

/**
 * Items through the codec: posted as encoded, and encoded again for a post after one that was not
 * started (a hand-back, a crash) when the last one transferred something (a queue's or pipe end's
 * port, a Buffer's bytes): that went to the worker it was posted to. What the last encoding
 * reserved for a worker goes back then, and in `drop()`.
 */
export class EncodedChunk implements PreparedChunk {
  readonly #items: unknown[];
  readonly #target: 'thread' | 'process';
  readonly #base: number;
  readonly #keeps: ChunkKeeps;
  #packed: PackedChunk;
  #posted = false;
  #dropped = false;

  constructor(items: unknown[], target: 'thread' | 'process', base: number, keeps: ChunkKeeps) {
    this.#items = items;
    this.#target = target;
    this.#base = base;
    this.#keeps = keeps;
    this.#packed = encodeChunk(items, target, base, keeps);
  }

  pack(): PackedChunk {
    if (this.#posted && this.#packed.transfer.length > 0) {
      this.drop();
      this.#packed = encodeChunk(this.#items, this.#target, this.#base, this.#keeps);
      this.#dropped = false;
    }
    this.#posted = true;
    return this.#packed;
  }

  drop(): void {
    if (this.#dropped || !this.#packed.encoded) return;
    this.#dropped = true;
    dropEncoded(this.#packed.items);
  }

  // Items sent again after a crash go in new chunks, encoded anew: this encoding is never posted again.
  ended(): void {
    if (this.#packed.encoded) endEncoded(this.#packed.items);
  }
}

/**
 * Encodes a chunk's items (each through `keeps[i]`, its copies). An unsendable part is named by its item's index in the call's input,
 * `items[5]` (map, imap) or `items[5][1].cb` (starmap: the item is the argument list), as
 * results are named `result[5]`.
 */
function encodeChunk(
  items: unknown[],
  target: 'thread' | 'process',
  base: number,
  keeps: ChunkKeeps,
): PackedChunk {
  let encoded = false;
  const transfer: object[] = [];
  let out: unknown[] | undefined;
  // The worker decodes the chunk as one list: each item is encoded as an item of it.
  const options = { ...ERRORS_AS_VALUES, listLength: items.length };
  // The items encoded so far: what they reserved goes back if a later one cannot be sent.
  const made: unknown[] = [];
  try {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (
        item === null ||
        (typeof item !== 'object' && typeof item !== 'function' && typeof item !== 'symbol')
      ) {
        continue;
      }
      // Through the copies the item took when it was read (item-keeps.ts), if it holds a queue or pipe end.
      const keep = keeps?.[i];
      const result = encodeValue(item, target, `items[${base + i}]`, keep ? { ...options, keep } : options);
      if (result.encoded || result.value !== item) {
        out ??= items.slice();
        out[i] = result.value;
      }
      if (result.encoded) made.push(result.value);
      encoded ||= result.encoded;
      transfer.push(...result.transfer);
    }
  } catch (error) {
    dropEncoded(made);
    throw error;
  }
  return { items: out ?? items, encoded, transfer };
}
