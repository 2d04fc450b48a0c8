/**
 * One FIFO at home: a queue, or one direction of a pipe. Who gets the next item:
 * 1. takers, in the order they asked: a local get, or one waiting get of a copy (hard demand);
 * 2. only when no taker is left, a copy that reads ahead (soft demand; see read-ahead.ts), or
 *    else, consumers sharing a queue, the thread copy just served is lent some (loan.ts);
 * 3. puts waiting for room are admitted as items leave.
 * Every item goes to exactly one taker; a copy that gives back, closes or dies returns what it did
 * not consume to the front, in order. Room and the puts waiting for it: channel-room.ts.
 */
import { Deque } from '../deque.js';
import { type ChannelOptions, ChannelRoom } from './channel-room.js';
import type { HomeActions, Wait } from './home-copy.js';
import { EOF, type Item } from './item.js';
import { HomeLoan } from './loan.js';
import { Op } from './ops.js';
import { MAX_AHEAD_BYTES, ReadAhead } from './read-ahead.js';
import type { ReaderCopy } from './reader-copy.js';

export class Channel extends ChannelRoom {
  readonly #takers = new Deque<Wait | ReaderCopy>();
  /** Open copies that receive from this channel. */
  readonly readers = new Set<ReaderCopy>();
  readonly ahead: ReadAhead;
  readonly #loan = new HomeLoan();
  readonly #watchers = new Set<() => void>();
  localTakers = 0;
  /** Readers whose give-back waits for moved items still coming back: nothing is handed out. */
  waitingBacks = 0;
  /** Sum of the readers' `hard`. */
  hardWaiting = 0;
  writers = 0;
  ended = false;
  /** Pipes: handles (home or copies, reserved ones too) of the endpoint that reads this channel. */
  readerHandles = 0;
  /** Pipes: every reader handle is gone; sends fail from now on (never reset). */
  broken = false;
  /** A writer's worker was killed or terminated: its last sends may be lost (EOF says so). */
  writerStopped = false;

  readonly #pushAhead = (c: ReaderCopy, item: Item): void => c.push(this.out, this, item, 0);

  constructor(out: HomeActions, opts: ChannelOptions) {
    super(out, opts);
    this.ahead = new ReadAhead(out, opts.endsWithWriters ? Number.POSITIVE_INFINITY : MAX_AHEAD_BYTES);
  }

  /** @internal For traces. */
  get debugState(): string {
    return `items=${this.items.length} takers=${this.#takers.length} local=${this.localTakers} hard=${this.hardWaiting} inFlight=${this.inFlight} holders=${this.ahead.holders.size}`;
  }

  /** No item is left here or on its way, and none can come. */
  get atEof(): boolean {
    return this.ended && this.items.length === 0 && this.inFlight === 0;
  }

  /** Adds an item now, room or not (the caller's business); `reserved`, `task`: counted already. */
  admit(item: Item, reserved = false, task = false): void {
    this.roomTaken(reserved);
    this.opts.onAdmit?.(task);
    // A producer streaming to one reading copy: what pump() would do, without the queue round trip.
    const c = this.#quiet() ? this.ahead.takesNext() : null;
    if (c) this.#pushAhead(c, item);
    else {
      this.items.push(item);
      this.pump();
    }
  }

  // Nothing here, nobody waiting or watching, no put waiting or loan out, nothing coming back: an
  // item added now goes to a copy reading ahead or stays, and nothing else changes.
  #quiet(): boolean {
    return (
      this.items.length === 0 &&
      this.#takers.length === 0 &&
      !this.hasPuts &&
      this.#watchers.size === 0 &&
      this.waitingBacks === 0 &&
      !this.ended &&
      this.#loan.holder === null
    );
  }

  /** Adds an item if there is room and no put waits before it. */
  tryPut(item: Item): boolean {
    if (!this.reserve()) return false;
    this.admit(item, true);
    return true;
  }

  /** Takes an item if one is here for `who` now (the home thread: null): not while a get that came
   * first still waits, nor while a copy other than `who` holds older items it read ahead (those are
   * recalled). EOF once none is left and none can come. */
  tryTake(who: ReaderCopy | null = null): Item | typeof EOF | undefined {
    const item = this.takeNow(who);
    if (item !== undefined && item !== EOF) {
      if (who === null) this.opts.count?.add(-1); // handed to the home thread: got
      if (this.hasPuts) this.pump();
    }
    return item;
  }

  /** {@link tryTake} without admitting waiting puts: the caller pumps once it has placed the item. */
  takeNow(who: ReaderCopy | null): Item | typeof EOF | undefined {
    if (this.#loan.settle()) this.#loan.takeBackTo(this);
    if (this.items.length === 0) return this.atEof ? EOF : undefined;
    if (this.localTakers + this.hardWaiting > 0 || who?.recalled || who?.ending || this.waitingBacks > 0)
      return undefined;
    return this.ahead.blocks(who) ? undefined : this.items.shift()!;
  }

  /** Local gets and watchers (wait(), poll()) waiting here: what a writer's copies keep alive. */
  get localWaiting(): number {
    return this.localTakers + this.#watchers.size;
  }

  /** Calls `cb` whenever an item or EOF is here or went to a local get, till the returned function runs. */
  watch(cb: () => void): () => void {
    this.#watchers.add(cb);
    return () => this.#watchers.delete(cb);
  }

  /** Queues a local get. */
  waitTake(w: Wait): void {
    this.localTakers++;
    this.#takers.push(w);
    this.pump();
  }

  /** A copy asks for `hard` more items for waiting gets and `soft` more to read ahead. */
  demand(c: ReaderCopy, hard: number, soft: number): void {
    if (c.phase !== 'open' || !this.readers.has(c) || c.ending) return;
    c.hard += hard;
    this.hardWaiting += hard;
    for (let i = 0; i < hard; i++) this.#takers.push(c);
    this.ahead.credit(c, soft);
    this.pump();
  }

  /** Forgets a copy's demand (it gave back, closed or died); its stale entries are skipped later. */
  dropDemand(c: ReaderCopy): void {
    if (this.#loan.holder === c) this.#loan.takeBackTo(this); // newer than what it gives back
    this.hardWaiting -= c.hard;
    c.hard = 0;
    this.ahead.drop(c);
  }

  /** `n` of a copy's gets gave up waiting: its demand for them becomes read-ahead. What it counts
   * as demanded and what the home does can differ for a moment (items cross), so from now on
   * whatever it holds counts as read ahead until a recall settles the demand (settleDemand). */
  soften(c: ReaderCopy, n: number): void {
    if (c.phase !== 'open' || !this.readers.has(c)) return;
    const k = Math.min(n, c.hard);
    c.hard -= k;
    this.hardWaiting -= k;
    c.markSoft(this);
    if (k > 0) this.demand(c, 0, k);
    else this.pump();
  }

  /** A recalled copy answered: `waiting` gets wait there, nothing is on its way to it, so its demand
   * left is one item per waiting get and read-ahead for the rest. */
  settleDemand(c: ReaderCopy, waiting: number): void {
    const total = c.hard + c.soft;
    const hard = Math.min(waiting, total);
    const more = hard - c.hard;
    this.hardWaiting += more;
    for (let i = 0; i < more; i++) this.#takers.push(c);
    c.hard = hard;
    c.soft = 0;
    this.ahead.credit(c, total - hard);
  }

  /** A copy reported items consumed: what it read ahead may all be used now. */
  settled(c: ReaderCopy): void {
    this.ahead.settled(c);
    this.pump();
  }

  /** Puts items taken back from a copy at the front, in their order; `slots` of them left inFlight. */
  unshift(items: Item[], slots: number): void {
    this.inFlight -= slots;
    // Lost with a copy that died (moved to it): they are not in the queue any more.
    if (slots > items.length) this.opts.count?.add(items.length - slots);
    this.items.unshiftAll(items);
    this.pump();
  }

  /** Moves items to takers, then to copies reading ahead, and admits waiting puts, until stuck.
   * Items a copy read ahead are older than anything here: while they may come back, a taker
   * other than that copy is served only after they do (recalled), so each consumer still gets
   * each sender's items in order. */
  pump(): void {
    const items = this.items;
    const local = this.localTakers + this.localPutters;
    this.#loan.comeBack(this, this.#watchers.size > 0 ? Infinity : this.localTakers + this.hardWaiting);
    let served: ReaderCopy | null = null;
    let handed = false; // to a local get: a watcher of the same handle (poll(), wait()) is told too
    for (;;) {
      while (items.length > 0 && this.#takers.length > 0 && this.waitingBacks === 0) {
        if (this.ahead.holders.size > 0 && this.#recall()) break;
        const t = this.#takers.peek()!;
        // A recalled copy gets nothing more until it has returned what it held: newer items
        // reaching it first would overtake those.
        if (isCopy(t) && t.recalled && t.hard > 0 && t.phase === 'open') break;
        this.#takers.shift();
        if (isCopy(t)) {
          if (t.hard <= 0 || t.phase !== 'open') continue;
          t.hard--;
          this.hardWaiting--;
          t.push(this.out, this, items.shift()!, 1);
          served = t;
        } else if (!t.done) {
          t.done = true;
          this.localTakers--;
          this.opts.count?.add(-1);
          this.out.settle(t, items.shift()!);
          handed = true;
        }
      }
      if (items.length > 0 && this.#takers.length === 0 && this.waitingBacks === 0) {
        this.ahead.serve(items, this.#pushAhead);
      }
      if (!this.admitPuts()) break;
    }
    if (served) this.#loan.lendTo(this, this.out, served, this.#takers.length + this.#watchers.size);
    if (this.#watchers.size > 0 && (items.length > 0 || this.atEof || handed))
      for (const cb of [...this.#watchers]) cb();
    if (items.length === 0) {
      if (this.ended) this.#eof();
      if (this.ahead.holders.size > 0) this.#recall();
    }
    if (local > 0 && this.localTakers + this.localPutters === 0) this.opts.onLocalDone();
  }

  /** The home ends (bequest.ts): each copy's get still waiting takes the next item, in the order
   * they asked, though a copy reading ahead holds older ones (it keeps them: H_HEIR), so a reader
   * that waits is not sent EOF while its home had items. A recalled copy is left to the heir rule. */
  serveWaitingAtEnd(): void {
    this.#loan.takeBackTo(this);
    for (const t of this.#takers.drain()) {
      if (this.items.length === 0 || !isCopy(t) || t.hard <= 0 || t.phase !== 'open' || t.recalled) continue;
      t.hard--;
      this.hardWaiting--;
      t.push(this.out, this, this.items.shift()!, 1);
    }
  }

  /** Cancels a local get or put; false when it was already over. */
  cancel(w: Wait, isPut: boolean): boolean {
    if (w.done) return false;
    w.done = true;
    if (isPut) {
      this.localPutters--;
      this.putsChanged();
    } else this.localTakers--;
    return true;
  }

  /** Ends every local get with EOF (the local handle closed, or nothing can come any more). */
  endTakes(): void {
    if (this.localTakers === 0) return;
    this.localTakers = 0;
    this.opts.onLocalDone();
    for (const t of this.#takers.drain()) {
      if (isCopy(t)) this.#takers.push(t);
      else if (!t.done) {
        t.done = true;
        this.out.settle(t, EOF);
      }
    }
  }

  // Nothing is here and the channel has ended: EOF to each local get once nothing is out, and to
  // each reading copy once nothing is out but what it holds itself (that reaches it before EOF).
  // Not to a recalled copy: it gives back what it holds. The EOF carries the copy's give-backs
  // seen so far: one that crossed a later give-back is stale (see ReaderCopy.backs).
  #eof(): void {
    if (this.inFlight === 0) this.endTakes();
    for (const r of this.readers) {
      const ok = !r.pending && !r.recalled && r !== this.#loan.holder; // a loan's holder claims it first
      if (ok && !r.eofSent && this.inFlight === r.delivered.length) {
        r.eofSent = true;
        this.out.send(r, Op.H_EOF, r.backs, 0);
      }
    }
  }

  // Someone waits: copies holding read-ahead items others wait behind give them back (none to recall else).
  #recall(): boolean {
    if (this.localTakers === 0 && this.hardWaiting === 0) return false;
    return this.ahead.recall(this.#othersWait);
  }

  readonly #othersWait = (c: ReaderCopy): boolean => this.localTakers > 0 || this.hardWaiting > c.hard;
}

function isCopy(t: Wait | ReaderCopy): t is ReaderCopy {
  return 'phase' in t;
}
