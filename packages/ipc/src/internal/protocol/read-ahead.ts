/**
 * Read-ahead at home: which copies may be pushed items beyond their waiting gets, and what happens
 * when someone else waits. Items a copy read ahead are older than anything still at home, so:
 *
 * - one copy at a time reads ahead (if it gives items back, nobody has taken later ones meanwhile);
 * - while a copy holds read-ahead items, a consumer other than it is served only after they come
 *   back: the home recalls them (H_RECALL), the copy returns what it has not used (R_UNUSED), and
 *   until then it is pushed nothing more (what reached it first would overtake what it returns).
 *
 * So each consumer still gets each sender's items in order, and an item available in the queue
 * goes to a consumer that waits for it. A copy's read-ahead credit counts items (its window, see
 * receiver.ts); for a queue the home also stops pushing ahead to a copy holding
 * {@link MAX_AHEAD_BYTES} not reported used, so a window sized for small items does not read big
 * ones ahead by the gigabyte.
 */
import { Deque } from '../deque.js';
import type { HomeActions } from './home-copy.js';
import type { Item } from './item.js';
import { Op } from './ops.js';
import type { ReaderCopy } from './reader-copy.js';

/**
 * A queue's items wait at home rather than go ahead to a copy that holds this many bytes it has not
 * reported used. A pipe end is not bounded: it reads everything as it comes, as a socket would.
 */
export const MAX_AHEAD_BYTES = 16 * 1024 * 1024;

export class ReadAhead {
  /** Copies that read ahead (`softActive`): what they hold may come back unused. */
  readonly holders = new Set<ReaderCopy>();
  // Copies with read-ahead credit, served in turn.
  readonly #rotation = new Deque<ReaderCopy>();
  readonly #out: HomeActions;
  // What a copy may hold before read-ahead waits at home (a pipe end reads everything as it comes).
  readonly #maxBytes: number;

  constructor(out: HomeActions, maxBytes: number) {
    this.#out = out;
    this.#maxBytes = maxBytes;
  }

  /** Whether some copy may have read-ahead credit (then nothing is lent, loan.ts). */
  get crediting(): boolean {
    return this.#rotation.length > 0;
  }

  /** `c` may be pushed `n` more items ahead of its gets. */
  credit(c: ReaderCopy, n: number): void {
    if (n <= 0) return;
    c.soft += n;
    if (!c.inSoft) {
      c.inSoft = true;
      this.#rotation.push(c);
    }
  }

  /**
   * Tells each pipe end reading this channel whether it is the only one (H_ALONE): then its
   * read-ahead credit serves its gets, which ask for nothing (receiver.ts). With two, a waiting get
   * must ask: only a get the home knows of makes it recall what the other one read ahead.
   */
  tellAlone(readers: ReadonlySet<ReaderCopy>): void {
    const only = readers.size === 1;
    for (const r of readers) {
      if (r.alone === only || r.phase !== 'open') continue;
      r.alone = only;
      this.#out.send(r, Op.H_ALONE, only ? 1 : 0, 0);
    }
  }

  /** `c` gave everything back, closed or died: it reads nothing ahead any more. */
  drop(c: ReaderCopy): void {
    c.soft = 0;
    c.softActive = false; // `recalled` stays until it answers: nothing is pushed to it meanwhile
    this.holders.delete(c);
  }

  /**
   * `c` answered a recall (R_UNUSED): it gave back all it held unused, and its demand left is one
   * item per waiting get, so nothing pushed to it from now on is surplus until it reads ahead again
   * (a push tagged 0 or 2, R_SOFTEN mark it anew). Without this it stayed a holder while it always
   * had a get waiting or an item unreported, and was recalled for every item another consumer asked.
   */
  exact(c: ReaderCopy): void {
    c.softActive = false;
    this.holders.delete(c);
  }

  /** Forgets `c` as a holder once it holds nothing and has no demand left. */
  settled(c: ReaderCopy): void {
    if (this.holders.has(c) && !c.readsAhead()) this.holders.delete(c);
  }

  /**
   * The copy {@link serve} would push one item to now, when it is the only one with credit (its
   * credit taken for that item); null otherwise.
   */
  takesNext(): ReaderCopy | null {
    if (this.#rotation.length !== 1) return null;
    const c = this.#rotation.peek()!;
    if (c.phase !== 'open' || c.soft <= 0 || c.recalled || c.deliveredBytes >= this.#maxBytes) return null;
    if (this.#othersHold(c)) return null;
    if (--c.soft === 0) {
      this.#rotation.shift();
      c.inSoft = false;
    }
    return c;
  }

  /** Pushes items ahead to the copies with credit, while no other copy holds read-ahead items. */
  serve(items: Deque<Item>, push: (c: ReaderCopy, item: Item) => void): void {
    for (let n = this.#rotation.length; n > 0 && items.length > 0; n--) {
      const c = this.#rotation.shift()!;
      if (c.phase !== 'open' || c.soft <= 0) {
        c.inSoft = false;
        continue;
      }
      if (!c.recalled && !this.#othersHold(c)) {
        for (; c.soft > 0 && items.length > 0 && c.deliveredBytes < this.#maxBytes; c.soft--)
          push(c, items.shift()!);
      }
      if (c.soft > 0) this.#rotation.push(c);
      else c.inSoft = false;
    }
  }

  /**
   * Recalls what copies read ahead when someone other than them waits (`othersWait(c)`); returns
   * whether such a copy still holds items (then nobody else may be served yet).
   */
  recall(othersWait: (c: ReaderCopy) => boolean): boolean {
    let blocked = false;
    for (const c of this.holders) {
      if (!c.readsAhead()) {
        this.holders.delete(c);
        continue;
      }
      if (!c.holdsSoft() || !othersWait(c)) continue;
      blocked = true;
      this.#recallOne(c);
    }
    return blocked;
  }

  /** Whether a copy other than `who` holds read-ahead items (recalled now); a take must wait. */
  blocks(who: ReaderCopy | null): boolean {
    for (const c of this.holders) {
      if (c === who || !c.holdsSoft()) continue;
      this.#recallOne(c);
      return true;
    }
    return false;
  }

  #recallOne(c: ReaderCopy): void {
    if (c.recalled) return;
    c.recalled = true;
    this.#out.send(c, Op.H_RECALL, 0, 0);
  }

  #othersHold(c: ReaderCopy): boolean {
    const n = this.holders.size;
    if (n === 0 || (n === 1 && this.holders.has(c))) return false;
    for (const h of this.holders) if (h !== c && h.holdsSoft()) return true;
    return false;
  }
}
