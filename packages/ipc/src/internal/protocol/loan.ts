/**
 * A loan. With consumers sharing a queue, each get would be a round trip through the home (it
 * serves a waiting get first, and a copy reads ahead only what nobody waiting could take). So when
 * the home has served a copy's waiting get and items are left that no get waits for, it lends that
 * copy the next ones (H_LOAN) and keeps them as pushed to it. The copy's gets claim them one at a
 * time through one word (a {@link LoanCell}: a thread copy's `Atomics` word, count.ts `LOAN`; a
 * process copy's file or pipe, runtime/loan-file.ts), and the home takes back in one atomic step,
 * synchronously, what is unclaimed or only the oldest items that other gets wait for: no round trip.
 *
 * ```
 *   LOAN word: ┌ seq (11 bits) ┬ left (20 bits) ┐   the copy: CAS left → left - 1 while seq is its loan's
 *              └───────────────┴────────────────┘   the home: CAS → (seq, 0) or left - want, gets `left`
 * ```
 *
 * Items claimed are items the copy consumed (its CONSUMED word and R_TAKEN count them); what is left
 * is the newest part of what was pushed to it, which the home pops and puts back at the front.
 */
import type { Deque } from '../deque.js';
import type { Channel } from './channel.js';
import { LOAN } from './count.js';
import type { HomeActions } from './home-copy.js';
import { textOf } from './home-object.js';
import { approxBytes, type Item, isDecoded } from './item.js';
import { Op } from './ops.js';
import type { ReaderCopy } from './reader-copy.js';

const SEQ_SHIFT = 20;
const LEFT = (1 << SEQ_SHIFT) - 1;
const SEQ_MASK = 0x7ff;
/** The most items lent at once, and about their most bytes (their JSON text). */
export const MAX_LOAN = 256;
export const MAX_LOAN_BYTES = 64 * 1024;

/**
 * Where a loan's (seq, left) word lives: a thread copy's shared buffer ({@link WordCell}), or, for
 * a copy in another process, a file whose name is the word, moved by rename (runtime/loan-file.ts).
 * Either way one atomic step decides each item: the copy's claim or the home's take-back.
 */
export interface LoanCell {
  /** Home: loan `word` (seq, n) is out; returns the word the copy is sent (a file cell may flag how it
   * is claimed), null when it cannot be (nothing is lent then). */
  lend(word: number): number | null;
  /**
   * Home: whether nothing of loan `seq` is known to be left unclaimed, `most` being the most that
   * can be (what the copy has not reported taken). A file cell answers from `most` alone (a look at
   * the file costs a syscall, and this is asked at every pump): such a loan stays out until the
   * copy's report, or until someone wants an item and it is taken back.
   */
  drained(seq: number, most: number): boolean;
  /** Home: ends loan `seq`, or, `partial`, takes back its oldest `want` items only (the copy claims on
   * after them); returns how many were left unclaimed (at most `most`). */
  takeBack(seq: number, most: number, want?: number): number;
  readonly partial: boolean;
  /** Copy: loan `word` arrived (H_LOAN). */
  lent(word: number): void;
  /** Copy: claims the next item of loan `seq`; returns the items left before it, 0 when none was. */
  claim(seq: number): number;
  /** Copy: claims nothing more of loan `seq`. */
  end(seq: number): void;
  /** Home: the copy is gone; frees what the cell holds. */
  dispose?(): void;
}

/** A loan word in a thread copy's shared buffer (count.ts, `LOAN`). */
export class WordCell implements LoanCell {
  readonly #word: Int32Array;

  constructor(word: Int32Array) {
    this.#word = word;
  }

  lend(word: number): number {
    Atomics.store(this.#word, LOAN, word);
    return word;
  }

  drained(): boolean {
    return (Atomics.load(this.#word, LOAN) & LEFT) === 0;
  }

  readonly partial = true;

  takeBack(seq: number, _most: number, want = Number.POSITIVE_INFINITY): number {
    for (;;) {
      const v = Atomics.load(this.#word, LOAN);
      const left = v >>> SEQ_SHIFT === seq ? v & LEFT : 0;
      const next = left > want ? v - want : seq << SEQ_SHIFT; // the copy's next claim: the one after
      if (Atomics.compareExchange(this.#word, LOAN, v, next) === v) return left;
    }
  }

  lent(): void {}

  claim(seq: number): number {
    for (;;) {
      const v = Atomics.load(this.#word, LOAN);
      const left = v & LEFT;
      if (v >>> SEQ_SHIFT !== seq || left === 0) return 0;
      if (Atomics.compareExchange(this.#word, LOAN, v, v - 1) === v) return left;
    }
  }

  end(seq: number): void {
    // Only the home changes the word meanwhile, taking back all or the oldest: the rest come back then.
    const v = Atomics.load(this.#word, LOAN);
    if (v >>> SEQ_SHIFT === seq) Atomics.compareExchange(this.#word, LOAN, v, seq << SEQ_SHIFT);
  }
}

/** The home's side: the one loan of a channel still out, if any. */
export class HomeLoan {
  #copy: ReaderCopy | null = null;
  #seq = 0;
  // The loan's items as JSON texts: what comes back unclaimed comes back as text, ready to lend again.
  #texts: string[] = [];

  /** The copy the loan is out to, while it may have items left. */
  get holder(): ReaderCopy | null {
    return this.#copy;
  }

  /**
   * The loan still out comes back to `ch` (what is unclaimed, to the front) when its copy may not
   * hold it any more, waits at home itself (it forgot the loan, CopyLoan.forget) or someone reads
   * ahead; when `want` gets of others wait (Infinity: a watcher), only the oldest `want` of it do,
   * where the cell can lend the rest again and those gets are served at once (nobody to recall
   * first): the copy claims on after them, and the takes stay one FIFO sequence. Such an item is
   * theirs for good: a get that times out meanwhile takes it still (receiver-waits.ts).
   */
  comeBack(ch: Channel, want: number): void {
    const c = this.settle() ? this.#copy! : null;
    if (!c) return;
    const keeps = c.phase === 'open' && !c.ending && !c.recalled && ch.waitingBacks === 0 && c.hard === 0;
    if (!keeps || ch.ahead.crediting || (want > 0 && !servesAtOnce(ch))) this.takeBackTo(ch);
    else if (want > 0) this.takeBackTo(ch, want);
  }

  /** Takes the loan back into `ch` (its copy gives back, closes, dies; a take), or its oldest `want`. */
  takeBackTo(ch: Channel, want = Number.POSITIVE_INFINITY): void {
    const back = this.takeBack(want);
    ch.inFlight -= back.length;
    ch.items.unshiftAll(back);
  }

  /** `c`'s waiting gets were served from `ch` and items are left that no get (of `waiting`) waits for:
   * with other consumers about and nobody reading ahead, it is lent the next ones. */
  lendTo(ch: Channel, out: HomeActions, c: ReaderCopy, waiting: number): void {
    if (waiting > 0 || ch.items.length === 0) return;
    if (!c.loanCell || ch.readers.size < 2 || c.phase !== 'open' || c.recalled || c.ending || c.hard > 0)
      return;
    if (ch.ahead.crediting || ch.ahead.holders.size > 0 || ch.hasPuts || ch.waitingBacks > 0) return;
    if (this.#copy === null) ch.inFlight += this.lend(out, c, ch.items);
  }

  /** Lends `c` the next items of `items` (JSON ones, up to {@link MAX_LOAN}); returns how many (0: the
   * next is not JSON). They count as pushed to it (`delivered`) until claimed or taken back. */
  lend(out: HomeActions, c: ReaderCopy, items: Deque<Item>): number {
    const texts: string[] = [];
    const before = c.deliveredBytes;
    let bytes = 0;
    while (texts.length < MAX_LOAN && bytes < MAX_LOAN_BYTES && items.length > 0) {
      const item = items.peek()!;
      const text =
        typeof item === 'string' ? item : isDecoded(item) && !item.moved ? JSON.stringify(item.value) : null;
      if (text === null || text === undefined) break;
      items.shift();
      texts.push(text);
      bytes += text.length;
      c.delivered.push(item);
      c.deliveredBytes += approxBytes(item);
    }
    if (texts.length === 0) return 0;
    const seq = (this.#seq % SEQ_MASK) + 1;
    const lent = c.loanCell!.lend((seq << SEQ_SHIFT) | texts.length);
    if (lent === null) {
      items.unshiftAll(texts.map(() => c.delivered.pop()!).reverse());
      c.deliveredBytes = before;
      return 0;
    }
    this.#texts = texts;
    this.#seq = seq;
    this.#copy = c;
    c.dirty = true;
    out.send(c, Op.H_LOAN, c.epoch, lent, `[${texts.join(',')}]`);
    return texts.length;
  }

  /** Forgets the loan once every item was claimed; whether one is still out. */
  settle(): boolean {
    const c = this.#copy;
    if (c && c.loanCell!.drained(this.#seq, Math.min(this.#texts.length, c.delivered.length))) {
      this.#copy = null;
      this.#texts = [];
    }
    return this.#copy !== null;
  }

  /** Takes back what the copy has not claimed, or the oldest `want` of it (the rest stay lent): returns
   * them oldest first, removed from what was pushed to it (the caller puts them back at the front). */
  takeBack(want = Number.POSITIVE_INFINITY): Item[] {
    const c = this.#copy;
    if (!c) return [];
    this.#copy = null;
    const cell = c.loanCell!;
    // The unclaimed items are the newest of those pushed to it and not reported taken.
    const left = cell.takeBack(this.#seq, Math.min(this.#texts.length, c.delivered.length), want);
    const kept = cell.partial && want < left ? left - want : 0;
    const unclaimed: Item[] = new Array(left);
    for (let i = left - 1; i >= 0; i--) unclaimed[i] = c.delivered.pop()!;
    const n = left - kept;
    for (let i = n; i < left; i++) c.delivered.push(unclaimed[i]!);
    const back: Item[] = new Array(n);
    let bytes = 0;
    const texts = this.#texts;
    for (let i = 0; i < n; i++) {
      bytes += approxBytes(unclaimed[i]!);
      back[i] = texts[texts.length - left + i]!;
    }
    c.deliveredBytes -= bytes;
    if (kept > 0) this.#copy = c;
    else this.#texts = [];
    return back;
  }
}

// Whether ch.pump() serves every get waiting now: nothing read ahead to recall first, no recalled copy waits.
function servesAtOnce(ch: Channel): boolean {
  if (ch.ahead.holders.size > 0) return false;
  for (const r of ch.readers) if (r.recalled && r.hard > 0) return false;
  return true;
}

/** A copy's side: the items lent to it, claimed one per get. */
export class CopyLoan {
  readonly #cell: LoanCell;
  #seq = -1;
  // Its give-backs so far (the receiver's epoch): a loan lent in an earlier one is not its to claim.
  #epoch = 0;
  #text = '';
  #values: unknown[] | null = null;
  #n = 0;

  constructor(cell: LoanCell) {
    this.#cell = cell;
  }

  /**
   * The home lent items in `epoch`, `word` the LOAN word it stored, `text` their JSON array (H_LOAN).
   * One lent before the home saw our latest give-back crossed it: the home takes all of it back on
   * that give-back, so none of it may be claimed here. The copy passes on none that comes while one
   * of its gets waits or asks: that get's demand takes it back at home (see {@link forget}).
   */
  lent(epoch: number, word: number, body: Item): void {
    if (epoch !== this.#epoch) return;
    const text = textOf(body); // a string over a port, bytes over a socket
    this.#seq = word >>> SEQ_SHIFT;
    this.#n = word & LEFT;
    this.#text = text;
    this.#values = null;
    this.#cell.lent(word);
  }

  /** The next item lent, claimed; undefined once none is left or the home took them back. */
  claim(): Item | undefined {
    if (this.#seq < 0) return undefined;
    const left = this.#cell.claim(this.#seq);
    if (left === 0) {
      this.#drop();
      return undefined;
    }
    this.#values ??= JSON.parse(this.#text) as unknown[];
    return { value: this.#values[this.#n - left] };
  }

  /** Claims nothing more of the loan here, touching nothing: a get waits at home, whose demand takes it
   * back there, and a claim would find the next loan's records in a pipe (runtime/loan-pipe.ts). */
  forget(): void {
    this.#drop();
  }

  /** Claims nothing more (the copy gives back what it holds, from now on in `epoch`: the home takes back
   * all of it, and any loan on its way here). */
  end(epoch: number): void {
    this.#epoch = epoch;
    if (this.#seq < 0) return;
    this.#cell.end(this.#seq);
    this.#drop();
  }

  #drop(): void {
    this.#seq = -1;
    this.#text = '';
    this.#values = null;
  }
}
