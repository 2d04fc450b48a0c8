/**
 * The receiving side of a queue or pipe copy. Receiving is demand-driven: a get that finds nothing here
 * asks the home for one item (hard demand, served in turn with every other consumer). A copy also reads
 * ahead (soft demand) while its consumer streams (receiver-demand.ts keeps what it asks for and its
 * window). What it read ahead it returns when the home recalls it (another consumer waits), gives back
 * when the worker flushes, and leaves behind when it closes. A pipe end reads everything as it comes.
 * A queue's thread copy also claims items its home lent it (loan.ts) before it asks.
 *
 * Demand made for a get can end up served by another item (an item read ahead, or a get that timed out), so
 * both sides count it loosely until a recall settles it (R_UNUSED carries the gets still waiting; nothing
 * is on its way then). A pipe end that the home says is the only reader of its channel (H_ALONE) lets its
 * read-ahead credit serve its gets: they send no demand, so a round trip is one message each way. With
 * another reader, a waiting get (or poll) must ask: the home recalls what that reader holds only for it.
 */
import { Deque } from '../deque.js';
import type { Wait } from './home-copy.js';
import { EOF, type Item, MOVED_TAG, TIMEOUT, wasMoved } from './item.js';
import { ItemBuffer } from './item-buffer.js';
import type { CopyLoan } from './loan.js';
import { Op } from './ops.js';
import { Demand } from './receiver-demand.js';

/** What the receiver needs of its copy. */
export interface ReceiverHost {
  send(op: number, a: number, b: number, body?: Item): void;
  settle(w: Wait, result: Item | symbol | boolean): void;
  nextSeq(): number;
  isOpen(): boolean;
  hold(): void;
  ready(): void; // an item is here, or went to a waiting get or try: poll() and wait() are told (select())
  consumed(total: number, first: boolean): void;
  /** Sends the frames sent so far now, rather than at the end of the turn. */
  flushNow(): void;
}

export class Receiver {
  /** The time (ms, any origin) of the current event: set when items arrive and when a get waits. */
  clock = 0;
  eof = false;
  /** The home is ending (H_HEIR): what is here stays here, served before EOF; nothing goes back. */
  heir = false;
  liveGetters = 0;
  loan: CopyLoan | null = null; // a queue's thread copy: what its home lends it (loan.ts)
  readonly #host: ReceiverHost;
  readonly #moves: boolean;
  readonly #buffer: ItemBuffer;
  readonly #getters = new Deque<Wait>();
  readonly #tries = new Deque<Wait>();
  // What it asked for and has not received, and its read-ahead window (receiver-demand.ts).
  readonly demand: Demand;
  #epoch = 0;
  #consumed = 0;
  #reported = 0;
  // Give-backs sent (R_GIVE_BACK, R_UNUSED), mod 2^32: an H_EOF sent before the latest is stale.
  #backs = 0;

  constructor(host: ReceiverHost, eager: boolean, moves: boolean) {
    this.#host = host;
    this.#moves = moves;
    this.#buffer = new ItemBuffer(moves);
    this.demand = new Demand(eager, (hard, soft) => host.send(Op.R_DEMAND, hard, soft));
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
    return `getters=${this.liveGetters} ${this.demand.debugState} buffer=${this.#buffer.length} tries=${this.#tries.length}`;
  }

  /** Takes an item here now; else, with `w`, waits for one (EOF when none can come). */
  get(w: Wait | null): Item | typeof EOF | undefined {
    const item = this.#buffer.shift();
    if (item !== undefined) {
      this.#consume();
      // A consumer taking read-ahead items get after get may not end its turn until the buffer is
      // empty (each get settles at once): once half the window is used it asks for the next half
      // now, so the home sends more meanwhile rather than idle until the end of the turn.
      if (this.demand.tookHere(this.#buffer.length) && this.#host.isOpen()) {
        this.#ask();
        this.#host.flushNow();
      }
      return item;
    }
    const lent = this.liveGetters === 0 ? this.loan?.claim() : undefined;
    if (lent !== undefined) return this.#consume(lent);
    if (this.eof) return EOF;
    if (!w) return undefined;
    this.demand.getWaits(this.clock);
    this.#getters.push(w);
    this.liveGetters++;
    this.loan?.forget(); // what is left comes back at home when this get's demand gets there
    this.#ask();
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
    this.demand.watch();
    this.#ask();
  }

  /** The last poll() or wait() stopped watching: what it asked for becomes read-ahead, as a get's. */
  unwatch(): void {
    const n = this.demand.unwatch() ? this.demand.soften(this.liveGetters, this.#host.isOpen()) : 0;
    if (n > 0) this.#host.send(Op.R_SOFTEN, n, 0);
  }

  /** The home says whether this copy is the only reader of its channel; a waiting get asks if not. */
  alone(on: boolean): void {
    this.demand.alone = on;
    if (!this.demand.alone && !this.eof && this.#host.isOpen()) this.#ask();
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
    const n = this.demand.soften(this.liveGetters, this.#host.isOpen());
    if (n > 0) this.#host.send(Op.R_SOFTEN, n, 0);
    this.#host.hold();
    return true;
  }

  /** The worker flush hook: gives back everything read ahead, unless a get waits. */
  giveBack(): boolean {
    if (this.heir || this.liveGetters > 0 || this.#buffer.length + this.demand.outstanding === 0)
      return false;
    // What is still on its way is stale in the new epoch, a loan too: the home takes back all of it.
    this.#epoch = (this.#epoch + 1) >>> 0;
    this.loan?.end(this.#epoch);
    this.#gaveBack(this.#buffer.length);
    this.returnBuffered();
    this.demand.gaveBack();
    this.#host.send(Op.R_GIVE_BACK, this.#epoch, 0);
    return true;
  }

  // Another consumer waits behind what this copy read ahead: what is here and unused goes back.
  // Nothing the home pushed is on its way now (it pushes nothing to a copy it recalled), so both
  // sides agree on the demand left: one item for each waiting get (see Demand.recalled).
  recalled(): void {
    if (this.heir) return;
    const n = this.#buffer.length;
    this.#gaveBack(n);
    this.returnBuffered();
    this.#host.send(Op.R_UNUSED, n, this.demand.recalled(this.clock, this.liveGetters));
    this.#ask(); // gets the demand left does not cover
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
    this.demand.arrived(tag);
    // A try takes the first item to arrive after it was made (one on its way came before it).
    if (this.#tries.length > 0) {
      for (const t of this.#tries.peekAll()) {
        if (t.done) continue;
        this.#handOut(t, item);
        if (tag !== 2) this.#ask(); // it came for a get, which must ask again
        return;
      }
    }
    if (this.#toGetter(item)) return;
    this.#buffer.push(item, moved);
    this.#host.ready();
  }

  /** `n` JSON values pushed in `epoch` with `tag` as one JSON array `text`: {@link data} for each, in
   * order. Gets waiting take the first (nothing is buffered then); the rest stay one run, parsed
   * when reached if no get waited (item-buffer.ts). A consumer that keeps up waits at every batch. */
  dataRun(epoch: number, tag: number, text: string, n: number): void {
    if (this.#tries.length > 0 || (tag & MOVED_TAG) !== 0 || epoch !== this.#epoch || !this.#host.isOpen()) {
      for (const value of JSON.parse(text) as unknown[]) this.data(epoch, tag, { value });
      return;
    }
    for (let i = 0; i < n; i++) this.demand.arrived(tag);
    const buf = this.#buffer;
    if (this.liveGetters === 0 ? buf.pushRun(text, n) : buf.pushRunAfter(text, this.#toGetter))
      this.#host.ready();
  }

  /** The home is ending (H_HEIR): what it pushed here is this copy's to serve; it keeps it. */
  inherit(): void {
    this.heir = true;
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

  /** The home says nothing more comes (H_EOF, sent after `backs` of our give-backs): true unless a
   * give-back of ours crossed it, as what we gave back may come again (the home sends a new EOF). */
  ended(backs: number): boolean {
    if (backs !== this.#backs) return false;
    this.eof = true;
    return true;
  }

  /** Ends every waiting get and try with `r`. */
  endGets(r: typeof EOF): void {
    for (const waits of [this.#getters, this.#tries]) {
      for (let w = waits.shift(); w; w = waits.shift()) {
        if (w.done) continue;
        w.done = true;
        this.#host.settle(w, r);
      }
      this.liveGetters = 0;
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
    for (const item of this.#buffer.drainMoved()) this.#host.send(Op.R_RETURN, 0, 0, item);
  }

  // A give-back of `held` items is about to leave. A later EOF was sent before the home saw it (stale);
  // one we had has not come true if items go back (they may come again): the home sends a new EOF.
  #gaveBack(held: number): void {
    this.#backs = (this.#backs + 1) >>> 0;
    if (held > 0) this.eof = false;
  }

  // Hands `item` to the oldest get still waiting; false when none waits.
  readonly #toGetter = (item: Item): boolean => {
    for (let g = this.#getters.shift(); g; g = this.#getters.shift()) {
      if (g.done) continue;
      this.liveGetters--;
      this.#handOut(g, item);
      return true;
    }
    return false;
  };

  #handOut(w: Wait, item: Item): void {
    w.done = true;
    this.demand.handedOut(this.clock);
    this.#consume();
    this.#host.settle(w, item);
    this.#host.hold();
    this.#host.ready();
  }

  #consume<T>(item?: T): T | undefined {
    const first = this.#consumed === this.#reported;
    this.#consumed = (this.#consumed + 1) >>> 0;
    this.#host.consumed(this.#consumed, first);
    return item;
  }

  #ask(): void {
    this.demand.ask(this.liveGetters, this.#buffer.length);
  }
}
