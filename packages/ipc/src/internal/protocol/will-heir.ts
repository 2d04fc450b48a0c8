/**
 * A copy takes its home's will (runtime/will.ts) as its link closes. An open copy's will holds the
 * items its home had sent it and not heard reported taken, oldest first, after the consumed count
 * they follow (`from`), and maybe how many items after them are lost (bytes the home did not keep,
 * bequest.ts). The copy consumed in that order, so the first `consumed - from` of them are taken
 * (their report had not reached the home), and what it holds (`buffer`) are the next ones, as far
 * as its link brought them before it closed: the will's rest replaces them, and of the items past
 * the will's it keeps those it holds. A will with no `from` (left to a copy still reserved) follows
 * nothing it received: its items come after what it holds.
 *
 * ```
 * sent:  | taken, reported | taken, not reported | held here (buffer) | never came |
 *                          ^ from                ^ consumed
 * will:                    | items, then `lost` more (not kept at home)           |
 * ```
 */
import type { Item } from './item.js';
import type { ItemBuffer } from './item-buffer.js';

/** A will as read: the consumed count its items follow (H_WILL; null: none), its items, how many more are lost. */
export interface Will {
  readonly from: number | null;
  readonly items: Item[];
  readonly lost: number;
}

/**
 * Puts the will's items into `buffer` (see above), each first offered to `take` (the gets waiting,
 * oldest first: the buffer is empty while one waits) while the buffer is empty; `consumed` is the
 * copy's count (mod 2^32), `from` the will's. Returns how many items are lost after them; null
 * when the will does not fit (the copy would have taken more than it was sent), the buffer as it was.
 */
export function takeWill(
  buffer: ItemBuffer,
  take: (item: Item) => boolean,
  consumed: number,
  will: Will,
): number | null {
  const { from, items, lost } = will;
  const skip = from === null ? 0 : (consumed - from) >>> 0;
  const k = items.length;
  if (skip > k + lost) return null;
  const held: Item[] = [];
  // A will that follows nothing comes after what the copy holds; else it replaces that.
  if (from !== null)
    for (let item = buffer.shift(); item !== undefined; item = buffer.shift()) held.push(item);
  const add = (item: Item): unknown => (buffer.length > 0 || !take(item)) && buffer.push(item);
  for (let i = skip; i < k; i++) add(items[i]!);
  // What it holds of the items past the will's (bytes it received before its link closed).
  if (lost > 0) for (let i = Math.max(0, k - skip); i < held.length; i++) add(held[i]!);
  return from === null || lost === 0 ? lost : Math.max(0, k + lost - (skip + held.length));
}
