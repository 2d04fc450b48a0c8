/**
 * The receiving side of a queue or pipe copy. Receiving is demand-driven: a get that finds nothing
 * here asks the home for one item (hard demand, served in turn with every other consumer). A copy
 * also reads ahead (soft demand) while its consumer keeps asking within {@link STREAM_GAP_MS} of
 * its last item, doubling its window up to {@link MAX_WINDOW}; a consumer that pauses longer (a job
 * per item) reads nothing ahead. What it read ahead it returns when the home recalls it (another
 * consumer waits), gives back when the worker flushes, and leaves behind when it closes. A pipe end
 * reads everything as it comes, as a socket would.
 *
 * Demand made for a get can end up served by another item (an item read ahead, or a get that timed
 * out), so both sides count it loosely until a recall settles it (R_UNUSED carries the gets still
 * waiting; nothing is on its way then).
 *
 * A pipe end that the home says is the only reader of its channel (H_ALONE) lets its read-ahead
 * credit serve its gets: they send no demand, so a round trip is one message each way. With another
 * reader, a waiting get must ask: the home recalls what that reader holds only for a get it knows of.
 */
import { Deque } from '../deque.js';
import type { Wait } from './home-copy.js';
import { EOF, type Item, MOVED_TAG, TIMEOUT, wasMoved } from './item.js';
import { Op } from './ops.js';

/** A consumer that asks again within this many ms of its last item is streaming: it reads ahead. */
export const STREAM_GAP_MS = 2;
/**
 * The most items a streaming copy reads ahead. It must cover what its consumer takes while a
 * demand goes to the home and back, and a producer's GC pause or a lost time slice lengthens that
 * trip to milliseconds: with 1024, a consumer that outpaced its producer still ran dry, and a busy
 * producer kept 98% of its puts waiting at home (up to 90k items, promoted by its GC). The home
 * also bounds what a copy holds in bytes (`MAX_AHEAD_BYTES`, read-ahead.ts).
 */
export const MAX_WINDOW = 16 * 1024;
/**
 * The most items a copy reads ahead once it has been recalled (it shares the queue with other
 * consumers): what it holds comes back at each recall, so a big window there means items sent
 * twice (2 producers x 2 consumers, 20k items: 1.5x the sends with 16k, as many as items with this).
 */
export const SHARED_WINDOW = 1024;
/**
 * A copy recalled (another consumer waited behind what it read ahead) reads nothing ahead for this
 * long (ms); recalled again soon after, twice as long, up to {@link MAX_CALM_MS}. Consumers sharing
 * a queue then each ask for one item per get, instead of reading items ahead that the home must
 * recall for the other one: a round trip per item in turns.
 */
export const FIRST_CALM_MS = 20;
export const MAX_CALM_MS = 1000;
/** A pipe end's window: everything. */
export const EAGER_WINDOW = 1 << 30;

/** What the receiver needs of its copy. */
export interface ReceiverHost {
  send(op: number, a: number, b: number, body?: Item): void;
  settle(w: Wait, result: Item | symbol | boolean): void;
  nextSeq(): number;
  isOpen(): boolean;
  hold(): void;
  ready(): void;
  consumed(total: number, first: boolean): void;
  /** Sends the frames sent so far now, rather than at the end of the turn. */
  flushNow(): void;
}

export class Receiver {
  /**
   * The time (ms, any origin) of the current event, set by the runtime when items arrive and when
   * a get has to wait (the only moments read-ahead is decided).
   */
  clock = 0;
  eof = false;
  /** Items handed out (for taskDone's check). */
  got = 0;
  liveGetters = 0;
  readonly #host: ReceiverHost;
  readonly #eager: boolean;
  readonly #moves: boolean;
  readonly #buffer = new Deque<Item>();
  // Items in the buffer that came with MOVED_TAG (a socket's sendBytes): returned, not dropped.
  readonly #movedHere = new Set<Item>();
  readonly #getters = new Deque<Wait>();
  readonly #tries = new Deque<Wait>();
  #hardOut = 0;
  #softOut = 0;
  #window = 0;
  #lastItemAt = Number.NEGATIVE_INFINITY;
  // Read-ahead is off until then (recalled: other consumers share the channel); see FIRST_CALM_MS.
  #calmUntil = Number.NEGATIVE_INFINITY;
  #calmMs = 0;
  // A get took an item waiting here since the last get that had to wait: the consumer keeps up.
  #fromBuffer = false;
  #epoch = 0;
  // The only reader of its channel (a pipe end, told by the home): its gets need no demand.
  #alone = false;
  #consumed = 0;
  #reported = 0;
  // Give-backs sent (R_GIVE_BACK, R_UNUSED), mod 2^32: an H_EOF sent before the latest is stale.
  #backs = 0;

  constructor(host: ReceiverHost, eager: boolean, moves: boolean) {
    this.#host = host;
    this.#eager = eager;
    this.#moves = moves;
    if (eager) this.#window = EAGER_WINDOW;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  /** Gets or tries waiting here. */
  get waiting(): number {
    return this.liveGetters + this.#tries.length;
  }

  /** @internal For traces: the demand counters. */
  get debugState(): string {
    return `getters=${this.liveGetters} hardOut=${this.#hardOut} softOut=${this.#softOut} buffer=${this.#buffer.length} tries=${this.#tries.length}`;
  }

  /** Takes an item here now; else, with `w`, waits for one (EOF when none can come). */
  get(w: Wait | null): Item | typeof EOF | undefined {
    const item = this.#buffer.shift();
    if (item !== undefined) {
      if (this.#movedHere.size > 0) this.#movedHere.delete(item);
      this.#fromBuffer = true;
      this.#consume();
      if (this.#window > 0 && !this.#eager) this.#refill();
      return item;
    }
    if (this.eof) return EOF;
    if (!w) return undefined;
    if (!this.#eager) {
      const streaming =
        (this.#fromBuffer || this.clock - this.#lastItemAt <= STREAM_GAP_MS) && this.clock >= this.#calmUntil;
      const most = this.#calmMs > 0 ? SHARED_WINDOW : MAX_WINDOW;
      this.#window = streaming ? Math.min(most, Math.max(1, this.#window * 2)) : 0;
      this.#fromBuffer = false;
    }
    this.#getters.push(w);
    this.liveGetters++;
    this.#demand();
    this.#host.hold();
    return undefined;
  }

  /** Python's `get(block=False)`: an item here, or one the home has now (`w` settles). */
  tryGet(w: Wait): Item | typeof EOF | typeof TIMEOUT | undefined {
    const now = this.get(null);
    if (now !== undefined) return now;
    if (this.liveGetters > 0 || !this.#host.isOpen()) return TIMEOUT; // a waiting get is first
    this.#tries.push(w);
    this.#host.send(Op.R_TRY, this.#host.nextSeq(), 0);
    this.#host.hold();
    return undefined;
  }

  /** Starts reading ahead (wait() and poll() watch this copy), so what arrives makes it ready. */
  watch(): void {
    if (this.eof || this.#buffer.length > 0) return;
    if (this.#window === 0) this.#window = 1;
    this.#demand();
  }

  /** The home says whether this copy is the only reader of its channel; a waiting get asks if not. */
  alone(on: boolean): void {
    this.#alone = on && this.#eager;
    if (!this.#alone && !this.eof && this.#host.isOpen()) this.#demand();
  }

  /** Ends a get whose time ran out; false when it was already over. */
  cancel(w: Wait): boolean {
    if (w.done) return false;
    w.done = true;
    // A try is no get: its answer (H_TRIED) still comes and finds it done.
    for (const t of this.#tries.peekAll()) if (t === w) return true;
    this.liveGetters--;
    // Its demand becomes read-ahead at both ends: what arrives for it is held like anything read
    // ahead (recalled if another consumer waits).
    const n = this.#hardOut - this.liveGetters;
    if (n > 0 && this.#host.isOpen()) {
      this.#hardOut -= n;
      this.#softOut += n;
      this.#host.send(Op.R_SOFTEN, n, 0);
    }
    this.#host.hold();
    return true;
  }

  /** The worker flush hook: gives back everything read ahead, unless a get waits. */
  giveBack(): boolean {
    if (this.liveGetters > 0 || this.#buffer.length + this.#hardOut + this.#softOut === 0) return false;
    // What is still on its way is stale in the new epoch.
    this.#gaveBack(this.#buffer.length);
    this.returnBuffered();
    this.#epoch = (this.#epoch + 1) >>> 0;
    this.#hardOut = 0;
    this.#softOut = 0;
    if (!this.#eager) this.#window = 0;
    this.#host.send(Op.R_GIVE_BACK, this.#epoch, 0);
    return true;
  }

  // Another consumer waits behind what this copy read ahead: what is here and unused goes back.
  // Nothing the home pushed is on its way now (it pushes nothing to a copy it recalled), so both
  // sides agree on the demand left: one item for each waiting get, the rest read-ahead.
  recalled(): void {
    const n = this.#buffer.length;
    this.#gaveBack(n);
    this.returnBuffered();
    if (!this.#eager) {
      this.#window = 0;
      const again = this.clock - this.#calmUntil < this.#calmMs;
      this.#calmMs = again ? Math.min(MAX_CALM_MS, this.#calmMs * 2) : FIRST_CALM_MS;
      this.#calmUntil = this.clock + this.#calmMs;
    }
    const out = this.#hardOut + this.#softOut;
    this.#hardOut = Math.min(this.liveGetters, out);
    this.#softOut = out - this.#hardOut;
    this.#host.send(Op.R_UNUSED, n, this.liveGetters);
    this.#demand(); // gets the demand left does not cover
  }

  /** An item pushed in `epoch` for a get (`tag` 1), read ahead (0) or a try (2). */
  data(epoch: number, tag: number, item: Item): void {
    const moved = (tag & MOVED_TAG) !== 0;
    tag &= ~MOVED_TAG;
    if (epoch !== this.#epoch || !this.#host.isOpen()) {
      // Sent before our give-back (the home took it back) or after our close: a moved one returns.
      if (moved || wasMoved(item, this.#moves)) this.#host.send(Op.R_RETURN, 0, 0, item);
      return;
    }
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
        this.#handOut(t, item);
        if (tag !== 2) this.#demand(); // it came for a get, which must ask again
        return;
      }
    }
    for (let g = this.#getters.shift(); g; g = this.#getters.shift()) {
      if (g.done) continue;
      this.liveGetters--;
      this.#handOut(g, item);
      return;
    }
    this.#buffer.push(item);
    if (moved) this.#movedHere.add(item);
    this.#host.ready();
  }

  /** The home answered a try: `w` ends empty unless an item came for it. */
  tried(): void {
    const w = this.#tries.shift();
    if (w && !w.done) {
      w.done = true;
      this.#host.settle(w, TIMEOUT);
    }
    this.#host.hold();
  }

  /**
   * The home says every writer is gone and nothing more comes (H_EOF, sent after `backs` of this
   * copy's give-backs): true unless a give-back of ours crossed it, since what we gave back may
   * come to us again (the home sends a new EOF after it).
   */
  ended(backs: number): boolean {
    if (backs !== this.#backs) return false;
    this.eof = true;
    return true;
  }

  /** Ends every waiting get and try with `r`. */
  endGets(r: typeof EOF): void {
    for (let g = this.#getters.shift(); g; g = this.#getters.shift()) {
      if (g.done) continue;
      g.done = true;
      this.#host.settle(g, r);
    }
    this.liveGetters = 0;
    for (let t = this.#tries.shift(); t; t = this.#tries.shift()) {
      if (t.done) continue;
      t.done = true;
      this.#host.settle(t, r);
    }
  }

  /** The consumed-report due with the next batch, if any. */
  beforeFlush(): void {
    if (this.#consumed === this.#reported) return;
    const n = (this.#consumed - this.#reported) >>> 0;
    this.#reported = this.#consumed;
    this.#host.send(Op.R_TAKEN, n, 0);
  }

  /** Reports what was consumed, then returns moved items held here, in order; the home has the rest. */
  returnBuffered(): void {
    this.beforeFlush();
    const items = this.#buffer.drain();
    const socketMoved = this.#movedHere;
    for (const item of items)
      if (socketMoved.has(item) || wasMoved(item, this.#moves)) this.#host.send(Op.R_RETURN, 0, 0, item);
    socketMoved.clear();
  }

  // A give-back of `held` items from here is about to leave. An EOF that reaches us later was sent
  // before the home saw it (stale); one we had already has not come true if items go back, since
  // they may come to us again: the home sends a new EOF once nothing is out.
  #gaveBack(held: number): void {
    this.#backs = (this.#backs + 1) >>> 0;
    if (held > 0) this.eof = false;
  }

  #handOut(w: Wait, item: Item): void {
    w.done = true;
    this.#lastItemAt = this.clock;
    this.#consume();
    this.#host.settle(w, item);
    this.#host.hold();
  }

  #consume(): void {
    this.got++;
    const first = this.#consumed === this.#reported;
    this.#consumed = (this.#consumed + 1) >>> 0;
    this.#host.consumed(this.#consumed, first);
  }

  // A consumer taking what it read ahead, get after get, may not end its turn until the buffer is
  // empty (each get settles at once), so a demand sent at the end of the turn would leave the home
  // idle until then and the consumer idle for the round trip after. Once half the window is used,
  // it asks for the next half now, so the home sends more while the consumer works through the rest.
  #refill(): void {
    const soft = this.#window - this.#softOut - this.#buffer.length;
    if (soft * 2 < this.#window || !this.#host.isOpen()) return;
    this.#demand();
    this.#host.flushNow();
  }

  #demand(): void {
    const covered = this.#alone ? this.#hardOut + this.#softOut : this.#hardOut;
    const hard = Math.max(0, this.liveGetters - covered);
    let soft = this.#window - this.#softOut - this.#buffer.length;
    // Ask for read-ahead in chunks of at least half a window: few demand frames per stream.
    if (soft * 2 < this.#window || soft < 0) soft = 0;
    if (hard === 0 && soft === 0) return;
    this.#hardOut += hard;
    this.#softOut += soft;
    this.#host.send(Op.R_DEMAND, hard, soft);
  }
}
