/**
 * What a copy's receiver (receiver.ts) needs of its copy, and its gets whose time ran out while the
 * home may still send them an item. Such a get does not end at once: the copy tells the home
 * (R_SOFTEN, then R_SYNC `seq`) and the get ends empty at the answer (H_SYNCED `seq`) unless an item
 * came first, which it takes. The link keeps frames in order, so whatever the home sent for it before
 * it read R_SOFTEN arrives first: an item pushed for a get is always taken.
 *
 * Why: an item that arrived for a get already gone stayed here unused and went back to the front of
 * the queue at the next recall or give-back, after newer items of its producer had gone to this or
 * another consumer (a loan's holder claims them without asking the home, loan.ts). Python's
 * `get(timeout=)` may likewise return an item just at its deadline. A get ends at once when nothing
 * can be on its way for it (its demand is covered), when it is abandoned (the program would hang),
 * and, unanswered, `SYNC_ANSWER_MS` (1 s) after its time ran out (runtime/remote-handle.ts): a home
 * that does not answer that long may then send it an item late, to be held as read-ahead.
 */
import type { Wait } from './home-copy.js';
import type { Item } from './item.js';

/** What the receiver needs of its copy. */
export interface ReceiverHost {
  send(op: number, a: number, b: number, body?: Item): void;
  settle(w: Wait, result: Item | symbol | boolean): void;
  nextSeq(): number;
  isOpen(): boolean;
  hold(): void;
  ready(): void; // an item is here, or went to a waiting get or try: poll() and wait() are told (select())
  consumed(total: number, first: boolean, waited: boolean): void;
  /** Sends the frames sent so far now, rather than at the end of the turn. */
  flushNow(): void;
}

/** The gets whose time ran out and that wait for the home's answer, by its R_SYNC sequence. */
export class ExpiringGets {
  readonly #bySeq = new Map<number, Wait>();

  /** Whether `w` told the home already. */
  has(w: Wait): boolean {
    for (const x of this.#bySeq.values()) if (x === w) return true;
    return false;
  }

  /** `w` ends at the answer to R_SYNC `seq`; returns `seq`. */
  add(seq: number, w: Wait): number {
    this.#bySeq.set(seq, w);
    return seq;
  }

  /** The get that R_SYNC `seq` ends, if one does. */
  take(seq: number): Wait | undefined {
    const w = this.#bySeq.get(seq);
    this.#bySeq.delete(seq);
    return w;
  }

  /** How many of `getters` gets waiting are not expiring: those the copy asks items for. */
  asking(getters: number): number {
    for (const w of this.#bySeq.values()) if (!w.done) getters--;
    return getters;
  }

  clear(): void {
    this.#bySeq.clear();
  }
}
