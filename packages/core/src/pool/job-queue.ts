/**
 * The pool's FIFO of jobs waiting for a worker. Taking a job clears its slot at once (a taken map
 * chunk must not stay reachable from here: an endless imap would keep every chunk it ever sent),
 * and the cleared slots are spliced away only now and then, so taking is O(1).
 */
export class JobQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  last(): T | undefined {
    return this.size > 0 ? this.#items[this.#items.length - 1] : undefined;
  }

  take(): T {
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined;
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Puts `items` in front of the first queued item `before` is true of (at the end if none), in their order. */
  insert(items: readonly T[], before: (queued: T) => boolean): void {
    let at = this.#head;
    while (at < this.#items.length && !before(this.#items[at]!)) at++;
    this.#items.splice(at, 0, ...items);
  }

  remove(item: T): boolean {
    const at = this.#items.indexOf(item, this.#head);
    if (at !== -1) this.#items.splice(at, 1);
    return at !== -1;
  }

  /** Empties the queue; returns what it held. */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return items;
  }
}
