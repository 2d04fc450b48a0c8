/**
 * Which served objects some proxy still refers to (Python's manager refcounts, `incref`/`decref`):
 * an object is freed once no thread or process holds a proxy of it and no copy of a proxy is on
 * its way to one. Holders are owners (client connections, and {@link LOCAL} for the proxies of the
 * thread serving the manager, which include those stored inside served objects: a proxy kept in a
 * dict keeps its object while the dict lives). A connection that ends holds nothing any more.
 *
 * Pins count the proxies sent and not yet taken up: each encoding of a proxy adds one (sent by the
 * sender before the value leaves it), each decoding that the receiver reports takes one. The two
 * reports come on different sockets, so a count may dip below 0 for a while; an object is freed
 * only with no holder and a count of exactly 0. A copy never decoded keeps its object (a leak, never
 * a premature free).
 */
import type { Owner } from './wait-list.js';

/** The owner standing for the proxies of the thread that serves the manager. */
export const LOCAL: Owner = 0;

/** The manager methods (object id 0, sent QUIET) by which a thread reports its proxies. */
export const INCREF = 'incref';
export const DECREF = 'decref';
export const PIN = 'pin';

export class ServedRefs {
  readonly #holders = new Map<number, Set<Owner>>();
  readonly #pins = new Map<number, number>();
  readonly #held = new Map<Owner, Set<number>>();
  readonly #free: (id: number) => void;

  /** `free(id)`: drop object `id`, nothing refers to it any more. */
  constructor(free: (id: number) => void) {
    this.#free = free;
  }

  /** Object `id` was just made for `owner`, which gets its first proxy. */
  created(id: number, owner: Owner): void {
    this.#add(owner, id);
  }

  /** `owner` holds proxies of `id` (again); `unpins` copies sent to it were taken up. */
  incref(owner: Owner, id: number, unpins: number): void {
    this.#add(owner, id);
    if (unpins !== 0) this.#pin(id, -unpins);
  }

  /** `owner` holds no proxy of `id` any more; `unpins` copies sent to it were taken up. */
  decref(owner: Owner, id: number, unpins: number): void {
    const holders = this.#holders.get(id);
    if (holders?.delete(owner)) this.#held.get(owner)?.delete(id);
    if (unpins !== 0) this.#pin(id, -unpins);
    else this.#check(id);
  }

  /** A copy of a proxy of `id` is on its way. */
  pin(id: number): void {
    this.#pin(id, 1);
  }

  /** `owner`'s connection ended: it holds nothing. */
  ownerGone(owner: Owner): void {
    const ids = this.#held.get(owner);
    if (ids === undefined) return;
    this.#held.delete(owner);
    for (const id of ids) {
      this.#holders.get(id)?.delete(owner);
      this.#check(id);
    }
  }

  /** How many objects some proxy refers to (for tests: the served objects besides the freed). */
  get size(): number {
    return this.#holders.size;
  }

  /**
   * Whether an owner other than {@link LOCAL} (another thread's, process's or program's connection)
   * holds some object, or a copy of a proxy is on its way to one (manager-life.ts).
   */
  get heldElsewhere(): boolean {
    for (const [owner, ids] of this.#held) if (owner !== LOCAL && ids.size > 0) return true;
    for (const n of this.#pins.values()) if (n > 0) return true;
    return false;
  }

  /** Reads a QUIET refcount call of `owner`: `[id, unpins]` pairs flattened. */
  report(owner: Owner, method: string, args: unknown[]): void {
    for (let i = 0; i + 1 < args.length; i += 2) {
      const id = args[i] as number;
      const n = args[i + 1] as number;
      if (!Number.isInteger(id) || !Number.isInteger(n)) continue;
      if (method === INCREF) this.incref(owner, id, n);
      else if (method === DECREF) this.decref(owner, id, n);
      else if (method === PIN) for (let k = 0; k < n; k++) this.pin(id);
    }
  }

  #add(owner: Owner, id: number): void {
    let holders = this.#holders.get(id);
    if (holders === undefined) this.#holders.set(id, (holders = new Set()));
    holders.add(owner);
    let ids = this.#held.get(owner);
    if (ids === undefined) this.#held.set(owner, (ids = new Set()));
    ids.add(id);
  }

  #pin(id: number, d: number): void {
    const n = (this.#pins.get(id) ?? 0) + d;
    n === 0 ? this.#pins.delete(id) : this.#pins.set(id, n);
    this.#check(id);
  }

  #check(id: number): void {
    const holders = this.#holders.get(id);
    if (holders !== undefined && holders.size > 0) return;
    if (this.#pins.has(id)) return;
    if (holders === undefined) return; // never tracked (or freed already)
    this.#holders.delete(id);
    this.#free(id);
  }
}
