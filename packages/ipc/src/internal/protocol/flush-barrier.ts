/**
 * A JoinableQueue's flush barrier: what a join does first when the queue has copies in other
 * processes. Such a copy's `put()` resolves once its item is on its way (nothing is shared with the
 * home, so it cannot count the task itself, as a thread copy does in count.ts): the home counts
 * the task when the item arrives. Python's guarantee still holds: a `join()` that begins after a
 * put resolved (the joiner learned of it through any channel) waits for that item and its
 * `taskDone()`. Before a join looks at the count, the home asks each such copy, over the link its
 * puts travel on, to confirm (H_FLUSH); the copy answers (R_FLUSHED) behind everything it sent
 * before, so once every answer is in, every item put before the join began has arrived and counts.
 *
 * ```
 *   join ──► round: H_FLUSH seq to each copy reserved or open in another process
 *   R_FLUSHED seq (covers earlier rounds too) │ its link closed │ reservation released ──► done
 *   all done, or BARRIER_MS passed ──► the join looks at the count (and waits for it to be 0)
 * ```
 *
 * A reserved copy (on its way to a process) is asked once it connects. A copy from which nothing
 * came for {@link BARRIER_MS} while the round waited for its answer (its thread runs a long
 * synchronous loop, or it never connects) is passed over: what it put before any later send of its
 * thread on another link was handed to the kernel first (link/send-order.ts) and has been read
 * here meanwhile; items it put and still holds in this turn's batch count when they arrive. A copy
 * that keeps sending (a backlog its socket is still writing) is waited for. Each join runs its own
 * round: a round that began before it cannot vouch for puts made after its question arrived. With
 * no such copy (only thread copies, which count in shared memory) nothing is asked.
 */
import type { QueueCount } from './count.js';
import type { HomeActions, Wait } from './home-copy.js';
import { Op } from './ops.js';
import type { ReaderCopy } from './reader-copy.js';

/**
 * How long (ms) a join waits for a copy in another process that sends nothing to confirm what it
 * put, as long as a copy's synchronous question waits for its home (remote-sync.ts).
 */
export const BARRIER_MS = 1000;

interface Round {
  readonly seq: number;
  readonly waiting: Set<ReaderCopy>;
  /** The copies it waits for that sent a frame since its timer started. */
  readonly heard: Set<ReaderCopy>;
  readonly then: () => void;
}

/** The timer of one round: the runtime calls the home's `expire` with it after {@link BARRIER_MS}. */
export class BarrierTimer implements Wait {
  done = false;
  /** Set by the runtime: clears the timer (it holds the program alive while it runs). */
  stop: (() => void) | null = null;
  readonly round: Round;
  constructor(round: Round) {
    this.round = round;
  }
}

/** Whether a join must ask `c` first: a copy in another process (not a keeper's reservation). */
function remote(c: ReaderCopy): boolean {
  return !c.countsOwn && !c.keeper;
}

export class FlushBarrier {
  readonly #out: HomeActions;
  readonly #count: QueueCount;
  readonly #copies: () => Iterable<ReaderCopy>;
  readonly #rounds = new Map<Round, BarrierTimer>();
  #seq = 0;
  #remote = 0;

  constructor(out: HomeActions, count: QueueCount, copies: () => Iterable<ReaderCopy>) {
    this.#out = out;
    this.#count = count;
    this.#copies = copies;
  }

  /** Whether a join must ask copies first (one in another process is reserved or open). */
  get needed(): boolean {
    return this.#remote > 0;
  }

  /** A copy came (+1) or is gone (-1): the shared count says how many a join asks. */
  counted(c: ReaderCopy, delta: number): void {
    if (!remote(c)) return;
    this.#remote += delta;
    this.#count.setRemote(this.#remote);
    if (delta < 0) this.drop(c);
  }

  /** Runs `then` once every copy in another process confirmed what it put, or at once if none can have. */
  run(then: () => void): void {
    const waiting = new Set<ReaderCopy>();
    for (const c of this.#copies())
      if (remote(c) && (c.phase === 'open' || c.phase === 'reserved')) waiting.add(c);
    if (waiting.size === 0) {
      then();
      return;
    }
    this.#seq = (this.#seq + 1) >>> 0;
    const round: Round = { seq: this.#seq, waiting, heard: new Set(), then };
    const timer = new BarrierTimer(round);
    this.#rounds.set(round, timer);
    for (const c of waiting) if (c.phase === 'open') this.#out.send(c, Op.H_FLUSH, round.seq, 0);
    this.#out.startTimer(timer, BARRIER_MS, true);
  }

  /** A reserved copy connected: the rounds waiting for it ask it now (one question covers them all). */
  opened(c: ReaderCopy): void {
    let last = -1;
    for (const r of this.#rounds.keys()) if (r.waiting.has(c)) last = r.seq;
    if (last !== -1) this.#out.send(c, Op.H_FLUSH, last, 0);
  }

  /** A frame came from `c`: the rounds waiting for it wait on (it is not blocked). */
  heard(c: ReaderCopy): void {
    if (this.#rounds.size === 0) return;
    for (const r of this.#rounds.keys()) if (r.waiting.has(c)) r.heard.add(c);
  }

  /** `c` answered round `seq`, and with it every round that asked it before. */
  answered(c: ReaderCopy, seq: number): void {
    for (const r of [...this.#rounds.keys()]) {
      if (((seq - r.seq) | 0) >= 0 && r.waiting.delete(c) && r.waiting.size === 0) this.#end(r);
    }
  }

  /** A round's time is up: the copies it waits for that sent nothing meanwhile are passed over. */
  expire(t: BarrierTimer): void {
    if (t.done) return;
    const r = t.round;
    for (const c of [...r.waiting]) if (!r.heard.has(c)) r.waiting.delete(c);
    r.heard.clear();
    if (r.waiting.size === 0) this.#end(r);
    else this.#out.startTimer(t, BARRIER_MS, true); // the others are still sending: wait on
  }

  /** `c` closed (R_CLOSE came after what it put) or is gone (its link closed, or released unconnected). */
  drop(c: ReaderCopy): void {
    for (const r of [...this.#rounds.keys()]) if (r.waiting.delete(c) && r.waiting.size === 0) this.#end(r);
  }

  #end(r: Round): void {
    const t = this.#rounds.get(r);
    if (!t) return;
    t.done = true;
    t.stop?.();
    this.#rounds.delete(r);
    r.then();
  }
}
