/**
 * A copy as its home sees it: where it is in its life, and the items pushed to it that it has not
 * reported consumed (they go back to the front of the channel if it gives back, closes or dies).
 *
 * ```
 *   reserve(token) ──► reserved ──claim(token)──► open ──R_CLOSE──► closing ──returns in──► gone
 *   attach(port) ────────────────────────────────► open                                     ▲
 *   reserved ──release(token): its worker ended unconnected──────────────────────────────────┤
 *   open | closing ──linkClosed: the worker died or the link broke───────────────────────────┘
 * ```
 * A reserved copy counts as a handle (a writer of a pipe end) until it connects or its worker is
 * reported ended, so a copy that is never used still ends with its worker.
 */
import { Deque } from '../deque.js';
import type { Channel } from './channel.js';
import { type Item, MOVE_MIN_BYTES, MOVED, movable } from './item.js';
import { Op } from './ops.js';

export type CopyPhase = 'reserved' | 'open' | 'closing' | 'gone';

/** A wait the protocol keeps: a local get, put or join, or a copy's put waiting for room. */
export interface Wait {
  done: boolean;
}

/** A put waiting for room: a local one (`copy` null) or a copy's R_PUT_WAIT. */
export interface PutWait extends Wait {
  readonly item: Item;
  readonly copy: HomeCopy | null;
  readonly seq: number;
  readonly local: boolean;
}

/** The home side of one endpoint (a queue, or one end of a pipe). */
export interface Endpoint {
  readonly index: number;
  /** The channel this endpoint receives from, and the one it sends to (a queue: the same one). */
  readonly read: Channel | null;
  readonly write: Channel | null;
  /** Whether the home thread's own handle of it is open. */
  local: boolean;
  readonly copies: Set<HomeCopy>;
  /** Whether its copies keep the program alive (a local wait they could end is pending). */
  held: boolean;
}

/** What the home emits; the runtime turns these into link writes, promise settlements and refs. */
export interface HomeActions {
  /** Adds a frame to `copy`'s link (it leaves at the end of the turn, or sooner). */
  send(copy: HomeCopy, op: number, a: number, b: number, body?: Item): void;
  /** Sends a JSON-exact value at once, unserialized, if `copy`'s link can (then it is moved). */
  sendNow(copy: HomeCopy, op: number, a: number, b: number, value: unknown): boolean;
  /** Ends `copy`'s link after every frame sent to it so far. */
  end(copy: HomeCopy): void;
  /** A wait is over: a get's item or EOF, a put's or join's `true`, a put's `false` (timed out). */
  settle(w: Wait, result: Item | symbol | boolean): void;
  /** Starts the timer of a copy's put waiting for room; on expiry call `HomeProtocol.cancel(w)`. */
  startTimer(w: Wait, ms: number): void;
  /**
   * Whether the copies of endpoint `end` keep this program alive (a local wait they could end is
   * pending); emitted when that changes, and when its copies change while it holds. Open copies
   * hold through their links, reserved ones with a `holder` through a timer of the runtime's.
   */
  hold(end: Endpoint, on: boolean): void;
  /** A copy is about to be sent to a process: copies must be able to connect. */
  listen(): void;
}

interface PendingGiveBack {
  readonly items: (Item | null)[];
  missing: number;
}

export class HomeCopy {
  phase: CopyPhase;
  readonly end: Endpoint;
  /** The runtime's link to this copy. */
  link: unknown = null;
  /** A token-reserved copy whose worker's end will be reported keeps the program alive meanwhile. */
  readonly holder: boolean;
  /** Its link moves big bytes and sent-at-once values: the home keeps {@link MOVED} for them. */
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
  recalled = false;
  eofSent = false;
  /** A queue's size changed since the last state report to it. */
  dirty = false;
  /** Its cumulative consumed count as last reported (mod 2^32). */
  taken = 0;
  /** Pushed, not reported taken, oldest first; MOVED for moved ones. */
  readonly delivered = new Deque<Item>();
  /** Moved items it returned ahead of the give-back they belong to. */
  readonly returned = new Deque<Item>();
  pending: PendingGiveBack | null = null;
  /** R_SYNC answers held until `pending` completes. */
  readonly syncs: number[] = [];
  readonly puts = new Set<PutWait>();

  constructor(end: Endpoint, phase: CopyPhase, holder: boolean) {
    this.end = end;
    this.phase = phase;
    this.holder = holder;
  }

  /** Pushes `item` to this copy: `tag` 1 for a waiting get, 0 read ahead, 2 for a try. */
  push(out: HomeActions, ch: Channel, item: Item, tag: number): void {
    if (this.moves && item instanceof Uint8Array && item.byteLength >= MOVE_MIN_BYTES && !movable(item)) {
      item = (item as Uint8Array).slice(); // a view into a socket chunk: its own buffer, which a port can move
    }
    this.delivered.push(this.moves && movable(item) ? MOVED : item);
    ch.inFlight++;
    this.dirty = true;
    // A try's item may find the try served by one already on its way: then it waits unused there.
    if (tag !== 1) this.markSoft(ch);
    out.send(this, Op.H_DATA, this.epoch, tag, item);
  }

  /** The item just pushed was read ahead: until it holds nothing, what it holds may come back. */
  markSoft(ch: Channel): void {
    this.softActive = true;
    ch.softHolders.add(this);
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
   * ones come from what the copy returned; any still on their way back are waited for, unless
   * `dropMissing` (the copy is gone). Returns them once complete, else null (then
   * {@link returnArrived} completes it).
   */
  takeBack(count: number | null, dropMissing: boolean): TakenBack | null {
    const n = Math.min(count ?? this.delivered.length, this.delivered.length);
    const items: (Item | null)[] = [];
    for (let i = 0; i < n; i++) items.push(this.delivered.shift()!);
    let missing = 0;
    for (let i = 0; i < items.length; i++) {
      if (items[i] !== MOVED) continue;
      const r = this.returned.shift();
      if (r === undefined) missing++;
      items[i] = r ?? null;
    }
    if (this.pending) {
      // An earlier give-back still waits for returns: this one joins it, behind it.
      this.pending.items.push(...items);
      this.pending.missing += missing;
    } else this.pending = { items, missing };
    return this.pending.missing === 0 || dropMissing ? this.#complete() : null;
  }

  /** A moved item came back; returns the pending give-back if that completed it. */
  returnArrived(item: Item): TakenBack | null {
    const p = this.pending;
    if (!p || p.missing === 0) {
      this.returned.push(item);
      return null;
    }
    p.items[p.items.indexOf(null)] = item;
    return --p.missing === 0 ? this.#complete() : null;
  }

  #complete(): TakenBack {
    const p = this.pending!;
    this.pending = null;
    return { items: p.items.filter((x): x is Item => x !== null), slots: p.items.length };
  }
}

/** Items a copy gave back, in order; `slots` counts the lost ones too (moved to a copy that died). */
export interface TakenBack {
  readonly items: Item[];
  readonly slots: number;
}
