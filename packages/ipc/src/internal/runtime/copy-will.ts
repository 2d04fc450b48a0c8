/**
 * A copy's side of the will its home may leave it (will.ts, protocol/bequest.ts): whether anything
 * came over its link (then the link, not the will, says what the home left), what to do with the
 * will when the link closes, and how many items a will holds for it meanwhile (`qsize()` of a copy
 * whose home ended before its link said so).
 */
import { Op } from '../protocol/ops.js';
import type { Will } from '../protocol/will-heir.js';
import { countWillItems, hasWill, readWillAtClose } from './will.js';

export class CopyWill {
  readonly #path: string;
  #heard = false;
  #heir = false;

  /** @param path - where the home leaves this copy's will (willPath). */
  constructor(path: string) {
    this.#path = path;
  }

  /** A frame `op` came over the link: what the home has for this copy comes that way. */
  heard(op: number): void {
    this.#heard = true;
    if (op === Op.H_HEIR) this.#heir = true;
  }

  /** Whether the home left a will (a dialling copy then stops retrying). */
  exists(): boolean {
    return hasWill(this.#path);
  }

  /** The link closed: see {@link readWillAtClose}; true when the copy takes the will as H_HEIR. */
  atClose(inherit: (will: Will) => boolean): boolean {
    return readWillAtClose(this.#path, this.#heard, this.#heir, inherit);
  }

  /**
   * The items the will holds for this copy while its link has not closed yet: the home ended
   * (a will is written at its exit) before anything came over the link, so the will is what this
   * copy will get. Null when no will is there, or when frames came (the link says the rest).
   */
  items(): number | null {
    return this.#heard ? null : countWillItems(this.#path);
  }
}
