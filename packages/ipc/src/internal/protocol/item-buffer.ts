/**
 * What a copy received and has not handed out yet, oldest first: items, and runs of JSON values
 * that arrived as one text (a port's `H_DATA_RUN`) and are parsed only when their first value is
 * taken. A consumer that falls behind a flood holds up to its read-ahead window here (thousands of
 * items); kept as texts, they are a few flat strings to the garbage collector instead of thousands
 * of live objects that every young-generation collection copies (measured: the consumer thread's
 * scavenges took 130-650 ms per 200k items while it held them as objects).
 *
 * It also knows which items were moved to this copy (the home kept no copy of them), which go back
 * to the home when the copy gives back what it holds. A run's values are JSON values the home kept
 * copies of, so none of them ever does.
 */
import { Deque } from '../deque.js';
import { type Item, wasMoved } from './item.js';

/** A run of `n` JSON values received as one JSON array text. */
class Run {
  text: string;
  values: unknown[] | null = null;
  at = 0;
  readonly n: number;

  constructor(text: string, n: number) {
    this.text = text;
    this.n = n;
  }
}

export class ItemBuffer {
  readonly #entries = new Deque<Item | Run>();
  readonly #moves: boolean;
  // Items that came with MOVED_TAG (a socket's sendBytes): returned, not dropped.
  readonly #movedHere = new Set<Item>();
  #length = 0;

  /** `moves`: this copy's link moves items to it (a pipe end over a port), see {@link wasMoved}. */
  constructor(moves: boolean) {
    this.#moves = moves;
  }

  /** Items held, those of unparsed runs included. */
  get length(): number {
    return this.#length;
  }

  /** Adds an item; `moved`: it came tagged as moved (the home kept no copy of it). */
  push(item: Item, moved = false): void {
    this.#entries.push(item);
    this.#length++;
    if (moved) this.#movedHere.add(item);
  }

  /** Adds a run of `n` values, `text` their JSON array, parsed when the first is taken; whether any. */
  pushRun(text: string, n: number): boolean {
    if (n <= 0) return false;
    this.#entries.push(new Run(text, n));
    this.#length += n;
    return true;
  }

  /**
   * Parses a run's JSON array `text` now and offers its values to `take`, in order, while it takes
   * them (waiting gets: the buffer is empty then); the rest is added as one run. Whether any is.
   */
  pushRunAfter(text: string, take: (item: Item) => boolean): boolean {
    const values = JSON.parse(text) as unknown[];
    let k = 0;
    while (k < values.length && take({ value: values[k] })) k++;
    if (k === values.length) return false;
    const run = new Run('', values.length);
    run.values = values;
    run.at = k;
    this.#entries.push(run);
    this.#length += values.length - k;
    return true;
  }

  /** Takes the oldest item (a run's value as a decoded item); undefined when empty. */
  shift(): Item | undefined {
    const e = this.#entries.peek();
    if (e === undefined) return undefined;
    this.#length--;
    if (!(e instanceof Run)) {
      this.#entries.shift();
      if (this.#movedHere.size > 0) this.#movedHere.delete(e);
      return e;
    }
    let values = e.values;
    if (values === null) {
      values = e.values = JSON.parse(e.text) as unknown[];
      e.text = '';
    }
    const value = values[e.at++];
    if (e.at >= e.n) this.#entries.shift();
    return { value };
  }

  /** Empties the buffer; returns the items moved to this copy, which go back to the home, oldest first. */
  drainMoved(): Item[] {
    const out: Item[] = [];
    for (const e of this.#entries.drain()) {
      if (!(e instanceof Run) && (this.#movedHere.has(e) || wasMoved(e, this.#moves))) out.push(e);
    }
    this.#movedHere.clear();
    this.#length = 0;
    return out;
  }
}
