/**
 * A copy of an object that lives at home, without I/O: the part every kind of copy shares (see
 * home-object.ts for the home side). It knows its state, asks the home questions answered by
 * sequence number (R_SYNC → H_SYNCED, and whatever a kind adds), and keeps its link holding the
 * program alive while an answer or an item is awaited.
 *
 * ```
 *   open ──close()──► closing ──link closed (the home ended it)──► gone
 *   open ──link closed (the home's thread or process ended)─────► gone
 * ```
 */
import type { Wait } from './home-copy.js';
import { EOF, type Item } from './item.js';

export type CopyState = 'open' | 'closing' | 'gone';

export interface CopyOptions {
  readonly maxsize: number;
  /** Puts wait for the home's answer (bounded and joinable queues): they block and count exactly. */
  readonly acked: boolean;
  /** Reads everything as it comes (a pipe end) rather than on demand (a queue, shared by consumers). */
  readonly eager: boolean;
  /** Its link moves items to it (a pipe end over a port): unused ones are returned. */
  readonly moves: boolean;
}

/** What a copy emits; the runtime turns these into link writes, promise settlements and refs. */
export interface CopyActions {
  send(op: number, a: number, b: number, body?: Item): void;
  /** A wait is over: a get's item, EOF or TIMEOUT (nothing at home); a put's, join's or sync's result. */
  settle(w: Wait, result: Item | symbol | boolean): void;
  /** Whether a wait is pending here: the link keeps the program alive while one is. */
  hold(on: boolean): void;
  /** Something changed for `wait()`/`poll()` listeners (an item or EOF arrived). */
  ready(): void;
  /**
   * An item was handed to a get: `total` consumed so far (mod 2^32); `first` since the last
   * report, so a report is due (flush at the end of the turn even if nothing else is sent);
   * `waited`: the get waited for it (it came in a frame), rather than found it here.
   */
  consumed(total: number, first: boolean, waited: boolean): void;
  /** Sends the frames sent so far now, rather than at the end of the turn. */
  flushNow(): void;
  /** A misuse found late, which no call can throw any more (a process warning). */
  warn?(message: string): void;
}

export abstract class CopyObject {
  state: CopyState = 'open';
  protected readonly out: CopyActions;
  readonly #asks = new Map<number, Wait>();
  #seq = 0;
  #held = false;

  constructor(out: CopyActions) {
    this.out = out;
  }

  /** Sends a frame (nothing once the link is gone). */
  protected send(op: number, a: number, b: number, body?: Item): void {
    if (this.state !== 'gone') this.out.send(op, a, b, body);
  }

  /** A new sequence number for a question to the home. */
  protected nextSeq(): number {
    return ++this.#seq;
  }

  /** Asks the home `op` (a = sequence); `w` settles with the answer (true once the link is gone). */
  ask(op: number, w: Wait, b = 0, body?: Item): number {
    if (this.state === 'gone') {
      this.out.settle(w, true);
      return 0;
    }
    const seq = this.nextSeq();
    this.#asks.set(seq, w);
    this.send(op, seq, b, body);
    this.hold();
    return seq;
  }

  /** The home answered question `seq` with `result`; false when nothing waited for it. */
  protected answer(seq: number, result: boolean): boolean {
    const w = this.#asks.get(seq);
    if (!w) return false;
    this.#asks.delete(seq);
    this.out.settle(w, result);
    this.hold();
    return true;
  }

  /** Ends every question still waiting with EOF (the copy closed, or its link went). */
  protected endAsks(): void {
    for (const w of this.#asks.values()) this.out.settle(w, EOF);
    this.#asks.clear();
  }

  /** The link is gone: the home ended it (after a close), or its thread or process ended. */
  linkClosed(): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    this.endAsks();
    this.ended();
    this.hold();
  }

  /**
   * Whether a get waiting here holds the link (keeps the program alive). Not for a copy whose home
   * is in this very thread: the home counts its gets as its own (they hold what could answer
   * them, and end with EOFError when nothing can), so they must not hold the program themselves.
   */
  waitsHold = true;

  /** Recomputes whether the link must keep the program alive. */
  protected hold(): void {
    const on = this.state !== 'gone' && (this.#asks.size > 0 || (this.waitsHold && this.waiting()));
    if (on !== this.#held) {
      this.#held = on;
      this.out.hold(on);
    }
  }

  /** Whether something besides a question waits here (a get). */
  protected abstract waiting(): boolean;
  /** The link went: end what waits here. */
  protected abstract ended(): void;
}
