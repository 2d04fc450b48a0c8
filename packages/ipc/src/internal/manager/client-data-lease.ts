/**
 * Data leases, the client's side (the manager's: served-data-lease.ts): the dicts leased to this
 * connection, each with a replica of its entries, and how a dict's calls are answered from it.
 *
 * ```
 *   NONE --(a call of tag LEASE answered GRANTED [result, entries]; no other call of the dict
 *     ^     sent since that one)--> LEASED: reads answered by the replica; each mutation computed
 *     |                             by it (result or error as the manager's, the same code) and
 *     |                             sent QUIET, in order, as before
 *     '--- REVOKE, LATE, a call this side cannot answer (an argument that is not plain data, a
 *          method by name), a pool task's end, a normal end: the replica is dropped at once and
 *          `leaseBack` sent QUIET, after every write made under the lease
 * ```
 * - A grant that a later call of the same dict crossed (sent after the granting request, so the
 *   replica would miss it) is given back at once, unused ({@link DataLeases.grant}).
 * - Reads are copies: a value is copied in when written and out when read (structured clone,
 *   which gives plain data back exactly), so mutating either changes nothing in the replica.
 * - As for a leased Lock (client-lease.ts), at most LOCAL_RUN local answers come between two polls
 *   of this thread's sockets, so a REVOKE waiting there is read; a holder busy in a long
 *   synchronous computation answers a revoke only when its event loop turns.
 * - Once the connection is known dead (the manager shut down, its socket closed) a call rejects
 *   as any other; until this thread reads that the socket closed, a replica still answers (as a
 *   call sent meanwhile would fail only later).
 */
import type { Pipelining } from './client-pipeline.js';
import { refOf } from './referent.js';
import { LEASE_BACK, QUIET, requestFrame } from './rpc.js';
import { DICT_READS, DICT_WRITES, isPlain } from './served-data-lease.js';
import { ManagedDict } from './served-dict.js';

/** The replicas of the dicts leased to one connection, and what marks each call sent. */
export class DataLeases {
  readonly #replicas = new Map<number, ManagedDict>();
  // Per object id: the mark of the last call of it sent (a clock of calls sent).
  readonly #sent = new Map<number, number>();
  #clock = 0;
  /** Gives back a grant that came too late to be used (set by {@link DataCalls}). */
  onRefused: (id: number) => void = () => {};

  get size(): number {
    return this.#replicas.size;
  }

  /** The replica of object `id`, or undefined when it is not leased here. */
  replica(id: number): ManagedDict | undefined {
    return this.#replicas.size === 0 ? undefined : this.#replicas.get(id);
  }

  /** A call of object `id` is sent now: returns its mark. */
  touch(id: number): number {
    const mark = ++this.#clock;
    this.#sent.set(id, mark);
    return mark;
  }

  /**
   * The call of object `id` marked `mark` was answered GRANTED with `items`: the object is leased
   * here, unless another call of it was sent after that one (its effect would be missing here).
   */
  grant(id: number, mark: number, items: [unknown, unknown][]): void {
    if (this.#sent.get(id) !== mark || this.#replicas.has(id)) this.onRefused(id);
    else this.#replicas.set(id, new ManagedDict(items));
  }

  /** No proxy of `id` is left here: a grant of it that comes now is refused (given back). */
  forget(id: number): void {
    this.#sent.delete(id);
  }

  /** Drops the replica of `id`; returns whether there was one. */
  drop(id: number): boolean {
    return this.#replicas.delete(id);
  }

  ids(): number[] {
    return [...this.#replicas.keys()];
  }

  /** The connection died: nothing is leased any more. */
  clear(): void {
    this.#replicas.clear();
  }
}

/** A copy of `v` as the wire would make it (a replica's values are plain: see isPlain). */
const copy = (v: unknown): unknown => (typeof v === 'object' && v !== null ? structuredClone(v) : v);

/** Whether the arguments of `method` are plain data (a dict's keys are checked by its proxy). */
function plainArgs(method: string, args: readonly unknown[]): boolean {
  if (method === 'update') {
    const e = args[0];
    if (refOf(e) !== undefined) return false; // a proxy's entries are read by the manager (referent.ts)
    const values = Array.isArray(e) ? e.map((p) => (p as unknown[])[1]) : Object.values(e as object);
    return values.every(isPlain);
  }
  return args.length < 2 || isPlain(args[1]);
}

/** A connection's calls of the dicts leased to it: each answers here, or null (ask the manager). */
export class DataCalls {
  readonly #dead: () => Error | null;
  readonly #pipe: Pipelining;
  readonly #sendQuiet: (n: number) => Promise<unknown>;

  /**
   * @param dead - why the connection is over, or null while it works.
   * @param sendQuiet - writes the pipelined frame just encoded (`n` bytes, rpc.ts `encoded()`);
   *   settled once it is in the kernel.
   */
  constructor(dead: () => Error | null, pipe: Pipelining, sendQuiet: (n: number) => Promise<unknown>) {
    this.#dead = dead;
    this.#pipe = pipe;
    this.#sendQuiet = sendQuiet;
    pipe.data.onRefused = (id) => this.#sendBack(id);
  }

  /**
   * Call `method` of dict `id` with `args`: answered here while it is leased here, else null (the
   * lease is given back first when this side cannot answer it). `again` makes the call anew once
   * the loop has polled (after LOCAL_RUN local answers).
   */
  call(id: number, method: string, args: unknown[], again: () => Promise<unknown>): Promise<unknown> | null {
    const d = this.#pipe.data.replica(id);
    if (d === undefined) return null;
    const dead = this.#dead();
    if (dead) return Promise.reject(dead);
    const reads = DICT_READS.has(method);
    if ((!reads && !DICT_WRITES.has(method)) || !plainArgs(method, args)) {
      this.giveBack(id);
      return null;
    }
    const pipelined = method === 'set' || method === 'update'; // never answered, as before
    const leases = this.#pipe.leases;
    if (!pipelined && !leases.mayTakeNow()) return leases.polled().then(again); // a revoke may wait
    const run = d[method as 'get'] as (...a: unknown[]) => unknown;
    if (reads) {
      try {
        return Promise.resolve(copy(run.apply(d, args)));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    let n: number;
    let out: unknown;
    try {
      n = requestFrame(0, id, method, args, QUIET); // first: an argument that cannot be sent changes nothing
      out = copy(run.apply(d, args.map(copy)));
    } catch (err) {
      return Promise.reject(err);
    }
    const sent = this.#sendQuiet(n);
    return out === undefined ? sent.then(() => undefined) : sent.then(() => out);
  }

  /** The manager sent REVOKE for `id`; false when no dict of that id is leased here. */
  revoked(id: number): boolean {
    if (this.#pipe.data.replica(id) === undefined) return false;
    this.giveBack(id);
    return true;
  }

  /** Gives every lease back, the Locks' of `locks` too (a pool task's end, a normal end). */
  giveAllBack(locks: { giveAllBack(): void }): void {
    locks.giveAllBack();
    for (const id of this.#pipe.data.ids()) this.giveBack(id);
  }

  /** Drops the replica of `id` and gives its lease back, after every write made under it. */
  giveBack(id: number): void {
    if (this.#pipe.data.drop(id)) this.#sendBack(id);
  }

  #sendBack(id: number): void {
    void this.#sendQuiet(requestFrame(0, id, LEASE_BACK, [false], QUIET));
  }
}
