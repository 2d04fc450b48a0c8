/**
 * Whether a pool keeps the program alive: while it has work (a call waiting or running, a job out,
 * `join()` or `terminate()` under way) its Redis connections and timers are ref'd, as any pending
 * I/O is; while it is idle they are unref'd, so an idle pool never holds the program open, as the
 * contract says of every pool (a local pool's idle workers are unref'd alike). An idle pool goes on
 * heartbeating while the program runs for other reasons; a program that ends leaves its keys to
 * the workers, which delete them once its heartbeat has expired (`clientTtl`).
 */
import type { Redis } from 'ioredis';

/** What Node counts as keeping the event loop alive (a socket, a timer). */
interface Handle {
  ref(): unknown;
  unref(): unknown;
}

function apply(handle: Handle | null | undefined, held: boolean): void {
  if (handle) held ? handle.ref() : handle.unref();
}

export class Liveness {
  #held = false;
  readonly #clients = new Set<Redis>();
  readonly #timers = new Set<Handle>();

  /** Whether the pool's handles keep the program alive now. */
  get held(): boolean {
    return this.#held;
  }

  /** Refs every handle (`held`) or unrefs them. */
  set(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    for (const client of this.#clients) this.#applyClient(client);
    for (const timer of this.#timers) apply(timer, held);
  }

  /**
   * Follows `client`: its socket (a new one at each reconnection) and its reconnection timer,
   * which the driver makes after it says `reconnecting`.
   */
  client(client: Redis): void {
    if (this.#clients.has(client)) return;
    this.#clients.add(client);
    client.on('connect', () => this.#applyClient(client));
    client.on('reconnecting', () => process.nextTick(() => this.#applyClient(client)));
    client.once('end', () => this.#clients.delete(client));
    this.#applyClient(client);
  }

  /** Follows `timer` (a heartbeat, a watchdog) until {@link forget}; returns it. */
  timer<T extends Handle>(timer: T): T {
    this.#timers.add(timer);
    apply(timer, this.#held);
    return timer;
  }

  /** Stops following `timer` (cleared, or fired once). */
  forget(timer: Handle | undefined): void {
    if (timer) this.#timers.delete(timer);
  }

  #applyClient(client: Redis): void {
    const driver = client as unknown as { stream?: Handle; reconnectTimeout?: Handle | null };
    apply(driver.stream, this.#held);
    apply(driver.reconnectTimeout, this.#held);
  }
}
