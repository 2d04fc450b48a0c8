/**
 * Data leases, the manager's side (the client's: client-data-lease.ts): a served `dict` that one
 * connection keeps using, and no other touches, is leased to it with a copy of its entries (client-side
 * caching with invalidation, as NFS delegations or Redis client-side caching). The holder then
 * answers reads from its replica and sends every mutation here as before (pipelined, in order on
 * its one connection), applying it to the replica with this same code (served-dict.ts). States:
 *
 * ```
 *   NONE --(a call of tag LEASE from C; the last calls came from C, `threshold` in a row; no
 *     ^     other connection pipelines writes of it; every value plain, the entries <= LEASE_BYTES)
 *     |        --> LEASED(C): the call's answer has tag GRANTED and carries [result, entries]
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
import { jsonExact } from '../serialize.js';
import { ServedObject } from './served-data.js';
import type { ManagedDict } from './served-dict.js';
import { LeaseBook, type LeaseHome } from './served-lease.js';
import { MAY_LEASE, type Served } from './served-sync.js';
import type { Owner } from './wait-list.js';

/** The largest replica leased out: about this many bytes of entries, as JSON text would be. */
export const LEASE_BYTES = 64 * 1024;

/** A dict's methods that only read (a holder answers them from its replica). */
export const DICT_READS: ReadonlySet<string> = new Set([
  'get',
  'has',
  'keys',
  'values',
  'items',
  'len',
  'copy',
]);
/** A dict's methods that change it (a holder applies them to its replica and sends them here). */
export const DICT_WRITES: ReadonlySet<string> = new Set([
  'set',
  'update',
  'delete',
  'pop',
  'popitem',
  'setdefault',
  'clear',
]);

/**
 * Whether `v` is plain data: a primitive, or an object JSON gives back exactly. A replica holds
 * only such values, copied in and out (structured clone gives back the same), never an object the
 * manager decodes into one of its own (a proxy, a queue).
 */
export function isPlain(v: unknown): boolean {
  const t = typeof v;
  if (v === null || (t !== 'object' && t !== 'function' && t !== 'symbol')) return true;
  return t === 'object' && jsonExact(v);
}

/** The fewest bytes {@link sizeOf} gives an entry (an empty string key, then a value). */
const MIN_ENTRY_BYTES = 10;

/** About how many bytes `v` takes on the wire; Infinity when it is not plain. */
function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length + 5;
  if (typeof v !== 'object' || v === null) return 9;
  if (Array.isArray(v) && !jsonExact(v)) return v.reduce((n: number, x) => n + sizeOf(x), 5); // a tuple key
  return jsonExact(v) ? JSON.stringify(v).length + 5 : Number.POSITIVE_INFINITY;
}

/** Whether entries `items` may be leased: plain values, and no more than {@link LEASE_BYTES}. */
export function fitsLease(items: readonly (readonly [unknown, unknown])[]): boolean {
  let bytes = 0;
  for (const [k, v] of items) {
    bytes += sizeOf(k) + sizeOf(v);
    if (bytes > LEASE_BYTES) return false;
  }
  return true;
}

/** A call's result that also leases the object to its caller: the answer carries `items` too. */
export class Granted {
  readonly value: unknown;
  readonly items: [unknown, unknown][];
  readonly #undo: () => void;
  constructor(value: unknown, items: [unknown, unknown][], undo: () => void) {
    this.value = value;
    this.items = items;
    this.#undo = undo;
  }
  /** The answer could not be sent: the object is not leased after all. */
  undo(): void {
    this.#undo();
  }
}

/** A served dict that may be leased to one connection at a time. */
export class LeasedDict implements Served {
  readonly #dict: ManagedDict;
  readonly #served: ServedObject;
  readonly #lease = new LeaseBook();
  #place: { id: number; home: LeaseHome } | null = null;

  constructor(dict: ManagedDict) {
    this.#dict = dict;
    this.#served = new ServedObject(dict);
  }

  get referent(): object {
    return this.#dict;
  }

  leasedTo(): Owner | null {
    return this.#lease.holder;
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
    // Too many entries to fit, whatever they are: refused without copying them (a big dict would
    // pay a copy of every entry at each try, quadratic over a drain).
    if (this.#dict.len() > LEASE_BYTES / MIN_ENTRY_BYTES) {
      this.#lease.refused();
      return r;
    }
    const items = this.#dict.items();
    if (fitsLease(items)) return new Granted(r, items, () => this.#lease.refused());
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
