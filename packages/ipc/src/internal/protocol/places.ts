/**
 * Places: room a bounded queue's home grants a copy in another process ahead of its puts, so that
 * copy's `putNowait()` needs no answer from a home that may be busy (Python's `put_nowait()` takes
 * the queue's shared semaphore and never waits for another process; a process has no memory to
 * share with its home here, only messages).
 *
 * - A copy asks for places only with its puts: its first `putNowait()` asks the home for room
 *   synchronously (R_SLOT `a` = seq) and for places with it (`b` = how many); past that it asks
 *   again on its way (R_SLOT `a` = 0) once it spent half of what it holds. So a copy that never
 *   puts holds none. The answer (H_PUT_DONE `b`) is the room granted: the put's, then places.
 * - The home grants places only while the queue, counting them, stays at most half full, at most
 *   {@link placesFor} to a copy, none to a JoinableQueue's copy (its tasks count as items come)
 *   and none while a put waits for room. A place is room taken (count.ts: `value`, and `places`
 *   beside it), so `maxsize` holds for all holders: a copy spends one with `R_PUT` `a` = 2.
 * - A place goes back only with the copy's agreement (`R_UNSLOT` n, after the puts that spent the
 *   others: per-sender FIFO), so it is never spent twice: the home recalls places (`H_UNPLACE`)
 *   once the queue is three quarters full or a put at home finds no room, and the copy gives back
 *   all it holds when its event loop next runs. A copy whose thread or process ends gives back,
 *   through its home, the places it did not spend (`ReaderCopy.unusedGrants`).
 *
 * The price, while a copy holds places it has not spent: the home's `full()`, its `putNowait()`
 * and other holders' count them as taken until that copy gives them back, at most
 * {@link placesFor} per producing copy, and only after the queue passed half full.
 */
import type { Channel } from './channel.js';
import type { CopyProtocol, SlotWait } from './copy.js';
import type { HomeActions } from './home-copy.js';
import { Op } from './ops.js';
import type { ReaderCopy } from './reader-copy.js';

/** The most places a copy of a queue of `maxsize` holds: an eighth of it, at most 16. */
export function placesFor(maxsize: number): number {
  return Math.min(16, Math.floor(maxsize / 8));
}

// Copies told to give their places back that have not answered (nor been granted more) since.
const recalled = new WeakSet<ReaderCopy>();

/**
 * R_SLOT from `c`: room for the put that asks (`first`; refused: no places either), then up to
 * `wanted` places. Returns the room granted, counted in `c.granted`.
 */
export function grantRoom(c: ReaderCopy, ch: Channel, first: boolean, wanted: number): number {
  if (first && !ch.reserve()) return 0;
  const count = ch.count;
  let n = first ? 1 : 0;
  const most = n + Math.min(wanted, placesFor(ch.maxsize));
  while (count && n < most && (count.value + 1) * 2 <= ch.maxsize && count.tryReserve()) n++;
  count?.addPlaces(n);
  c.granted = (c.granted + n) | 0;
  if (n > 0) recalled.delete(c);
  return n;
}

/** `n` of the room granted to `c` was used (R_PUT `a` = 2), given back, or is gone with it. */
export function placesUsed(c: ReaderCopy, n: number): void {
  c.used = (c.used + n) | 0;
  c.end.write?.count?.addPlaces(-n);
}

/** Asks each copy that holds places to give them back (once until it answers or gets more). */
export function recallPlaces(copies: Iterable<ReaderCopy>, out: HomeActions): void {
  for (const c of copies) {
    if (c.phase !== 'open' || recalled.has(c) || c.unusedGrants() === 0) continue;
    recalled.add(c);
    out.send(c, Op.H_UNPLACE, 0, 0);
  }
}

/** `c` answered a recall (or gave back room it was granted after it stopped waiting). */
export function placesBack(c: ReaderCopy, n: number): void {
  recalled.delete(c);
  placesUsed(c, n);
}

/**
 * A copy in another process asks for room for the put `w` waits for, with places (its first put,
 * or it spent them), or (`w` false), once half of its `most` places are spent, for more on their way.
 */
export function askPlaces(proto: CopyProtocol, w: SlotWait | false, most: number): void {
  if (w) proto.askSlot(w, Math.max(0, most - proto.places));
  else if (most > 0 && !proto.placesAsked && proto.places * 2 <= most)
    proto.askSlot(null, most - proto.places);
}
