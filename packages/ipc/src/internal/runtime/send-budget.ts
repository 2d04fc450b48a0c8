/**
 * A pipe's sender at home, bounded as Python's `send()` is by the OS pipe buffer: while what it
 * sent and its readers in other threads or processes have not taken yet (waiting here, in a port,
 * in the kernel or the socket's send pool) exceeds {@link SEND_BUDGET_BYTES}, a send blocks,
 * reading those readers' frames (their demand, their reports of what they took) from their ports
 * or sockets without yielding, until they took enough. Before, a sender looping without yielding
 * piled its messages up, copied, until it yielded (4096 x 64 KiB to a reader busy for 300 ms: 230
 * MiB of the parent's RSS).
 *
 * Unlike Python, a reader that takes nothing for {@link STALL_LIMIT_MS} is not waited for without
 * end (it may wait for this very thread's event loop: a queue homed here, a message this thread
 * sends later): the send goes on, and the next wait comes once twice as much waits, so a program
 * whose reader really is not reading yet pauses one limit per doubling. A reader that exists
 * nowhere yet, or only in this thread, or in a process that has not connected (its connection
 * waits for this thread's event loop), is not waited for.
 */
import { Deque } from '../deque.js';
import { flushBefore } from '../link/send-order.js';
import { sleepSync } from '../link/socket-read.js';
import type { Channel } from '../protocol/channel.js';
import type { ReaderCopy } from '../protocol/reader-copy.js';
import { type CopyLink, readCopyNow } from './catch-up.js';

/** What a pipe's sender may have sent that its readers elsewhere have not taken (bytes). */
export const SEND_BUDGET_BYTES = 8 * 1024 * 1024;
/** What one message costs beside its bytes, in the budget. */
export const MESSAGE_OVERHEAD_BYTES = 64;
/** The longest a send waits for a reader that takes nothing (ms); then it goes on. */
export const STALL_LIMIT_MS = 1000;

export class SendBudget {
  // The sizes of the messages sent that may not be taken yet, oldest first, and their sum.
  readonly #sizes = new Deque<number>();
  #bytes = 0;
  #limit = SEND_BUDGET_BYTES;
  #waiting = false;

  /** A message of about `bytes` went into `ch` (or straight to its reader); may block (see above). */
  sent(ch: Channel, bytes: number): void {
    const size = bytes + MESSAGE_OVERHEAD_BYTES;
    this.#sizes.push(size);
    this.#bytes += size;
    if (this.#bytes <= this.#limit || this.#waiting) return;
    this.#trim(ch);
    if (this.#bytes <= this.#limit) return;
    const readers = readable(ch);
    if (readers.length === 0) return;
    this.#waiting = true; // a send made while frames are handled does not wait inside this wait
    try {
      this.#wait(ch, readers);
    } finally {
      this.#waiting = false;
    }
  }

  // Forgets the oldest sizes beyond what `ch` still holds or has in flight: those were taken (a
  // pipe's messages are taken in order; other writers' messages only make this wait longer).
  #trim(ch: Channel): void {
    const left = ch.items.length + ch.inFlight;
    while (this.#sizes.length > left) this.#bytes -= this.#sizes.shift()!;
    if (this.#bytes <= SEND_BUDGET_BYTES) this.#limit = SEND_BUDGET_BYTES;
  }

  #wait(ch: Channel, readers: ReaderCopy[]): void {
    // What this thread sent on other links leaves first: a reader may wait for it.
    flushBefore(null);
    let left = ch.items.length + ch.inFlight;
    let deadline = performance.now() + STALL_LIMIT_MS;
    let pause = 0.02;
    while (this.#bytes > this.#limit && !ch.broken) {
      let heard = false;
      let open = false;
      for (const c of readers) {
        if (c.phase !== 'open') continue;
        open = true;
        if (readCopyNow(c, 0)) heard = true;
      }
      if (!open) return; // its readers closed or ended: nothing to wait for
      this.#trim(ch);
      const now = ch.items.length + ch.inFlight;
      if (now < left) {
        left = now;
        deadline = performance.now() + STALL_LIMIT_MS;
        pause = 0.02;
      } else if (performance.now() >= deadline) {
        this.#limit = 2 * this.#bytes; // it does not read yet: wait again once twice as much waits
        return;
      }
      if (heard)
        flushBefore(null); // what its frames made this side send (their items)
      else {
        sleepSync(pause);
        pause = Math.min(pause * 2, 1);
      }
    }
  }
}

// The open readers of `ch` whose frames can be read now: in another thread or process, connected.
function readable(ch: Channel): ReaderCopy[] {
  const out: ReaderCopy[] = [];
  for (const c of ch.readers) {
    const cl = c.link as CopyLink | null;
    if (c.phase === 'open' && cl !== null && !cl.here && !cl.link.closed) out.push(c);
  }
  return out;
}
