/**
 * A copy of a queue or pipe end as its home sees it: the demand it made, and the items pushed to
 * it that it has not reported consumed (they go back to the front of the channel if it gives back,
 * closes or dies). Items it was sent by move are kept as {@link MOVED} and come back from the copy
 * itself (R_RETURN): no home moves any now (it keeps a private copy of what it sends at once, since
 * a worker stopped without its exit hooks returns nothing), so only the return path is left.
 */
import { Deque } from '../deque.js';
import type { Channel } from './channel.js';
import { type Endpoint, type HomeActions, HomeCopy, type Wait } from './home-copy.js';
import { approxBytes, type Item, MOVED } from './item.js';
import type { LoanCell } from './loan.js';
import { Op } from './ops.js';

/** A queue or pipe endpoint: the channel it receives from and the one it sends to. */
export interface ChannelEndpoint extends Endpoint<ReaderCopy> {
  /** A queue reads and writes the same channel; a one-way pipe end has one of them only. */
  readonly read: Channel | null;
  readonly write: Channel | null;
}

/** A put waiting for room: a local one, or a copy's R_PUT_WAIT (`copy` and `seq`). */
export interface PutWait extends Wait {
  readonly item: Item;
  readonly copy: ReaderCopy | null;
  readonly seq: number;
  readonly local: boolean;
}

/** Items a copy gave back, in order; `slots` counts the lost ones too (moved to a copy that died). */
export interface TakenBack {
  readonly items: Item[];
  readonly slots: number;
}

interface PendingGiveBack {
  readonly items: (Item | null)[];
  missing: number;
}

export class ReaderCopy extends HomeCopy {
  declare readonly end: ChannelEndpoint;
  /** Its link sends values at once, unserialized (home.ts sendNow): the home keeps a private copy of each. */
  moves = false;
  epoch = 0;
  /** Gets waiting at the copy, not served yet (its entries in the channel's takers). */
  hard = 0;
  /** Items it may still be pushed ahead of its gets. */
  soft = 0;
  inSoft = false;
  /**
   * It reads ahead: it was pushed read-ahead items, or told that demand became read-ahead
   * (R_SOFTEN), and has not since held nothing with no demand left. Meanwhile anything it holds
   * may come back unused (a read-ahead item can serve a get whose own item then waits unused).
   */
  softActive = false;
  /** A recall is on its way to it: it gets nothing more until it answers (R_UNUSED). */
  recalled = false;
  eofSent = false;
  /**
   * Its give-backs (R_GIVE_BACK, R_UNUSED) received, mod 2^32. H_EOF carries this count: an EOF
   * that crossed a give-back covered items the copy no longer holds, so the copy ignores it, and
   * the home sends a new one once what it gave back is out again.
   */
  backs = 0;
  /** It was last told it is the only reader of its channel (H_ALONE; pipes only). */
  alone = false;
  /** A queue's size changed since the last state report to it. */
  dirty = false;
  /** Its cumulative consumed count as last reported (mod 2^32). */
  taken = 0;
  /** Pushed, not reported taken, oldest first; MOVED for moved ones. */
  readonly delivered = new Deque<Item>();
  /** About the bytes of `delivered` (moved items not counted): what it may read ahead is bounded. */
  deliveredBytes = 0;
  /** Moved items it returned ahead of the give-back they belong to. */
  readonly returned = new Deque<Item>();
  pending: PendingGiveBack | null = null;
  /** Its worker has ended (frames it sent before may still come). */
  holderGone = false;
  /**
   * Its worker is being stopped (kill, terminate): it is served nothing more, so nothing newer
   * than what it holds goes to it and comes back behind items handed out since; what it holds
   * stays its own until its link closes (a report of what it took may still come).
   */
  ending = false;
  /** Its puts waiting for room (cancelled if it goes away: a put that did not complete). */
  readonly puts = new Set<PutWait>();
  /**
   * A thread copy of a queue: it counts its puts and gets in the queue's shared count itself
   * (count.ts), so the home does not count them again.
   */
  countsOwn = false;
  /** A queue's copy that can be lent items (loan.ts): its LOAN word, or a file (another process). */
  loanCell: LoanCell | null = null;
  /** Room granted to it for a put (R_SLOT), mod 2^32. */
  granted = 0;
  /** Granted room it used (R_PUT `a` = 2) or gave back (R_UNSLOT), mod 2^32. */
  used = 0;
  /** Its items that came with room it took in the shared count (R_PUT `a` = 1), mod 2^32. */
  selfUsed = 0;
  /** A thread copy that died: the room it had taken in the shared count, as it recorded it. */
  selfReserved: number | null = null;
  /** A JoinableQueue's thread copy: its items that came with their task counted (R_PUT `b` = 1). */
  selfTasksUsed = 0;
  /** A thread copy that died: the tasks it had counted for its puts, as it recorded them. */
  selfTasks: number | null = null;

  /** Pushes `item` to this copy: `tag` 1 for a waiting get, 0 read ahead, 2 for a try. */
  push(out: HomeActions, ch: Channel, item: Item, tag: number): void {
    // Kept here until reported taken, big bytes too (a port copies them): a thread that ends with
    // them unused (returns, exits, throws, is stopped) returns nothing, its link's close gives them back.
    this.delivered.push(item);
    this.deliveredBytes += approxBytes(item);
    ch.inFlight++;
    this.dirty = true;
    // A try's item may find the try served by one already on its way: then it waits unused there.
    if (tag !== 1) this.markSoft(ch);
    out.send(this, Op.H_DATA, this.epoch, tag, item);
  }

  /** The tag of an item pushed now: 1 when a get of the copy waits for it, 0 when read ahead. */
  get nowTag(): number {
    return this.hard === 0 ? 0 : 1;
  }

  /**
   * An item tagged `tag` ({@link nowTag} before it left) was pushed at once (home.ts sendNow,
   * sendBytesNow). `kept`: the home's private copy of it, kept until reported taken.
   */
  pushedNow(ch: Channel, tag: number, kept: Item): void {
    if (tag === 0) {
      this.soft--;
      this.markSoft(ch);
    } else {
      this.hard--;
      ch.hardWaiting--;
    }
    this.delivered.push(kept);
    this.deliveredBytes += approxBytes(kept);
    ch.inFlight++;
  }

  /**
   * Its consumed count (cumulative, mod 2^32) is `total`: that many more of what it holds are used
   * (each told to `taken`, when given).
   */
  reported(total: number, taken?: (item: Item) => void): void {
    const n = (total - this.taken) >>> 0;
    if (n === 0) return;
    this.taken = total >>> 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const item = this.delivered.shift();
      if (item === undefined) continue;
      bytes += approxBytes(item);
      taken?.(item);
    }
    this.deliveredBytes -= bytes;
    const ch = this.end.read!;
    ch.inFlight -= n;
    if (!this.countsOwn) ch.count?.add(-n);
    this.dirty = true;
    ch.settled(this);
  }

  /** Its put `seq` waits for room in `ch` (for `timeoutMs`, -1: no limit), answered by H_PUT_DONE. */
  putWaiting(out: HomeActions, ch: Channel, seq: number, timeoutMs: number, item: Item): void {
    if (ch.tryPut(item)) {
      this.dirty = true;
      out.send(this, Op.H_PUT_DONE, seq, 1);
    } else if (timeoutMs === 0) {
      out.dropped?.(item);
      out.send(this, Op.H_PUT_DONE, seq, 0);
    } else {
      const w: PutWait = { done: false, item, copy: this, seq, local: false };
      this.puts.add(w);
      ch.waitPut(w);
      if (timeoutMs > 0) out.startTimer(w, timeoutMs);
    }
  }

  /** Room granted to it (R_SLOT) for items that never came: a JoinableQueue counted their tasks. */
  unusedGrants(): number {
    return Math.max(0, (this.granted - this.used) | 0);
  }

  /** Room it took for items that never came: to give back once it is gone. */
  unusedRoom(): number {
    const granted = this.unusedGrants();
    const own = this.selfReserved === null ? 0 : Math.max(0, (this.selfReserved - this.selfUsed) | 0);
    return granted + own;
  }

  /** Tasks it counted for items that never came: to give back once it is gone. */
  unusedTasks(): number {
    return this.selfTasks === null ? 0 : Math.max(0, (this.selfTasks - this.selfTasksUsed) | 0);
  }

  /** Its puts still waiting for room did not complete (it closed, died or its worker ended). */
  dropPuts(out?: HomeActions): void {
    if (this.puts.size === 0) return;
    for (const p of this.puts) {
      p.done = true;
      out?.dropped?.(p.item);
    }
    this.puts.clear();
    this.end.write?.putsChanged();
  }

  /** It gave back what it held (R_GIVE_BACK, R_UNUSED): an EOF sent before no longer holds. */
  gaveBack(): void {
    this.backs = (this.backs + 1) >>> 0;
    this.eofSent = false;
  }

  /** It was pushed read-ahead: until it holds nothing, what it holds may come back. */
  markSoft(ch: Channel): void {
    if (this.softActive) return; // then it is among the holders already
    this.softActive = true;
    ch.ahead.holders.add(this);
  }

  /** Whether it still reads ahead (false once it holds nothing and has no demand left). */
  readsAhead(): boolean {
    if (this.delivered.length === 0 && this.soft === 0 && this.hard === 0) this.softActive = false;
    return this.softActive && this.phase === 'open';
  }

  /** Whether items it holds may come back (it reads ahead and holds some). */
  holdsSoft(): boolean {
    return this.readsAhead() && this.delivered.length > 0;
  }

  /**
   * Takes back the oldest `count` items pushed and not reported taken (null: all of them). Moved
   * ones come from what the copy returned; any still on their way back are waited for (the channel
   * hands out nothing meanwhile: they are older than anything there), unless `dropMissing` (the
   * copy is gone). Returns them once complete, else null ({@link returnArrived} completes it).
   */
  takeBack(count: number | null, dropMissing: boolean): TakenBack | null {
    const n = Math.min(count ?? this.delivered.length, this.delivered.length);
    const items: (Item | null)[] = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const item = this.delivered.shift()!;
      bytes += approxBytes(item);
      items.push(item);
    }
    this.deliveredBytes -= bytes;
    let missing = 0;
    for (let i = 0; i < items.length; i++) {
      if (items[i] !== MOVED) continue;
      const r = this.returned.shift();
      if (r === undefined) missing++;
      items[i] = r ?? null;
    }
    const p = this.pending;
    if (p) {
      // An earlier give-back still waits for returns: this one joins it, behind it.
      p.items.push(...items);
      p.missing += missing;
    } else if (missing > 0 && !dropMissing) {
      this.pending = { items, missing };
      this.end.read!.waitingBacks++;
      return null;
    } else return this.#filled(items);
    return p.missing === 0 || dropMissing ? this.#complete() : null;
  }

  /** A moved item came back; returns the pending give-back if that completed it. */
  returnArrived(item: Item): TakenBack | null {
    const p = this.pending;
    if (!p) {
      this.returned.push(item);
      return null;
    }
    p.items[p.items.indexOf(null)] = item;
    return --p.missing === 0 ? this.#complete() : null;
  }

  #complete(): TakenBack {
    const p = this.pending!;
    this.pending = null;
    this.end.read!.waitingBacks--;
    return this.#filled(p.items);
  }

  #filled(items: (Item | null)[]): TakenBack {
    return { items: items.filter((x): x is Item => x !== null), slots: items.length };
  }
}
