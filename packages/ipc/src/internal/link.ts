/**
 * A link carries frames between a remote handle and the home of its object, in both directions.
 * The base class coalesces the frames sent during one tick into one batch (one `postMessage` or
 * one socket write), which is what makes small messages cheap; subclasses build and move batches.
 * Links are unref'd unless an operation is pending (`hold()`), so an idle queue or connection
 * never keeps a program alive.
 */
import type { Item } from './channel.js';
import type { FrameHandler } from './frames.js';

/** A batch this big is sent at once rather than at the end of the tick. */
const FLUSH_BYTES = 256 * 1024;

export abstract class Link {
  /** Receives every frame. */
  onFrame: FrameHandler = () => {};
  /** Called once when the link is gone (either side closed it, or the other side died). */
  onClose: () => void = () => {};
  /** Called just before a batch leaves, to append frames summarising it. */
  beforeFlush: (() => void) | null = null;
  #scheduled = false;
  #soon = false;
  #later = false;
  #holds = 0;
  #refd = false;
  #closed = false;
  #ending = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether frames sent now still go out (not closed, not finishing). */
  protected get sending(): boolean {
    return !this.#closed && !this.#ending;
  }

  send(op: number, a: number, b: number, payload?: Item): void {
    if (this.#closed || this.#ending) return;
    if (this.append(op, a, b, payload) >= FLUSH_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flushTick);
    }
  }

  /**
   * Flushes at the end of this turn even if nothing is sent (for what `beforeFlush` appends),
   * after the promise callbacks now queued have run, so that a send made in reply (an echo, the
   * next put) goes in the same batch, and before the thread can exit.
   */
  requestFlush(): void {
    if (this.#scheduled || this.#soon || this.#closed || this.#ending) return;
    this.#soon = true;
    queueMicrotask(this.#flushSoon);
  }

  /**
   * Flushes once the event loop has handled the I/O waiting now (setImmediate), for reports that
   * may wait: one per loop turn rather than one per message received.
   */
  requestFlushLater(): void {
    if (this.#later || this.#closed || this.#ending) return;
    this.#later = true;
    setImmediate(this.#flushLater);
  }

  #flushLater = (): void => {
    this.#later = false;
    if (!this.#scheduled) this.flush();
  };

  // A tick queued from a microtask runs once every microtask has: after the caller's reply.
  #flushSoon = (): void => {
    this.#soon = false;
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushTick);
  };

  #flushTick = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** Sends the frames collected so far now. */
  flush(): void {
    if (this.#closed) return;
    this.beforeFlush?.();
    const batch = this.takeBatch();
    if (batch !== null) this.write(batch);
  }

  /** Keeps the program alive while an operation waits on this link. */
  hold(): void {
    if (this.#holds++ === 0 && !this.#refd && !this.#closed) {
      this.#refd = true;
      this.setRef(true);
    }
  }

  /**
   * Ends a hold; with none left the link stops keeping the program alive. A caller that goes on
   * waiting (the next recv() of a loop) holds it again before the event loop looks.
   */
  release(): void {
    if (--this.#holds === 0 && this.#refd && !this.#closed) {
      this.#refd = false;
      this.setRef(false);
    }
  }

  /** Sends what is pending, then closes; the other side sees the close after every frame. */
  end(): void {
    if (this.#closed || this.#ending) return;
    this.flush();
    this.#ending = true;
    this.endTransport();
  }

  /**
   * Sends what is pending and nothing more; the other side closes the link once it has read
   * everything, so the close is an acknowledgement (a port closed from this side would report
   * 'close' here before the other side had read the last batch).
   */
  finish(): void {
    if (this.#closed || this.#ending) return;
    this.flush();
    this.#ending = true;
    this.finishTransport();
  }

  /** Whether written data is waiting for the transport (a producer should wait for `drained()`). */
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
  /** Signals "no more data" without closing (a stream half-closes; a port does nothing). */
  protected abstract finishTransport(): void;

  /** Subclasses call this once the transport is gone. */
  protected markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose();
  }
}
