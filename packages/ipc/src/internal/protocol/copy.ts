/**
 * A copy of a queue or pipe end in another thread or process, without I/O: it takes events (a
 * get, a put, a frame from the home, the link closing) and emits {@link CopyActions}.
 *
 * ```
 *   open ──close()──► closing ──link closed (the home ended it)──► gone
 *   open ──link closed (the home's thread or process ended)─────► gone
 * ```
 *
 * Receiving is demand-driven. A get that finds nothing here asks the home for one item (hard
 * demand, served in turn with every other consumer). A copy also reads ahead (soft demand) while
 * its consumer keeps asking within {@link STREAM_GAP_MS} of its last item, doubling its window up to
 * {@link MAX_WINDOW}; a consumer that pauses longer (a job per item) reads nothing ahead. What it
 * read ahead it gives back when the home recalls it (another consumer waits), when the worker
 * flushes, and when it closes. A pipe end reads everything as it comes, as a socket would.
 */
import { Deque } from '../deque.js';
import type { Wait } from './home-copy.js';
import { EOF, type Item, TIMEOUT, wasMoved } from './item.js';
import { Op } from './ops.js';

/** A consumer that asks again within this many ms of its last item is streaming: it reads ahead. */
export const STREAM_GAP_MS = 2;
export const MAX_WINDOW = 1024;
/** A pipe end's window: everything. */
export const EAGER_WINDOW = 1 << 30;

export type CopyState = 'open' | 'closing' | 'gone';

export interface CopyOptions {
  readonly maxsize: number;
  /** Puts wait for the home's answer (bounded and joinable queues): they block and count exactly. */
  readonly acked: boolean;
  /** Reads everything as it comes (a pipe end) rather than on demand (a queue, shared by consumers). */
  readonly eager: boolean;
  /** Its link moves items to it (a pipe end over a port): unused ones are returned. */
  readonly moves: boolean;
}

/** What a copy emits; the runtime turns these into link writes, promise settlements and refs. */
export interface CopyActions {
  send(op: number, a: number, b: number, body?: Item): void;
  /** A wait is over: a get's item, EOF or TIMEOUT (nothing at home); a put's, join's or sync's result. */
  settle(w: Wait, result: Item | symbol | boolean): void;
  /** Whether a wait is pending here: the link keeps the program alive while one is. */
  hold(on: boolean): void;
  /** Something changed for `wait()`/`poll()` listeners (an item or EOF arrived). */
  ready(): void;
  /**
   * An item was handed to a get: `total` consumed so far (mod 2^32); `first` since the last
   * report, so a report is due (flush at the end of the turn even if nothing else is sent).
   */
  consumed(total: number, first: boolean): void;
}

export class CopyProtocol {
  state: CopyState = 'open';
  /** The queue's size and unfinished tasks as last reported by the home. */
  homeSize = 0;
  unfinished = 0;
  /** The time (ms, any origin) of the current event, set by the runtime. */
  clock = 0;
  readonly #opts: CopyOptions;
  readonly #out: CopyActions;
  readonly #buffer = new Deque<Item>();
  readonly #getters = new Deque<Wait>();
  readonly #tries = new Deque<Wait>();
  readonly #acks = new Map<number, Wait>();
  #liveGetters = 0;
  #hardOut = 0;
  #softOut = 0;
  #window = 0;
  #lastItemAt = Number.NEGATIVE_INFINITY;
  #epoch = 0;
  #consumed = 0;
  #reported = 0;
  #eof = false;
  #seq = 0;
  #held = false;
  #got = 0;
  #done = 0;
  #putsOut = 0;

  constructor(opts: CopyOptions, out: CopyActions) {
    this.#opts = opts;
    this.#out = out;
    if (opts.eager) this.#window = EAGER_WINDOW;
  }

  /** Items received and not taken yet (read ahead). */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** @internal For traces: the demand counters. */
  get debugState(): string {
    return `getters=${this.#liveGetters} hardOut=${this.#hardOut} softOut=${this.#softOut} buffer=${this.#buffer.length} tries=${this.#tries.length}`;
  }

  /** Puts waiting for the home's answer. */
  get putsOut(): number {
    return this.#putsOut;
  }

  /** Whether a get would answer at once. */
  get ready(): boolean {
    return this.#buffer.length > 0 || this.#eof;
  }

  full(): boolean {
    return this.#opts.maxsize > 0 && this.homeSize + this.#putsOut >= this.#opts.maxsize;
  }

  /** Takes an item here now; else, with `w`, waits for one (EOF when none can come). */
  get(w: Wait | null): Item | typeof EOF | undefined {
    const item = this.#buffer.shift();
    if (item !== undefined) {
      this.#consume();
      return item;
    }
    if (this.#eof) return EOF;
    if (!w) return undefined;
    if (!this.#opts.eager) {
      const streaming = this.clock - this.#lastItemAt <= STREAM_GAP_MS;
      this.#window = streaming ? Math.min(MAX_WINDOW, Math.max(1, this.#window * 2)) : 0;
    }
    this.#getters.push(w);
    this.#liveGetters++;
    this.#demand();
    this.#hold();
    return undefined;
  }

  /** Python's `get(block=False)` at a copy: an item here, or one the home has now (`w` settles). */
  tryGet(w: Wait): Item | typeof EOF | typeof TIMEOUT | undefined {
    const now = this.get(null);
    if (now !== undefined) return now;
    if (this.#liveGetters > 0 || this.state !== 'open') return TIMEOUT; // a waiting get is first
    this.#tries.push(w);
    this.#send(Op.R_TRY, ++this.#seq, 0);
    this.#hold();
    return undefined;
  }

  /** Starts reading ahead (wait() and poll() watch this copy), so what arrives makes it ready. */
  watch(): void {
    if (this.#eof || this.#buffer.length > 0) return;
    if (this.#window === 0) this.#window = 1;
    this.#demand();
  }

  /** Ends a get whose time ran out; false when it was already over. */
  cancel(w: Wait): boolean {
    if (w.done) return false;
    w.done = true;
    this.#liveGetters--;
    this.#soften();
    this.#hold();
    return true;
  }

  // Demand made for gets that no longer wait becomes read-ahead, at both ends: what arrives for it
  // is held here like anything read ahead (recalled if another consumer waits). Items can cross
  // the two kinds of demand, so the home settles the split at the next recall (R_UNUSED).
  #soften(): void {
    const n = this.#hardOut - this.#liveGetters;
    if (n <= 0 || this.state !== 'open') return;
    this.#hardOut -= n;
    this.#softOut += n;
    this.#send(Op.R_SOFTEN, n, 0);
  }

  /** Sends an item: `w` waits for the home's answer when puts are acked (null: admitted anyway). */
  put(item: Item, w: Wait | null, timeoutMs: number): void {
    if (!this.#opts.acked || !w) this.#send(Op.R_PUT, 0, 0, item);
    else {
      const seq = ++this.#seq;
      this.#acks.set(seq, w);
      this.#putsOut++;
      this.#send(Op.R_PUT_WAIT, seq, timeoutMs, item);
      this.#hold();
    }
  }

  taskDone(): boolean {
    if (this.unfinished <= 0 && this.#done >= this.#got) return false;
    this.#done++;
    this.unfinished = Math.max(0, this.unfinished - 1);
    this.#send(Op.R_TASK_DONE, 1, 0);
    return true;
  }

  /** Waits for the home's answer to a join (op R_JOIN) or a sync (op R_SYNC). */
  ask(op: number, w: Wait): void {
    if (this.state === 'gone') {
      this.#out.settle(w, true);
      return;
    }
    const seq = ++this.#seq;
    this.#acks.set(seq, w);
    this.#send(op, seq, 0);
    this.#hold();
  }

  /**
   * The worker flush hook: gives back everything read ahead, here or on its way, unless a get is
   * waiting. Returns whether anything was given back.
   */
  giveBack(): boolean {
    if (this.state !== 'open' || this.#liveGetters > 0) return false;
    if (this.#buffer.length + this.#hardOut + this.#softOut === 0) return false;
    this.#giveBackAll();
    return true;
  }

  // Everything pushed here and not consumed goes back, in order; a new epoch makes what is still
  // on its way stale. Waiting gets renew their demand.
  #giveBackAll(): void {
    this.#returnBuffered();
    this.#epoch = (this.#epoch + 1) >>> 0;
    this.#hardOut = this.#liveGetters;
    this.#softOut = 0;
    if (!this.#opts.eager) this.#window = 0;
    this.#send(Op.R_GIVE_BACK, this.#epoch, this.#liveGetters);
  }

  // Another consumer waits behind what this copy read ahead: what is here and unused goes back.
  // (What the home pushed before its recall is here by now: a link keeps its order.)
  // Nothing the home pushed is on its way now (it pushes nothing to a copy it recalled), so both
  // sides agree on the demand left: one item for each waiting get, the rest read-ahead.
  #recalled(): void {
    if (this.state !== 'open') return;
    const n = this.#buffer.length;
    this.#returnBuffered();
    if (!this.#opts.eager) this.#window = 0;
    const out = this.#hardOut + this.#softOut;
    this.#hardOut = Math.min(this.#liveGetters, out);
    this.#softOut = out - this.#hardOut;
    this.#send(Op.R_UNUSED, n, this.#liveGetters);
    this.#demand(); // gets the demand left does not cover
  }

  /** Closes this copy: waits end, what it read ahead goes back, the home then ends the link. */
  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.#endGets(EOF);
    this.#endAcks(); // puts still waiting did not happen
    this.#returnBuffered();
    this.#send(Op.R_CLOSE, 0, 0);
    this.#hold();
  }

  /** Appends what a batch leaving now must carry: the consumed-report. */
  beforeFlush(): void {
    if (this.#consumed === this.#reported || this.state === 'gone') return;
    const n = (this.#consumed - this.#reported) >>> 0;
    this.#reported = this.#consumed;
    this.#out.send(Op.R_TAKEN, n, 0);
  }

  frame(op: number, a: number, b: number, body: Item): void {
    switch (op) {
      case Op.H_DATA:
        this.#data(a, b, body);
        break;
      case Op.H_PUT_DONE:
      case Op.H_JOINED:
      case Op.H_SYNCED: {
        const w = this.#acks.get(a);
        if (!w) break;
        this.#acks.delete(a);
        if (op === Op.H_PUT_DONE) this.#putsOut--;
        this.#out.settle(w, op !== Op.H_PUT_DONE || b === 1);
        this.#hold();
        break;
      }
      case Op.H_TRIED: {
        const w = this.#tries.shift();
        if (w && !w.done) {
          w.done = true;
          this.#out.settle(w, TIMEOUT);
        }
        this.#hold();
        break;
      }
      case Op.H_EOF:
        this.#eof = true;
        this.#endGets(EOF);
        this.#out.ready();
        break;
      case Op.H_STATE:
        this.homeSize = a;
        this.unfinished = b;
        break;
      case Op.H_RECALL:
        this.#recalled();
        break;
    }
  }

  /** The link is gone: the home ended it (after a close), or its thread or process ended. */
  linkClosed(): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    this.#eof = true;
    this.#endGets(EOF);
    this.#endAcks();
    this.#hold();
    this.#out.ready();
  }

  #data(epoch: number, tag: number, item: Item): void {
    if (epoch !== this.#epoch || this.state !== 'open') {
      // Sent before our give-back (the home took it back) or after our close: a moved one returns.
      if (wasMoved(item, this.#opts.moves)) this.#send(Op.R_RETURN, 0, 0, item);
      return;
    }
    // Count it against the demand it was pushed for (the two can cross: see #soften).
    if (tag === 1) {
      if (this.#hardOut > 0) this.#hardOut--;
      else if (this.#softOut > 0) this.#softOut--;
    } else if (tag === 0) {
      if (this.#softOut > 0) this.#softOut--;
      else if (this.#hardOut > 0) this.#hardOut--;
    }
    // A try takes the first item to arrive after it was made (one on its way came before it).
    if (this.#tries.length > 0) {
      for (const t of this.#tries.peekAll()) {
        if (t.done) continue;
        t.done = true;
        this.#consume();
        this.#out.settle(t, item);
        if (tag !== 2) this.#demand(); // it came for a get, which must ask again
        return;
      }
    }
    for (let g = this.#getters.shift(); g; g = this.#getters.shift()) {
      if (g.done) continue;
      g.done = true;
      this.#liveGetters--;
      this.#consume();
      this.#lastItemAt = this.clock;
      this.#out.settle(g, item);
      if (this.#liveGetters === 0) this.#hold();
      return;
    }
    this.#buffer.push(item);
    this.#out.ready();
  }

  #consume(): void {
    this.#got++;
    this.#lastItemAt = this.clock;
    const first = this.#consumed === this.#reported;
    this.#consumed = (this.#consumed + 1) >>> 0;
    this.#out.consumed(this.#consumed, first);
  }

  #demand(): void {
    const hard = this.#liveGetters - this.#hardOut;
    let soft = this.#window - this.#softOut - this.#buffer.length;
    // Ask for read-ahead in chunks of at least half a window: few demand frames per stream.
    if (soft * 2 < this.#window) soft = 0;
    if (hard <= 0 && soft <= 0) return;
    this.#hardOut += Math.max(0, hard);
    this.#softOut += Math.max(0, soft);
    this.#send(Op.R_DEMAND, Math.max(0, hard), Math.max(0, soft));
  }

  // Reports what was consumed, then returns moved items held here, in order; the rest the home has.
  #returnBuffered(): void {
    this.beforeFlush();
    const items = this.#buffer.drain();
    if (this.#opts.moves)
      for (const item of items) if (wasMoved(item, true)) this.#send(Op.R_RETURN, 0, 0, item);
  }

  #endGets(r: typeof EOF): void {
    for (let g = this.#getters.shift(); g; g = this.#getters.shift()) {
      if (g.done) continue;
      g.done = true;
      this.#out.settle(g, r);
    }
    this.#liveGetters = 0;
    for (let t = this.#tries.shift(); t; t = this.#tries.shift()) {
      if (!t.done) {
        t.done = true;
        this.#out.settle(t, r);
      }
    }
    this.#hold();
  }

  #endAcks(): void {
    for (const w of this.#acks.values()) this.#out.settle(w, EOF);
    this.#acks.clear();
    this.#putsOut = 0;
  }

  #send(op: number, a: number, b: number, body?: Item): void {
    if (this.state === 'gone') return;
    this.#out.send(op, a, b, body);
  }

  #hold(): void {
    const on = this.state !== 'gone' && this.#liveGetters + this.#tries.length + this.#acks.size > 0;
    if (on !== this.#held) {
      this.#held = on;
      this.#out.hold(on);
    }
  }
}
