/**
 * Lock leases, the manager's side (the client's: client-lease.ts). A served plain Lock may be
 * leased to one connection: it then counts as held by that connection (`count` 1), though the
 * holder may have released it since, without telling. States, per lock:
 *
 * ```
 *   NONE --(a LEASE acquire takes it; nobody waits; the last grant went to the same connection,
 *     ^     `threshold` times in a row)--> LEASED(C) --(another call of the lock, or a Condition
 *     |                                       |         takes it: REVOKE sent to C)--> REVOKING(C)
 *     |                                       '-- C's connection ends: released --.        |
 *     '--- leaseBack(C, held): held -> an ordinary hold of C; free -> released <--'--------'
 * ```
 * While LEASED or REVOKING, every call of the lock from any connection (an acquire, `locked()`, a
 * release, a Condition's) waits here, in arrival order, and runs once the lease is back; a bounded
 * acquire's timeout counts from its arrival, and one that ran out meanwhile runs as a
 * non-blocking one. A lease back as held answers `locked()` true at once; back as free, the lock is
 * released and its waiters are served before the holder, which asks again like anyone.
 *
 * Leasing pays only while one connection takes the lock again and again: each revoke costs a
 * round trip more than an ordinary handover. So a lock whose lease was revoked needs twice as long
 * a run of grants to the same connection before it is leased again (up to {@link MAX_RUN}); a lock
 * two processes take in turn is thus never leased.
 */
import { startedWith, startOf, startsLater } from './call-start.js';
import type { Owner } from './wait-list.js';

/** Grants in a row to one connection before its first lease. */
const FIRST_RUN = 2;
/** The longest run asked for before a lease, after revokes. */
const MAX_RUN = 64;

/** Where a lease lives: the manager sends a connection REVOKE for object `id`. */
export interface LeaseHome {
  revoke(owner: Owner, id: number): void;
  /** Whether a connection other than `owner` pipelines writes of object `id` (writers.ts). */
  othersWrite?(id: number, owner: Owner): boolean;
}

/** A call of the lock waiting for its lease to come back. */
interface Waiting {
  readonly owner: Owner;
  /** Runs it; returns its start when it has not started yet (call-start.ts). */
  readonly run: () => Promise<unknown> | undefined;
}

/** One lock's lease: who holds it, and the calls waiting for it. */
export class LeaseBook {
  /** The connection the lock is leased to, or null. */
  holder: Owner | null = null;
  #revoking = false;
  #leasable = true;
  #home: { id: number; home: LeaseHome } | null = null;
  #last: Owner = 0;
  #run = 0;
  #threshold = FIRST_RUN;
  #waiting: Waiting[] = [];
  #draining = false;

  /** The lock is served as object `id` of `home`. */
  placed(id: number, home: LeaseHome): void {
    this.#home = { id, home };
  }

  /**
   * The lock was granted to `owner`; returns whether as a lease (`mayLease`: a LEASE acquire that
   * took a free lock).
   */
  granted(owner: Owner, mayLease: boolean): boolean {
    this.#run = owner === this.#last ? this.#run + 1 : 1;
    this.#last = owner;
    if (!mayLease || !this.#leasable || this.#draining || this.#home === null) return false;
    if (this.#run < this.#threshold) return false;
    this.holder = owner;
    return true;
  }

  /**
   * Runs `call` once the lease is back (asking for it if nobody has yet); resolves to what it
   * returns (a value, or a promise of one).
   */
  defer<T>(owner: Owner, call: () => T | Promise<T>): Promise<T> {
    let began: (p: Promise<unknown>) => void = () => {};
    const started = new Promise<unknown>((resolve) => (began = resolve));
    const answer: Promise<T> = new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        owner,
        run: () => {
          let value: T | Promise<T> | undefined;
          try {
            value = call();
            resolve(value);
          } catch (err) {
            reject(err);
          }
          const start = startedWith(answer, value);
          began(start);
          return startOf(value) === undefined ? undefined : start;
        },
      });
      this.#revoke();
    });
    // Not started until it runs (call-start.ts): its connection's next call waits for that.
    return startsLater(answer, started);
  }

  /** A lease {@link granted} could not go out after all (a data lease too big): none, backed off. */
  refused(): void {
    this.holder = null;
    this.#run = 0;
    this.#threshold = Math.min(this.#threshold * 2, MAX_RUN);
  }

  /** No lease from now on (a Condition uses the lock); one out is asked back. */
  stopLeasing(): void {
    this.#leasable = false;
    if (this.holder !== null) this.#revoke();
  }

  /**
   * `owner` gave the lease back (or its connection ended: `owner` is the holder then); false when
   * it is not the holder (a stale answer). The caller updates the lock, then calls {@link drain}.
   */
  back(owner: Owner): boolean {
    if (this.holder !== owner) return false;
    this.holder = null;
    this.#revoking = false;
    return true;
  }

  /**
   * Runs the calls that waited for the lease, in arrival order (none of them gets a lease), each
   * once the one before has started (a `locked()` answered after a poll is computed before a
   * release queued after it runs).
   */
  drain(): void {
    this.#draining = true;
    while (this.#waiting.length > 0) {
      const start = this.#waiting.shift()!.run();
      if (start !== undefined) {
        const next = () => this.drain();
        start.then(next, next);
        return;
      }
    }
    this.#draining = false;
  }

  /** The calls of `owner`, whose connection ended, never run (nobody reads their answers). */
  dropOwner(owner: Owner): void {
    if (this.#waiting.length > 0) this.#waiting = this.#waiting.filter((w) => w.owner !== owner);
  }

  #revoke(): void {
    if (this.#revoking || this.holder === null || this.#home === null) return;
    this.#revoking = true;
    this.#threshold = Math.min(this.#threshold * 2, MAX_RUN);
    this.#home.home.revoke(this.holder, this.#home.id);
  }
}
