/**
 * The one place that decides when a link's batch leaves. Frames sent during a turn wait for the
 * end of it, so many small messages share one `postMessage` or one socket write, unless the
 * sender's code runs on without yielding (Link.send):
 *
 * - `turn`: after the promise callbacks queued now have run (a microtask queues the flush as a
 *   tick), so a send made in reply (an echo, the next put) joins the same batch, and before the
 *   event loop moves on, so nothing waits for I/O that is not coming;
 * - `idle`: once the loop has handled the I/O waiting now (setImmediate), for reports that may
 *   wait: one per loop turn rather than one per chunk read;
 * - at once: a batch past {@link FLUSH_BYTES}, the first send after the link was quiet for
 *   {@link QUIET_MS}, a batch older than {@link BATCH_AGE_MS} with the next send, a value sent at
 *   once (port links), and at exit (synchronously, see exit.ts).
 */

/** What the scheduler flushes. */
export interface Flushable {
  flush(): void;
}

/** A link whose last hold ended: it stops keeping the program alive at the end of the turn. */
export interface Releasable {
  settleRef(): void;
}

/** A batch this big is sent at once rather than at the end of the turn. */
export const FLUSH_BYTES = 256 * 1024;
/**
 * A send to a link that sent nothing for this long (ms) leaves at once: a value sent now and then
 * from code that never yields (a CPU-bound task reporting progress) is not held until it yields.
 */
export const QUIET_MS = 1;
/** A batch older than this (ms) leaves with the next send, so a long synchronous flood streams. */
export const BATCH_AGE_MS = 1;
/** Link.send reads the clock at the first this-many sends of a batch, then at every this-many-th. */
export const CLOCK_EVERY = 16;

let turn: Flushable[] = [];
let released: Releasable[] = [];
let idle: Flushable[] = [];
let turnQueued = false;
let idleQueued = false;

const runTurn = (): void => {
  turnQueued = false;
  const due = turn;
  turn = [];
  for (const l of due) l.flush();
  // A wait that ended and the next one that began in the same turn (a recv() loop) leave the
  // link as it was: no unref and ref again per message.
  const free = released;
  released = [];
  for (const l of free) l.settleRef();
};
const queueTurn = (): void => process.nextTick(runTurn);

const runIdle = (): void => {
  idleQueued = false;
  const due = idle;
  idle = [];
  for (const l of due) l.flush();
};

/** Flushes `link` at the end of this turn. The caller tracks whether it is already due. */
export function flushAtTurnEnd(link: Flushable): void {
  turn.push(link);
  if (turnQueued) return;
  turnQueued = true;
  queueMicrotask(queueTurn);
}

/** Lets `link` stop keeping the program alive at the end of this turn, unless held again by then. */
export function releaseAtTurnEnd(link: Releasable): void {
  released.push(link);
  if (turnQueued) return;
  turnQueued = true;
  queueMicrotask(queueTurn);
}

/** Flushes `link` once the event loop has handled the I/O waiting now. */
export function flushWhenIdle(link: Flushable): void {
  idle.push(link);
  if (idleQueued) return;
  idleQueued = true;
  setImmediate(runIdle);
}
