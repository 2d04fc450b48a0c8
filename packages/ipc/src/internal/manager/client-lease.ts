/**
 * Lock leases, the client's side (lock caching; "biased locking" in JVMs): which manager Locks this
 * connection (one thread or process) holds a lease of, and whether it holds each one now.
 *
 * A proxy's acquire of a plain Lock goes with tag LEASE. When nobody else waits for the lock and the
 * same connection took it last time too (served-lease.ts decides), the manager answers LEASED: the
 * lock is held here, and the manager records it as leased to this connection. From then on this
 * connection acquires and releases it without a round trip:
 *
 * ```
 *            acquire (local)              REVOKE / a wait behind this thread's own hold
 *   FREE  ------------------>  HELD  ----------------------------------------------> (no lease,
 *     ^  <------------------           leaseBack(true): an ordinary hold, released    ordinary hold)
 *     |      release (local)           by a pipelined release as before
 *     '--- REVOKE: leaseBack(false) ----------------------------------------------> (no lease)
 * ```
 * - The manager sends REVOKE when another connection asks anything of the lock (acquire, `locked()`,
 *   release) or a Condition takes it; it runs those calls once the lease is back. The answer tells
 *   it whether the lock is held here, so `locked()` elsewhere is exact and nothing waits for a
 *   release to learn that.
 * - A REVOKE is read only when this thread's event loop polls its sockets, and a loop of awaited
 *   local pairs never returns to it (each resolves at once). So at most {@link LOCAL_RUN} local
 *   acquires are made between two polls: the next one waits for a poll first (two `setImmediate`
 *   turns, wait-list.ts afterPoll), and a revoke waiting in the socket is served before it. A
 *   remote asker thus waits for at most that many pairs here (plus the critical sections).
 * - While leased, nobody else can hold the lock: `locked()` and a non-blocking acquire answer here,
 *   and a release of a FREE lease raises LockError here, as the manager would.
 * - At a normal end (ENDS_NORMALLY) every lease is given back first, so a Lock held then stays held
 *   as in Python; a connection that ends otherwise loses its leases and the manager releases them.
 * - When the connection dies (the manager shut down or its program ended) its leases are forgotten:
 *   an acquire learns of the death like any other call. Until this thread reads that the socket
 *   closed, a local acquire still succeeds (as a call sent meanwhile would only fail later).
 */

import { LockError } from '@multiproc/shared';
import { ENDLESS, type PendingCalls, waitFor } from './client-calls.js';
import type { Pipelining } from './client-pipeline.js';
import { LEASE, LEASE_BACK, QUIET, REQUEST, requestFrame } from './rpc.js';
import { afterPoll } from './wait-list.js';
import type { ProxyRef } from './wire.js';

/** Local acquires of leased locks between two polls of this thread's sockets. */
export const LOCAL_RUN = 16;

/** Whether a leased lock is held by this connection now. */
export type LeaseState = 'free' | 'held';

/** One connection's leases, by object id. */
export class Leases {
  readonly #byId = new Map<number, LeaseState>();
  // Local acquires since the last poll of this thread's sockets.
  #run = 0;

  /**
   * Whether a local acquire may be made now: true at most {@link LOCAL_RUN} times between two
   * polls; after that, wait for {@link polled} and ask again.
   */
  mayTakeNow(): boolean {
    if (this.#run === 0) void afterPoll(() => (this.#run = 0));
    return ++this.#run <= LOCAL_RUN;
  }

  /** Resolves once this thread's event loop has polled its sockets again. */
  polled(): Promise<void> {
    return afterPoll(() => undefined);
  }

  /** The lease of object `id`, or undefined when this connection has none. */
  state(id: number): LeaseState | undefined {
    return this.#byId.size === 0 ? undefined : this.#byId.get(id);
  }

  /** An acquire was answered LEASED: held here, and leased. */
  grant(id: number): void {
    this.#byId.set(id, 'held');
  }

  /** A local acquire or release of a leased lock. */
  set(id: number, state: LeaseState): void {
    this.#byId.set(id, state);
  }

  /** Gives up the lease of `id`; returns whether it was held here. */
  drop(id: number): boolean {
    const held = this.#byId.get(id) === 'held';
    this.#byId.delete(id);
    return held;
  }

  /** Every leased object's id. */
  ids(): number[] {
    return [...this.#byId.keys()];
  }

  /** The connection died: nothing is leased any more. */
  clear(): void {
    this.#byId.clear();
  }
}

/** An acquire's `holds`: true for the object called, or the id its holds count by (a Condition's lock). */
export type Holds = boolean | number;

/** What a lock's calls need of a connection (client.ts; a proxy's deferred calls have no leases). */
export interface LockCaller {
  readonly leases?: LeaseCalls;
  readonly dead?: boolean;
  request(
    id: number,
    method: string,
    args: unknown[],
    holds?: Holds,
    wait?: number,
    tag?: number,
  ): Promise<unknown>;
}

/**
 * Acquires lock or semaphore `id` (`timeoutMs`, -1: no limit): here when it is leased here, else
 * at the manager; with `lease` (a plain Lock), the manager may lease it to this connection. `key`:
 * the id its holds are counted by when not `id` (a Condition's: its lock's, see {@link holdKey}).
 */
export function acquireLock(
  c: LockCaller,
  id: number,
  timeoutMs: number,
  lease: boolean,
  unbounded: boolean,
  key: number = id,
): Promise<boolean> {
  const local = c.leases?.acquire(id, timeoutMs, () => acquireLock(c, id, timeoutMs, lease, unbounded, key));
  if (local) return local;
  const holds = key === id ? true : key;
  const wait = unbounded ? ENDLESS : waitFor(timeoutMs);
  return c.request(id, 'acquire', [timeoutMs], holds, wait, lease ? LEASE : REQUEST) as Promise<boolean>;
}

/**
 * The id a connection counts its holds of `ref`'s object by: a Condition's are its lock's (taking
 * one takes the other), so `cond.acquire(); lock.release()` is known to be held here.
 */
export function holdKey(ref: ProxyRef): number {
  return ref.over === undefined ? ref.id : ref.over.id;
}

/** Whether lock `id` is held anywhere: answered here while it is leased here. */
export function isLocked(c: LockCaller, id: number): Promise<boolean> {
  return c.leases?.locked(id) ?? (c.request(id, 'locked', []) as Promise<boolean>);
}

const HELD: Promise<boolean> = Promise.resolve(true);
const NOT_HELD: Promise<boolean> = Promise.resolve(false);
const DONE: Promise<undefined> = Promise.resolve(undefined);

/** A connection's calls of the Locks leased to it: each answers here, or null (ask the manager). */
export class LeaseCalls {
  readonly #dead: () => Error | null;
  readonly #pipe: Pipelining;
  readonly #sendQuiet: (n: number) => void;
  readonly #calls: Pick<PendingCalls, 'waitsOn'> | undefined;

  /**
   * @param dead - why the connection is over, or null while it works.
   * @param sendQuiet - writes the pipelined frame just encoded (`n` bytes, rpc.ts `encoded()`).
   * @param calls - the connection's calls waiting for their answers.
   */
  constructor(
    dead: () => Error | null,
    pipe: Pipelining,
    sendQuiet: (n: number) => void,
    calls?: Pick<PendingCalls, 'waitsOn'>,
  ) {
    this.#dead = dead;
    this.#pipe = pipe;
    this.#sendQuiet = sendQuiet;
    this.#calls = calls;
  }
  /** No proxy of object `id` is left in this thread (client-refs.ts): its call state goes. */
  noProxyLeft(id: number): void {
    this.#pipe.forget(id);
  }

  // The lease of `id`, for a call answered here. While a call of it sent to the manager waits for
  // its answer, none: the lease goes back first, and this call goes after that one, in order.
  #state(id: number): LeaseState | undefined {
    const state = this.#pipe.leases.state(id);
    if (state === undefined || this.#calls?.waitsOn(id) !== true) return state;
    this.giveBack(id);
    return undefined;
  }

  /**
   * An acquire of lock `id` (`timeoutMs`, -1: no limit): answered here while it is leased here;
   * `again` makes the call anew once the loop has polled (after {@link LOCAL_RUN} local ones).
   */
  acquire(id: number, timeoutMs: number, again: () => Promise<boolean>): Promise<boolean> | null {
    const leases = this.#pipe.leases;
    const state = this.#state(id);
    if (state === undefined) return null;
    const dead = this.#dead();
    if (dead) return Promise.reject(dead);
    if (state === 'free') {
      if (!leases.mayTakeNow()) return leases.polled().then(again); // a revoke may wait in the socket
      leases.set(id, 'held');
      return HELD;
    }
    if (timeoutMs === 0) return NOT_HELD; // held here, and nobody else can hold it
    // A wait behind this thread's own hold: the lease becomes an ordinary hold, and this acquire
    // waits at the manager as any other (its deadlock detection included, stuck.ts).
    this.giveBack(id);
    return null;
  }

  /** `locked()` of lock `id`: while it is leased here, nobody else can hold it. */
  locked(id: number): Promise<boolean> | null {
    const state = this.#state(id);
    if (state === undefined) return null;
    const dead = this.#dead();
    if (dead) return Promise.reject(dead);
    return state === 'held' ? HELD : NOT_HELD;
  }

  /**
   * A release of lock `id`: free here while leased here, null when not leased here.
   * @throws {LockError} at once when it is leased here and not held (nobody else can hold it).
   */
  release(id: number): Promise<undefined> | null {
    const leases = this.#pipe.leases;
    const state = this.#state(id);
    if (state === undefined) return null;
    const dead = this.#dead();
    if (dead) return Promise.reject(dead);
    if (state === 'free') throw new LockError('Cannot release an unlocked Lock: acquire() it first.');
    leases.set(id, 'free');
    return DONE;
  }

  /** Whether this connection holds lock `key` now: by its own count of acquires, or leased and held. */
  holds(key: number): boolean {
    const pipe = this.#pipe;
    return pipe.holds(key) || pipe.leases.state(key) === 'held';
  }

  /** The manager sent REVOKE for `id` (unknown: given back already, that frame on its way). */
  revoked(id: number): void {
    if (this.#pipe.leases.state(id) !== undefined) this.giveBack(id);
  }

  /** Gives every lease back (before ENDS_NORMALLY). */
  giveAllBack(): void {
    for (const id of this.#pipe.leases.ids()) this.giveBack(id);
  }

  /** Gives the lease of lock `id` back (pipelined): held here, it becomes an ordinary hold. */
  giveBack(id: number): void {
    const pipe = this.#pipe;
    const held = pipe.leases.drop(id);
    if (held) pipe.addHold(id);
    this.#sendQuiet(requestFrame(0, id, LEASE_BACK, [held], QUIET));
  }
}
