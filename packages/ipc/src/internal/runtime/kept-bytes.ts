/**
 * The copies a pipe end's home keeps of big bytes it wrote at once to a reading copy in another
 * process (home.ts `sendBytesNow`), until that copy reports them taken: a process stopped by a
 * signal returns nothing, so without them the bytes it read ahead were lost. A copy reported taken
 * is nobody else's (its reader decoded its own bytes from the socket), so its memory is reused for
 * the next one of its size: a stream of 64 KiB messages copies into warm memory instead of
 * allocating (and the GC freeing) 64 KiB per message, which cost about a third of the throughput.
 */
import { BYTES_KIND } from '../link/frames.js';
import type { Item } from '../protocol/item.js';
import { unzeroedBytes } from '../unzeroed.js';

/** At most this many bytes of copies wait for reuse, per thread. */
export const KEPT_POOL_BYTES = 8 * 1024 * 1024;

// The copies made here (only they may be reused; not named `made`, which the bundle's first-use
// wrapper declares around this code), and the free ones by length.
const copies = new WeakSet<Uint8Array>();
const free = new Map<number, Uint8Array[]>();
let pooled = 0;

/** The bytes item (the bytes kind, then `bytes`) the home keeps: a copy, in reused memory when it can. */
export function keptBytes(bytes: Uint8Array): Uint8Array {
  const n = bytes.byteLength + 1;
  let item = free.get(n)?.pop();
  if (item) pooled -= n;
  else {
    item = unzeroedBytes(n);
    copies.add(item);
  }
  item[0] = BYTES_KIND;
  item.set(bytes, 1);
  return item;
}

/** A copy's reader reported `item` taken: if it is one of {@link keptBytes}', its memory is reused. */
export function keptTaken(item: Item): void {
  if (!(item instanceof Uint8Array) || !copies.has(item)) return;
  const n = item.byteLength;
  if (pooled + n > KEPT_POOL_BYTES) return;
  pooled += n;
  const list = free.get(n);
  if (list) list.push(item);
  else free.set(n, [item]);
}
