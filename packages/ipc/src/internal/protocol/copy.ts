/**
 * A copy of a queue or pipe end in another thread or process, without I/O: it takes events (a
 * get, a put, a frame from the home, the link closing) and emits {@link CopyActions}. Receiving is
 * the {@link Receiver}'s (receiver.ts); the life of the copy is {@link CopyObject}'s.
 */
import { type CopyActions, CopyObject, type CopyOptions } from './copy-object.js';
import type { Wait } from './home-copy.js';
import { EOF, type Item, type TIMEOUT } from './item.js';
import { CopyLoan, type LoanCell } from './loan.js';
import { Op } from './ops.js';
import { Receiver } from './receiver.js';
import type { Will } from './will-heir.js';

export type { CopyActions, CopyOptions, CopyState } from './copy-object.js';
export { EAGER_WINDOW, MAX_WINDOW, STREAM_GAP_MS } from './receiver-demand.js';

/** Where a put took room for its item (R_PUT's `a`): nowhere yet, the shared count, a granted slot. */
export type Room = 0 | 1 | 2;
export const ROOM_COUNTED: Room = 1;
export const ROOM_GRANTED: Room = 2;

/** A synchronous question for room (R_SLOT): `abandoned` once its asker stopped waiting. */
export interface SlotWait extends Wait {
  abandoned: boolean;
}

const TASK_REFUSED =
  'JoinableQueue.taskDone() found no unfinished task at the queue: taskDone() was called more times ' +
  'than items were put (by some holder of the queue); this call was not counted.';

export class CopyProtocol extends CopyObject {
  /** The queue's size and unfinished tasks as last reported by the home. */
  homeSize = 0;
  /** The link went while this copy was open, with neither EOF nor the bequest (H_HEIR) from its
   * home: its thread or process ended without its exit hooks (terminated, killed, crashed). */
  homeLost = false;
  /** Items its home had sent it that the will it read says are lost (`H_LOST`: bytes sent from
   * the sender's memory, over a connection reset before this copy read them); 0: none. */
  lostAtEnd = 0;
  /** H_STATE `b`: a JoinableQueue's unfinished tasks; a plain queue's places out (it has no tasks). */
  unfinished = 0;
  /** Pipes: the other end is closed everywhere (H_BROKEN); sends fail. */
  broken = false;
  /** Room the home granted ahead of this copy's puts (places.ts), and whether more is asked. */
  places = 0;
  placesAsked = false;
  readonly #opts: CopyOptions;
  readonly #rx: Receiver;
  readonly #puts = new Set<number>();
  readonly #slots = new Map<number, SlotWait>();

  constructor(opts: CopyOptions, out: CopyActions) {
    super(out);
    this.#opts = opts;
    this.#rx = new Receiver(
      {
        send: (op, a, b, body) => this.send(op, a, b, body),
        settle: (w, r) => out.settle(w, r),
        nextSeq: () => this.nextSeq(),
        isOpen: () => this.state === 'open',
        hold: () => this.hold(),
        ready: () => out.ready(),
        consumed: (total, first, waited) => out.consumed(total, first, waited),
        flushNow: () => out.flushNow(),
      },
      opts.eager,
      opts.moves,
    );
  }

  /** The time (ms, any origin) of the current event, set by the runtime. */
  set clock(ms: number) {
    this.#rx.clock = ms;
  }

  /** Items received and not taken yet (read ahead). */
  get buffered(): number {
    return this.#rx.buffered;
  }

  /** Nothing more can come to this copy: its home handed it what it will get (H_HEIR: the home is
   * ending; H_EOF) or its link is gone. What it holds (`buffered`) is then all it will serve. */
  get homeEnded(): boolean {
    return this.state === 'gone' || this.#rx.heir || this.#rx.eof;
  }

  /** @internal For traces: the demand counters. */
  get debugState(): string {
    return this.#rx.debugState;
  }

  /** Whether a get would answer at once. */
  get ready(): boolean {
    return this.#rx.buffered > 0 || this.#rx.eof;
  }

  /** Takes an item here now; else, with `w`, waits for one (EOF when none can come). */
  get(w: Wait | null): Item | typeof EOF | undefined {
    return this.#rx.get(w);
  }

  /** Python's `get(block=False)` at a copy: an item here, or one the home has now (`w` settles). */
  tryGet(w: Wait): Item | typeof EOF | typeof TIMEOUT | undefined {
    return this.#rx.tryGet(w);
  }

  /** Starts reading ahead (wait() and poll() watch this copy), so what arrives makes it ready. */
  watch(): void {
    this.#rx.watch();
  }

  /** The last poll() or wait() stopped watching this copy. */
  unwatch(): void {
    this.#rx.unwatch();
  }

  /** Ends a get whose time ran out; false when it was already over, or (`confirm`) ends later (receiver.ts). */
  cancel(w: Wait, confirm = false): boolean {
    return this.#rx.cancel(w, confirm);
  }

  /** The worker flush hook: gives back what was read ahead, unless a get waits. */
  giveBack(): boolean {
    return this.state === 'open' && this.#rx.giveBack();
  }

  /** Puts of this copy wait for the home's answer (for room, or for the ack). */
  get putsPending(): boolean {
    return this.#puts.size > 0;
  }

  /**
   * Sends an item: `w` waits for the home's answer when puts are acked (null: admitted anyway);
   * `room`: where the room for it was taken (0: nowhere yet; see {@link Room}); `task`: a
   * JoinableQueue's thread copy counted its task in the shared count already.
   */
  put(item: Item, w: Wait | null, timeoutMs: number, room: Room = 0, task = false): void {
    if (!this.#opts.acked || !w) this.send(Op.R_PUT, room, task ? 1 : 0, item);
    else this.#puts.add(this.ask(Op.R_PUT_WAIT, w, timeoutMs, item));
  }

  /** Asks the home for room for one item (bounded queues, from another process), and `places`
   * more (places.ts): `w` settles with true when granted. Room granted after `w` was abandoned
   * goes back at once. `w` null: places only, on their way. */
  askSlot(w: SlotWait | null, places: number): void {
    // What this copy consumed first: the room its gets freed is there when the home answers (as
    // Python's get() releases the queue's semaphore before it returns).
    this.#rx.beforeFlush();
    if (w) {
      const seq = this.ask(Op.R_SLOT, w, places);
      if (seq !== 0) this.#slots.set(seq, w);
    } else {
      this.placesAsked = true;
      this.send(Op.R_SLOT, 0, places);
    }
  }

  /** Asks the home for its size now: `homeSize` and `unfinished` are fresh once `w` settles. */
  askState(w: Wait): void {
    this.#rx.beforeFlush(); // the size counts this copy's gets so far
    this.ask(Op.R_STATE, w);
  }

  /** Marks one of the queue's unfinished tasks done at the home, whoever got its item (the count
   * is the queue's, as in Python): `w` settles true once the home did, false when none was. */
  taskDone(w: Wait): void {
    this.ask(Op.R_TASK_DONE, w);
  }

  /** Marks one task done without waiting (a copy in another process, for an item it got: the home
   * counted that item's task before handing it out). The home says only if it refused it. */
  taskDoneLater(): void {
    this.send(Op.R_TASK_DONE, 0, 0);
  }

  /** A thread copy's taskDone() left the shared count at 0: the home ends the joins that waited. */
  tasksAtZero(): void {
    if (this.state === 'open') this.send(Op.R_TASK_DONE, 0, 1);
  }

  /** Closes this copy: waits end, puts still waiting did not happen, what it read ahead goes back. */
  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.#rx.endGets(EOF);
    this.endAsks();
    this.#puts.clear();
    this.#slots.clear(); // room granted from now on is the home's to take back when we are gone
    this.#rx.returnBuffered();
    this.send(Op.R_CLOSE, 0, 0);
    this.hold();
  }

  /** A queue's copy claims what its home lends it through `cell` (loan.ts). */
  useLoan(cell: LoanCell): void {
    this.#rx.loan = new CopyLoan(cell);
  }

  /** Appends what a batch leaving now must carry: the consumed-report. */
  beforeFlush(): void {
    if (this.state !== 'gone') this.#rx.beforeFlush();
  }

  /** A run of `n` JSON values pushed in `epoch` (`H_DATA_RUN` over a port), as one JSON array
   * `text`: as an `H_DATA` frame for each value, in order. */
  dataRun(epoch: number, tag: number, text: string, n: number): void {
    this.#rx.dataRun(epoch, tag, text, n);
  }

  frame(op: number, a: number, b: number, body: Item): void {
    switch (op) {
      case Op.H_DATA:
        this.#rx.data(a, b, body);
        break;
      case Op.H_LOAN:
        // Not while a get waits or its demand is on its way: that demand takes it back at home (loan.ts).
        if (this.state === 'open' && this.#rx.liveGetters + this.#rx.demand.hardOut === 0)
          this.#rx.loan?.lent(a, b, body);
        break;
      case Op.H_PUT_DONE: {
        // `b`: the room granted (a = 0: places asked on their way; a slot's: its put's, then places).
        this.#puts.delete(a);
        const slot = this.#slots.get(a);
        this.#slots.delete(a);
        if (a === 0) this.placesAsked = false;
        if (slot?.abandoned && b > 0) this.send(Op.R_UNSLOT, b, 0);
        else if (a === 0 || (slot && b > 1)) this.places += a === 0 ? b : b - 1;
        this.answer(a, b > 0);
        break;
      }
      case Op.H_UNPLACE: // the home recalls the places this copy holds: all go back
        if (this.places > 0) this.send(Op.R_UNSLOT, this.places, 0);
        this.places = 0;
        break;
      case Op.H_TASK_DONE:
        if (a === 0) this.out.warn?.(TASK_REFUSED);
        else this.answer(a, b === 1);
        break;
      case Op.H_JOINED:
      case Op.H_SYNCED: // or a get whose time ran out (receiver.ts)
        if (op === Op.H_JOINED || !this.#rx.expired(a)) this.answer(a, true);
        break;
      case Op.H_TRIED:
        this.#rx.tried();
        break;
      case Op.H_EOF:
        if (!this.#rx.ended(a)) break; // stale: it crossed our give-back
        this.#rx.endGets(EOF);
        this.hold();
        this.out.ready();
        break;
      case Op.H_STATE:
        this.homeSize = a;
        this.unfinished = b;
        break;
      case Op.H_BROKEN:
        this.broken = true;
        break;
      case Op.H_ALONE:
        this.#rx.alone(a === 1);
        break;
      case Op.H_RECALL:
        if (this.state === 'open') this.#rx.recalled();
        break;
      case Op.H_HEIR:
        this.#rx.inherit();
        break;
      case Op.H_FLUSH:
        // A join at home asks: the answer leaves behind everything this copy sent (flush-barrier.ts).
        this.send(Op.R_FLUSHED, a, 0);
        break;
    }
  }

  /** Takes its home's will, read as its link closed (will-heir.ts); false when it does not fit. */
  inheritWill(will: Will): boolean {
    const lost = this.#rx.inherit(will);
    if (lost === null) return false;
    this.#rx.loan = null; // what it was lent and did not claim is in the will
    this.lostAtEnd = lost;
    return true;
  }

  override linkClosed(): void {
    if (this.state === 'open' && !this.#rx.heir && !this.#rx.eof) this.homeLost = true;
    super.linkClosed();
  }

  protected waiting(): boolean {
    return this.#rx.waiting > 0;
  }

  protected ended(): void {
    this.#rx.eof = true;
    this.#rx.endGets(EOF);
    this.#puts.clear();
    this.#slots.clear();
    this.out.ready();
  }
}
