/**
 * Which connections may have pipelined writes (client.ts) of each object still unread in their
 * sockets, and the rule that keeps Python's visibility guarantee with them.
 *
 * A connection pipelines writes to an object only after a round trip of tag WRITE has registered
 * it here as a writer of that object (so the manager knows before the first unanswered write can
 * exist), and stays registered until its socket closes (by then every frame it sent was read).
 * A frame about object X from connection R is run at once when no other connection is a writer of
 * X; else only after one more poll of the manager's sockets (wait-list.ts, afterPoll): a write that
 * another client finished (it is in the kernel) before it signalled R on any channel is then read
 * first. The frames of R that arrive meanwhile queue behind it, so each connection's order holds.
 */
import type { Owner } from './wait-list.js';

export class Writers {
  // Object id -> the connections registered as its pipelining writers.
  readonly #byObject = new Map<number, Set<Owner>>();

  /** Registers `owner` as a writer of object `id` that may send it unanswered writes. */
  add(id: number, owner: Owner): void {
    const set = this.#byObject.get(id);
    if (set === undefined) this.#byObject.set(id, new Set([owner]));
    else set.add(owner);
  }

  /** Whether a connection other than `owner` may have unread pipelined writes of object `id`. */
  othersOf(id: number, owner: Owner): boolean {
    const set = this.#byObject.get(id);
    return set !== undefined && (set.size > 1 || !set.has(owner));
  }

  /** A connection closed (all its frames were read): it is nobody's writer any more. */
  dropOwner(owner: Owner): void {
    for (const [id, set] of this.#byObject) {
      if (set.delete(owner) && set.size === 0) this.#byObject.delete(id);
    }
  }

  /** Object `id` was freed (no proxy refers to it): nobody writes it any more. */
  dropObject(id: number): void {
    this.#byObject.delete(id);
  }

  /** How many objects have writers registered (for the tests). */
  get size(): number {
    return this.#byObject.size;
  }

  clear(): void {
    this.#byObject.clear();
  }
}
