/**
 * Data leases, the manager's side (the client's: client-data-lease.ts): a served `dict`,
 * Namespace or Value (data-kinds.ts) that one connection keeps using, and no other touches, is
 * leased to it with a copy of its state (client-side caching with invalidation, as NFS
 * delegations or Redis client-side caching). The holder then answers reads from its replica and
 * sends every mutation here as before (pipelined, in order on its one connection), applying it to
 * the replica with this same code (the replica is the same class). States:
 *
 * ```
 *   NONE --(a call of tag LEASE from C; the last calls came from C, `threshold` in a row; no
 *     ^     other connection pipelines writes of it; every value plain, the state <= LEASE_BYTES)
 *     |        --> LEASED(C): the call's answer has tag GRANTED, [result, kind, state]
 *     |     LEASED(C) --(another connection's call: held here, REVOKE sent to C)--> REVOKING(C)
 *     '--- leaseBack(C) (it follows every write C made, on the same FIFO socket), or C's
 *          connection ends: the held calls run, in arrival order --'
 * ```
 * The held calls wait in the same {@link LeaseBook} as a Lock's, with the same backoff: a revoke
 * doubles the run of calls a connection must make before the next lease (2, 4, ... 64), so two
 * processes taking turns soon stop trading it. A connection registered as a pipelining writer of
 * the dict (writers.ts) rules a lease out: its writes resolve before they reach the manager, so a
 * holder could not learn of them in time. Values that are not plain data (a proxy, a queue:
 * anything the manager decodes into an object of its own) rule it out too, so nothing the manager
 * keeps alive for a value changes, and reads of it still come from here.
 */
import { DATA_KINDS, type DataKind } from './data-kinds.js';
import { ServedObject } from './served-data.js';
import { LeaseBook, type LeaseHome } from './served-lease.js';
import { MAY_LEASE, type Served } from './served-sync.js';
import type { Owner } from './wait-list.js';

/**
 * A call's result that also leases the object to its caller: the answer carries the object's kind
 * (its typeid, data-kinds.ts) and the state its replica is made from.
 */
export class Granted {
  readonly value: unknown;
  readonly kind: string;
  readonly state: unknown;
  readonly #undo: () => void;
  constructor(value: unknown, kind: string, state: unknown, undo: () => void) {
    this.value = value;
    this.kind = kind;
    this.state = state;
    this.#undo = undo;
  }
  /** The answer could not be sent: the object is not leased after all. */
  undo(): void {
    this.#undo();
  }
}

/** A served dict, Namespace or Value that may be leased to one connection at a time. */
export class LeasedData implements Served {
  readonly #target: object;
  readonly #kind: string;
  readonly #of: DataKind;
  readonly #served: ServedObject;
  readonly #lease = new LeaseBook();
  #place: { id: number; home: LeaseHome } | null = null;

  /** `target` is served as `kind` (a key of DATA_KINDS: 'dict', 'Namespace', 'Value'). */
  constructor(kind: string, target: object) {
    this.#target = target;
    this.#kind = kind;
    this.#of = DATA_KINDS[kind]!;
    this.#served = new ServedObject(target);
  }

  placed(id: number, home: LeaseHome): void {
    this.#place = { id, home };
    this.#lease.placed(id, home);
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    const mayLease = args.length > 0 && args[args.length - 1] === MAY_LEASE;
    if (mayLease) args.pop();
    const holder = this.#lease.holder;
    if (holder !== null && holder !== owner)
      return this.#lease.defer(owner, () => this.invoke(method, args, owner));
    const r = this.#served.invoke(method, args);
    if (holder !== null) return r; // the holder's write: its replica made the same change
    const place = this.#place;
    const eligible = mayLease && place !== null && !place.home.othersWrite?.(place.id, owner);
    if (!this.#lease.granted(owner, eligible)) return r;
    const state = this.#of.state(this.#target);
    if (state !== undefined) return new Granted(r, this.#kind, state, () => this.#lease.refused());
    this.#lease.refused();
    return r;
  }

  leaseBack(owner: Owner): void {
    if (this.#lease.back(owner)) this.#lease.drain();
  }

  ownerGone(owner: Owner): void {
    this.#lease.dropOwner(owner);
    // Its writes were all read before its socket's end: the held calls see them.
    if (this.#lease.back(owner)) this.#lease.drain();
  }
}
