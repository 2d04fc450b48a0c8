/**
 * A home's synchronous answers (`getNowait()`, `get({ block: false })`, `poll()`, a copy's
 * `R_TRY`) given from what its copies in other threads already sent, also when the home's thread
 * has not yielded to its event loop since: Python's `get_nowait()` sees an item once `put()`
 * returned in the producer.
 *
 * A thread copy's frames wait in its port until this thread's loop delivers them; they are read
 * now with `receiveMessageOnPort` ({@link PortLink.readNow}), each port in order, so each sender's
 * items stay in order and each is handled once. A copy's batch leaves at the end of its turn, so
 * an item whose `put()` has returned may not be posted yet: the copy counts each item it sends in
 * its shared words first (`SENT`, count.ts), and while a copy has sent more than reached here and
 * the answer is still "nothing", the home waits for the rest, at most {@link CATCH_UP_MS}, reading
 * again at growing intervals (from 20 µs to 1 ms).
 */
import type { Link } from '../link/link.js';
import { PortLink } from '../link/port-link.js';
import { SocketLink } from '../link/socket-link.js';
import { SENT } from '../protocol/count.js';
import type { Endpoint, HomeCopy } from '../protocol/home-copy.js';

/**
 * The longest a synchronous answer at home waits for items a thread copy sent and has not posted
 * yet (ms): a worker whose code runs on without yielding after a put posts it only when it sends
 * again a millisecond later or yields. Below the 1 s a copy waits for the home's answer.
 */
export const CATCH_UP_MS = 200;

/** The runtime side of a copy: its link, whether it holds the program alive, its shared words. */
export interface CopyLink {
  readonly link: Link;
  held: boolean;
  /** A copy in this very thread: it runs only when something else runs, so it holds nothing alive. */
  readonly here: boolean;
  readonly shared: Int32Array | null;
  /**
   * A copy in another process that dialled this thread's broker: the token its will would be named
   * by (see HomeRuntime.flushSync); null for a port, a copy here, or a Listener's client.
   */
  readonly will: string | null;
  /** The items (R_PUT) that reached here from it, mod 2^32, against its `SENT` word. */
  received: number;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
let catchingUp = false;

/**
 * Reads what the thread copies of `endpoints` have posted, until `done()` holds or none has an
 * item on its way; waits for those on their way up to {@link CATCH_UP_MS}. Not reentrant: a
 * frame handled meanwhile that asks for it (another copy's `R_TRY`) is answered as things are.
 */
export function catchUp(endpoints: readonly Endpoint[], done: () => boolean): void {
  if (catchingUp || done()) return;
  catchingUp = true;
  try {
    let deadline = 0;
    let sleep = 0.02;
    for (;;) {
      let coming = false;
      for (const e of endpoints) {
        for (const c of e.copies) {
          const cl = c.link as CopyLink | null;
          if (cl === null || !(cl.link instanceof PortLink) || cl.link.closed) continue;
          cl.link.readNow();
          if (cl.shared !== null && ((Atomics.load(cl.shared, SENT) - cl.received) | 0) > 0) coming = true;
        }
      }
      if (!coming || done()) return;
      const now = performance.now();
      if (deadline === 0) deadline = now + CATCH_UP_MS;
      else if (now >= deadline) return;
      Atomics.wait(pause, 0, 0, sleep);
      sleep = Math.min(sleep * 2, 1);
    }
  } finally {
    catchingUp = false;
  }
}

/**
 * Handles the frames a copy has posted or put in the kernel and this thread's event loop has not
 * delivered, waiting up to `waitMs` (ms) for some (not for a copy in this very thread); whether
 * any came.
 */
export function readCopyNow(c: HomeCopy, waitMs: number): boolean {
  const cl = c.link as CopyLink | null;
  const link = cl?.link;
  if (cl?.here) waitMs = 0; // a copy in this thread sends nothing while this thread waits
  if (link instanceof SocketLink) return link.readNow(waitMs);
  if (!(link instanceof PortLink)) return false;
  const deadline = performance.now() + waitMs;
  for (let sleep = 0.02; !link.readNow(); sleep = Math.min(sleep * 2, 1)) {
    if (link.closed || performance.now() >= deadline) return false;
    Atomics.wait(pause, 0, 0, sleep);
  }
  return true;
}
