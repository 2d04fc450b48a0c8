/**
 * The manager server's waiters: FIFO, each with its owner (the client connection that asked) and
 * an optional timeout. One helper for every served primitive (locks, semaphores, events, queues).
 */

/** Who asked: one client connection (one thread or process). */
export type Owner = number;

/** A timeout as it travels in a request: ms, or -1 for no limit. */
export type WireTimeout = number;

interface Entry<T> {
  readonly owner: Owner;
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
  timer: NodeJS.Timeout | null;
}

export class WaitList<T> {
  readonly #entries: Entry<T>[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /** Waits for `wake()`; after `timeoutMs` (-1: never) resolves to `onTimeout()` instead. */
  wait(owner: Owner, timeoutMs: WireTimeout, onTimeout: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const e: Entry<T> = { owner, resolve, reject, timer: null };
      this.#entries.push(e);
      if (timeoutMs >= 0) {
        e.timer = setTimeout(() => {
          if (!this.#remove(e)) return;
          try {
            resolve(onTimeout());
          } catch (err) {
            reject(err);
          }
        }, timeoutMs);
        e.timer.unref(); // the client waiting for the answer keeps its own program alive
      }
    });
  }

  /** The owner of the first waiter, or undefined. */
  peek(): Owner | undefined {
    return this.#entries[0]?.owner;
  }

  /** Settles the first waiter with `v`; false when none waits. */
  wake(v: T): boolean {
    const e = this.#entries.shift();
    if (!e) return false;
    if (e.timer) clearTimeout(e.timer);
    e.resolve(v);
    return true;
  }

  /** Settles every waiter with `v` (or rejects each with `err`). */
  wakeAll(v: T, err?: unknown): void {
    for (const e of this.#entries.splice(0)) {
      if (e.timer) clearTimeout(e.timer);
      err === undefined ? e.resolve(v) : e.reject(err);
    }
  }

  /** Drops the waiters of an owner that is gone (nobody will read their answer); true if any. */
  dropOwner(owner: Owner): boolean {
    let dropped = false;
    for (const e of [...this.#entries]) {
      if (e.owner !== owner) continue;
      this.#remove(e);
      dropped = true;
    }
    return dropped;
  }

  has(owner: Owner): boolean {
    return this.#entries.some((e) => e.owner === owner);
  }

  #remove(e: Entry<T>): boolean {
    const i = this.#entries.indexOf(e);
    if (i < 0) return false;
    this.#entries.splice(i, 1);
    if (e.timer) clearTimeout(e.timer);
    return true;
  }
}
