/**
 * The receiving side of a queue or pipe copy. Receiving is demand-driven: a get that finds nothing here
 * asks the home for one item (hard demand, served in turn with every other consumer). A copy also reads
 * ahead (soft demand) while its consumer streams (receiver-demand.ts keeps what it asks for and its
 * window). What it read ahead it returns when the home recalls it (another consumer waits), gives back
 * when the worker flushes, and leaves behind when it closes. A pipe end reads everything as it comes.
 * A queue's copy also claims items its home lent it (loan.ts) before it asks.
 *
 * Demand made for a get can end up served by another item (one read ahead, or a get that timed out), so
 * both sides count it loosely until a recall settles it (R_UNUSED: the gets still waiting). A pipe end
 * that the home says is the only reader of its channel (H_ALONE) lets its read-ahead credit serve its
 * gets: they send no demand. With another reader, a waiting get (or poll) must ask: the home recalls
 * what that reader holds only for it. A get whose time runs out ends at the home's answer (receiver-waits.ts).
 */
import { Deque } from '../deque.js';
import type { Wait } from './home-copy.js';
import { EOF, type Item, MOVED_TAG, TIMEOUT, wasMoved } from './item.js';
import { ItemBuffer } from './item-buffer.js';
import type { CopyLoan } from './loan.js';
import { Op } from './ops.js';
import { Demand } from './receiver-demand.js';
import { ExpiringGets, type ReceiverHost } from './receiver-waits.js';
import { takeWill, type Will } from './will-heir.js';

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
  readonly #expiring = new ExpiringGets(); // gets whose time ran out, ending at the home's answer
  readonly demand: Demand; // what it asked for and has not received, its read-ahead window (receiver-demand.ts)
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

  get #asking(): number {
    return this.#expiring.asking(this.liveGetters); // gets waiting here that ask for an item
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
      // A consumer taking read-ahead items get after get may not end its turn until the buffer is empty:
      // once half the window is used it asks for the next half now, so the home sends more meanwhile.
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
    const n = this.demand.unwatch() ? this.demand.soften(this.#asking, this.#host.isOpen()) : 0;
    if (n > 0) this.#host.send(Op.R_SOFTEN, n, 0);
  }

  /** The home says whether this copy is the only reader of its channel; a waiting get asks if not. */
  alone(on: boolean): void {
    this.demand.alone = on;
    if (!this.demand.alone && !this.eof && this.#host.isOpen()) this.#ask();
  }

  /** Ends a get whose time ran out; false when it was already over, or, with `confirm` while an item
   * may be on its way for it, once the home answers (receiver-waits.ts, {@link expired}). */
  cancel(w: Wait, confirm = false): boolean {
    if (w.done) return false;
    for (const t of this.#tries.peekAll()) if (t === w) return (w.done = true); // its H_TRIED finds it done
    if (this.#expiring.has(w)) return !confirm && this.#end(w); // abandoned while it asks: now
    // Its demand becomes read-ahead at both ends (recalled if another consumer waits).
    const n = this.demand.soften(this.#asking - 1, this.#host.isOpen());
    if (n > 0) this.#host.send(Op.R_SOFTEN, n, 0);
    if (!confirm || n === 0) return this.#end(w);
    this.#host.send(Op.R_SYNC, this.#expiring.add(this.#host.nextSeq(), w), 0);
    return false;
  }

  /** The home answered R_SYNC `seq`: a get that expired with it ends empty unless an item came. */
  expired(seq: number): boolean {
    const w = this.#expiring.take(seq);
    if (w && !w.done && this.#end(w)) this.#host.settle(w, TIMEOUT);
    return w !== undefined;
  }

  #end(w: Wait): boolean {
    w.done = true;
    this.liveGetters--;
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

  // Another consumer waits behind what this copy read ahead: what is here and unused goes back. Nothing
  // the home pushed is on its way now, so both sides agree on the demand left (Demand.recalled).
  recalled(): void {
    if (this.heir) return;
    const n = this.#buffer.length;
    this.#gaveBack(n);
    this.returnBuffered();
    this.#host.send(Op.R_UNUSED, n, this.demand.recalled(this.clock, this.#asking));
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

  /** `n` JSON values pushed in `epoch` with `tag` as one JSON array `text`: {@link data} for each, in order;
   * gets waiting take the first, the rest stay one run, parsed when reached (item-buffer.ts). */
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

  /** The home is ending (H_HEIR): what it pushed here is this copy's to serve, it keeps it; with `will` (read as
   * the link closed, will-heir.ts) so placed. How many items are lost after it; null: the will does not fit. */
  inherit(will?: Will): number | null {
    const lost = will ? takeWill(this.#buffer, this.#toGetter, this.#consumed, will) : 0;
    if (lost !== null) this.heir = true;
    return lost;
  }

  /** The home answered a try: `w` ends empty unless an item came for it. */
  tried(): void {
    const w = this.#tries.shift();
    if (w && !w.done) this.#host.settle(w, (w.done = true) && TIMEOUT);
    this.#host.hold();
  }

  /** The home says nothing more comes (H_EOF, after `backs` of our give-backs): true unless one crossed it. */
  ended(backs: number): boolean {
    return backs === this.#backs && (this.eof = true);
  }

  /** Ends every waiting get and try with `r`. */
  endGets(r: typeof EOF): void {
    for (const waits of [this.#getters, this.#tries]) {
      for (let w = waits.shift(); w; w = waits.shift()) {
        if (w.done) continue;
        w.done = true;
        this.#host.settle(w, this.#expiring.has(w) ? TIMEOUT : r);
      }
      this.liveGetters = 0;
    }
    this.#expiring.clear();
  }

  /** The consumed-report due with the next batch, if any. */
  beforeFlush(): void {
    if (this.#consumed === this.#reported) return;
    const n = (this.#consumed - this.#reported) >>> 0;
    this.#reported = this.#consumed;
    this.#host.send(Op.R_TAKEN, n, 0);
  }

  /** Reports what was consumed, then returns moved items held here (the home has the rest). */
  returnBuffered(): void {
    this.beforeFlush();
    for (const item of this.#buffer.drainMoved()) this.#host.send(Op.R_RETURN, 0, 0, item);
  }

  // A give-back of `held` items leaves: a later EOF is stale, and one we had is not true if items go back.
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
    this.#consume(undefined, true);
    this.#host.settle(w, item);
    this.#host.hold();
    this.#host.ready();
  }

  #consume<T>(item?: T, waited = false): T | undefined {
    const first = this.#consumed === this.#reported;
    this.#consumed = (this.#consumed + 1) >>> 0;
    this.#host.consumed(this.#consumed, first, waited);
    return item;
  }

  #ask(): void {
    this.demand.ask(this.#asking, this.#buffer.length);
  }
}
