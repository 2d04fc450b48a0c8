/**
 * The order in which this thread's links send: a link's pending batch (and its consumed-report)
 * leaves only after every batch that was pending before it began, so what a thread did reaches
 * the port or the kernel in the order it did it, however the batches are cut:
 *
 * - a worker that sends values on one pipe and then `'done'` on another, whose parent kills it on
 *   reading `'done'`, has posted the values already (a port's queue and a socket's kernel buffer
 *   outlive the sender);
 * - a worker that took an item from a queue and forwarded it on another link has reported the take
 *   first, so the home never reads the taker's death first and hands the item out again;
 * - a manager call (manager/client-out.ts) writes these batches before its frame: a worker that
 *   took items and then sets a manager `Event` has reported the take, so the parent it wakes reads
 *   the queue's `qsize()` without those items (CPython's `_TestQueue.test_put`).
 *
 * `pending` holds the links with something to send, oldest first. A link joins it at the end with
 * its first frame or its first unreported take, and leaves when its batch is written, after every
 * batch before it ({@link flushBefore}); `Link.flush()` then writes the batches after it too, at once,
 * so a worker killed between two writes loses as little as before. Batches never overlap in time:
 * a frame added to a link that others joined after ({@link keepOrder}) makes the batches pending
 * leave first, in order, and the frame starts a new batch at the end; unless those others hold
 * only a report of what they took: a report may leave early (what was taken is taken), so they
 * just move ahead of it, and a worker that takes and forwards item after item still writes one
 * batch per link per flush (its queue's report, then its forwards).
 *
 * What this cannot order: bytes a socket's kernel buffer did not take yet wait in the link's
 * writer (socket-writer.ts) while another link's may go to the kernel, and a line printed to
 * stdout travels apart from every link, so a parent that kills a worker on reading a line it
 * printed after a `get()` may see that item handed out again.
 */

/** A link as the order sees it. */
export interface Ordered {
  /** Sends its pending batch now (calls {@link leave}, after {@link flushBefore}). */
  flush(): void;
  /** Whether its pending batch holds frames (else at most a report, added as it leaves). */
  readonly framed: boolean;
  /** Whether it is in the order (kept by this module: a field, as a send asks every time). */
  inOrder: boolean;
}

const pending: Ordered[] = [];

/** `l` has something to send: it joins the order at the end, unless already in it. */
export function join(l: Ordered): void {
  if (l.inOrder) return;
  l.inOrder = true;
  pending.push(l);
}

/** `l` sent its batch (or closed): it leaves the order. */
export function leave(l: Ordered): void {
  if (!l.inOrder) return;
  l.inOrder = false;
  if (pending[0] === l) pending.shift();
  else pending.splice(pending.indexOf(l), 1);
}

/** Writes, oldest first, every batch pending before `l`'s (all of them when `l` is null or has none). */
export function flushBefore(l: Ordered | null): void {
  for (let first = pending[0]; first !== undefined && first !== l; first = pending[0]) {
    first.flush();
    leave(first); // it did (a closed link sends nothing)
  }
}

/**
 * A frame is about to join `l`'s batch: keeps batches from overlapping. Links that joined after
 * `l` with only a report move ahead of it; if any of them holds frames, every batch pending leaves
 * now (`l.flush()`), and the frame starts a new one at the end.
 */
export function keepOrder(l: Ordered): void {
  if (!l.inOrder || pending[pending.length - 1] === l) return;
  const at = pending.indexOf(l);
  for (let i = at + 1; i < pending.length; i++) {
    if (pending[i]!.framed) {
      l.flush();
      return;
    }
  }
  const later = pending.splice(at + 1);
  pending.splice(at, 0, ...later);
}
