/**
 * The one place that decides when a link's batch leaves. Frames sent during a turn wait for the
 * end of it, so many small messages share one `postMessage` or one socket write, unless the
 * sender's code runs on without yielding (Link.send):
 *
 * - `turn`: after the promise callbacks queued now have run (a microtask queues the flush as a
 *   tick), so a send made in reply (an echo, the next put) joins the same batch, and before the
 *   event loop moves on, so nothing waits for I/O that is not coming. Links that nothing waits on
 *   any more stop holding the program then, and port links may send at once again
 *   (PortLink.postNow): one microtask and one tick per turn for all of it, however many links;
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

/** Something told when the turn is over (a port link's once-per-turn send at once). */
export interface TurnWatcher {
  turnEnded(): void;
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

/**
 * The links due at the end of a turn. A ping-pong schedules a turn per message, so the lists are
 * reused rather than replaced: two arrays that trade places, their slots cleared as they are read.
 */
class TurnList<T> {
  #items: (T | undefined)[] = [];
  #n = 0;
  #spare: (T | undefined)[] = [];

  add(x: T): void {
    this.#items[this.#n++] = x;
  }

  /** Calls `f` on each item added so far, in order; items added meanwhile wait for the next run. */
  run(f: (x: T) => void): void {
    const items = this.#items;
    const n = this.#n;
    if (n === 0) return;
    this.#items = this.#spare;
    this.#n = 0;
    this.#spare = items;
    let i = 0;
    try {
      for (; i < n; i++) {
        const x = items[i] as T;
        items[i] = undefined;
        f(x);
      }
    } finally {
      for (; i < n; i++) items[i] = undefined; // a throw drops the rest, as it always did
    }
  }
}

const turn = new TurnList<Flushable>();
const released = new TurnList<Releasable>();
const watchers = new TurnList<TurnWatcher>();
let idle: Flushable[] = [];
let turnQueued = false;
let idleQueued = false;

const flushIt = (l: Flushable): void => l.flush();
const settleIt = (l: Releasable): void => l.settleRef();
const tellIt = (w: TurnWatcher): void => w.turnEnded();

const runTurn = (): void => {
  turnQueued = false;
  turn.run(flushIt);
  // A wait that ended and the next one that began in the same turn (a recv() loop) leave the
  // link as it was: no unref and ref again per message.
  released.run(settleIt);
  watchers.run(tellIt);
};
const queueTurn = (): void => process.nextTick(runTurn);
// Node's queueMicrotask() makes an AsyncResource and a bound function per call; a `then` on a
// promise settled once is a single reaction, and runs at the same place in the microtask queue.
// queueTurn never throws, so nothing is lost by not going through queueMicrotask's error report.
const settled = Promise.resolve();
const endTurnSoon = (): void => {
  if (turnQueued) return;
  turnQueued = true;
  void settled.then(queueTurn);
};

const runIdle = (): void => {
  idleQueued = false;
  const due = idle;
  idle = [];
  for (const l of due) l.flush();
};

/** Flushes `link` at the end of this turn. The caller tracks whether it is already due. */
export function flushAtTurnEnd(link: Flushable): void {
  turn.add(link);
  endTurnSoon();
}

/** Lets `link` stop keeping the program alive at the end of this turn, unless held again by then. */
export function releaseAtTurnEnd(link: Releasable): void {
  released.add(link);
  endTurnSoon();
}

/**
 * Calls `w.turnEnded()` at the end of this turn, with the flushes and releases due then (one
 * scheduled step for all of them, instead of a `nextTick` each). The caller tracks whether it is
 * already due.
 */
export function tellAtTurnEnd(w: TurnWatcher): void {
  watchers.add(w);
  endTurnSoon();
}

/** Flushes `link` once the event loop has handled the I/O waiting now. */
export function flushWhenIdle(link: Flushable): void {
  idle.push(link);
  if (idleQueued) return;
  idleQueued = true;
  setImmediate(runIdle);
}
