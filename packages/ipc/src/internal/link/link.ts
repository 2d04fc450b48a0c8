/**
 * A link moves frames between a copy and its home, in order, both ways; it knows nothing of what
 * they mean. Subclasses build and write batches ({@link PortLink}: one `postMessage`;
 * {@link SocketLink}: one socket write); the scheduler (scheduler.ts) decides when a batch leaves.
 * A link is unref'd unless something waits on it (`hold()`), so an idle queue or connection never
 * keeps a program alive.
 */
import type { Item } from '../protocol/item.js';
import type { FrameHandler } from '../protocol/ops.js';
import {
  BATCH_AGE_MS,
  CLOCK_EVERY,
  FLUSH_BYTES,
  flushAtTurnEnd,
  flushWhenIdle,
  QUIET_MS,
  releaseAtTurnEnd,
} from './scheduler.js';
import { flushBefore, join, keepOrder, leave, type Ordered } from './send-order.js';

// Links of this thread not closed yet (waiter.ts: a party at their other end may still act).
let open = 0;

/** How many links of this thread are open. */
export function openLinks(): number {
  return open;
}

export abstract class Link implements Ordered {
  /** Receives every frame. */
  onFrame: FrameHandler = () => {};
  /** Called before the frames of each received batch (the runtime reads its clock once per batch). */
  onBatch: () => void = () => {};
  /** Called once when the link is gone (either side ended it, or the other side died). */
  onClose: () => void = () => {};
  /** Called just before a batch leaves, to append frames summarising it (consumed-reports). */
  beforeFlush: () => void = () => {};
  /** @internal In this thread's send order (send-order.ts, which keeps it). */
  inOrder = false;
  #framed = false;
  // beforeFlush() runs: what it sends joins the batch leaving now.
  #flushing = false;
  #due = false;
  #idleDue = false;
  #holds = 0;
  #refd = false;
  #unrefDue = false;
  #closed = false;
  #ending = false;
  // Sends in the pending batch, when its first one was sent and the last clock reading at a send
  // (performance.now(), ms): what lets a send leave while the sender's code never yields.
  #count = 0;
  #batchAt = 0;
  #seenAt = Number.NEGATIVE_INFINITY;

  constructor() {
    open++;
  }

  /** @internal Whether the pending batch holds frames (send-order.ts). */
  get framed(): boolean {
    return this.#framed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether frames sent now still go out. */
  get sending(): boolean {
    return !this.#closed && !this.#ending;
  }

  /**
   * Adds a frame to the pending batch, which leaves at the end of the turn, or now when it is
   * past {@link FLUSH_BYTES}, when it is the first send after the link was quiet for
   * {@link QUIET_MS}, or when the batch is older than {@link BATCH_AGE_MS}: a sender whose code
   * never yields (a CPU-bound task reporting progress) still delivers each value about when it is
   * sent, while a flood still travels in batches of about a millisecond each.
   */
  send(op: number, a: number, b: number, payload?: Item): void {
    if (!this.sending) return;
    if (this.#flushing) {
      this.append(op, a, b, payload);
      return;
    }
    this.#addsFrame();
    if (this.append(op, a, b, payload) >= FLUSH_BYTES || this.#dueNow()) this.flush();
    else this.requestFlush();
  }

  // A frame joins the pending batch: after everything this thread sent before (send-order.ts).
  #addsFrame(): void {
    keepOrder(this);
    join(this);
    this.#framed = true;
  }

  // Whether the batch just added to leaves now: it is the first send after a quiet spell, or the
  // batch is past its age. The clock costs about a tenth of a send: it is read at the first
  // CLOCK_EVERY sends of a batch, then at every CLOCK_EVERY-th, a few dozen times per flood batch.
  #dueNow(): boolean {
    const n = ++this.#count;
    if (n > CLOCK_EVERY && n % CLOCK_EVERY !== 0) return false;
    const now = performance.now();
    const seen = this.#seenAt;
    this.#seenAt = now;
    if (n > 1) return now - this.#batchAt >= BATCH_AGE_MS;
    this.#batchAt = now;
    return now - seen >= QUIET_MS;
  }

  /** Flushes at the end of this turn, even if nothing is sent meanwhile (for `beforeFlush`). */
  requestFlush(): void {
    if (!this.sending) return;
    join(this);
    if (this.#due) return;
    this.#due = true;
    flushAtTurnEnd(this);
  }

  /** Flushes once the loop has handled the I/O waiting now (a report that may wait). */
  requestFlushWhenIdle(): void {
    if (!this.sending) return;
    join(this);
    if (this.#idleDue || this.#due) return;
    this.#idleDue = true;
    flushWhenIdle(this);
  }

  /**
   * Sends the frames collected so far now, after every batch of this thread pending before them;
   * the batches pending after them follow at once (a worker killed meanwhile loses less).
   */
  flush(): void {
    if (this.#readyToSend(false)) {
      const batch = this.takeBatch();
      if (batch !== null) this.write(batch);
    }
    flushBefore(null);
  }

  /**
   * A frame leaves now, written by the subclass with the pending batch: every batch of this
   * thread pending goes first (all are older than that frame), and this one's report joins it.
   * False when the link is closed.
   */
  protected startFlush(): boolean {
    return this.#readyToSend(true);
  }

  /** Sends every batch of this thread pending now, this one's too (before a message sent aside). */
  protected flushAll(): void {
    if (!this.startFlush()) return;
    const batch = this.takeBatch();
    if (batch !== null) this.write(batch);
  }

  // The pending batch may be taken: the batches before it (or all, with `all`) left, and the
  // report joined it. False when the link is closed.
  #readyToSend(all: boolean): boolean {
    this.#due = false;
    this.#idleDue = false;
    this.#count = 0;
    if (all) {
      keepOrder(this); // links after it now hold only reports (moved ahead of it), or it left first
      join(this);
    }
    flushBefore(this);
    leave(this);
    if (this.#closed) return false;
    this.#flushing = true;
    try {
      this.beforeFlush();
    } finally {
      this.#flushing = false;
    }
    this.#framed = false;
    return true;
  }

  /**
   * Sends a bytes item's frame (`kind` byte, then `bytes`) at once; false when this link cannot
   * (only a socket can). `borrowed`: `bytes` are the sender's memory, which the link does not keep
   * (false: they never change, so the link may hold them until written).
   */
  sendBytesNow(
    _op: number,
    _a: number,
    _b: number,
    _kind: number,
    _bytes: Uint8Array,
    _borrowed = true,
  ): boolean {
    return false;
  }

  /** Keeps the program alive while something waits on this link. */
  hold(): void {
    if (this.#holds++ === 0 && !this.#refd && !this.#closed) {
      this.#refd = true;
      this.setRef(true);
    }
  }

  /** Ends a hold; with none left the link stops keeping the program alive, at the end of the turn. */
  release(): void {
    if (--this.#holds === 0 && this.#refd && !this.#closed && !this.#unrefDue) {
      this.#unrefDue = true;
      releaseAtTurnEnd(this);
    }
  }

  /** @internal The scheduler: the turn is over; unref unless held again meanwhile. */
  settleRef(): void {
    this.#unrefDue = false;
    if (this.#holds === 0 && this.#refd && !this.#closed) {
      this.#refd = false;
      this.setRef(false);
    }
  }

  /** Sends what is pending, then ends the link: the other side sees the end after every frame. */
  end(): void {
    if (!this.sending) return;
    this.flush();
    this.#ending = true;
    this.endTransport();
  }

  /**
   * At exit, when the event loop will not run again: writes everything pending synchronously and,
   * with `until`, reads frames synchronously until it returns true, for at most `deadline` (a
   * `Date.now()` value). Returns false when it could not (the transport cannot, or time ran out).
   */
  abstract flushSync(deadline: number, until?: () => boolean): boolean;
  /** Whether written data waits for the transport (a producer should wait for `drained()`). */
  abstract needsDrain(): boolean;
  /** Resolves once the transport accepted what was written, or the link closed. */
  abstract drained(): Promise<void>;
  /** Adds a frame to the pending batch; returns the batch's size in bytes (about). */
  protected abstract append(op: number, a: number, b: number, payload?: Item): number;
  /** Hands over the pending batch (null when empty) and starts a new one. */
  protected abstract takeBatch(): unknown;
  protected abstract write(batch: unknown): void;
  protected abstract setRef(ref: boolean): void;
  protected abstract endTransport(): void;

  /** The pending batch, with the frames `beforeFlush` appends, for a synchronous write. */
  protected takeBatchNow(): unknown {
    return this.#readyToSend(false) ? this.takeBatch() : null;
  }

  /** Subclasses call this once the transport is gone. */
  protected markClosed(): void {
    leave(this);
    if (this.#closed) return;
    this.#closed = true;
    open--;
    this.onClose();
  }
}
