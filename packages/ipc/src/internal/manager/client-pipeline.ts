/**
 * What a manager connection (client.ts) knows to pipeline its calls: which objects it holds by its
 * own count and which it is a registered writer of, and how many pipelined frames it sent and an
 * answer showed read.
 *
 * Pipelined calls save a round trip: they are written (tag QUIET, no answer) and resolve once the
 * frame is in the kernel (or, behind a full socket buffer, once it gets there). Later calls on
 * this socket run after them (FIFO). Two kinds:
 * - A release of a lock or semaphore this connection holds by its own count (acquires answered
 *   true minus releases sent): the manager's count for this owner is above 0 too, so it succeeds
 *   unless another owner released what this one holds (Python allows it for a plain Lock or
 *   Semaphore). A non-blocking acquire, `locked()` or a timeout that would find the lock held
 *   answers after one more poll of the manager's sockets (wait-list.ts, afterPoll), so a release
 *   followed by a signal on another channel (a Queue, an exit) is seen by the process it wakes.
 * - A write whose Python result is None and that the manager cannot refuse once the proxy has
 *   checked it (a dict's `set`/`update`, a list's `append`/`extend`, a Namespace's `set`), once
 *   this connection is registered as a writer of that object: its first write there is a round
 *   trip of tag WRITE. From then on, a frame of any other connection about that object waits one
 *   more poll (writers.ts), so a read that a signal on another channel caused sees the write.
 * A pipelined call that fails anyway comes back as LATE: a warning at once (MP_LATE_RELEASE or
 * MP_LATE_WRITE), and the manager rejects this connection's next answered call of that object
 * with it instead of running it. A process that ends right after a pipelined call loses nothing:
 * what the kernel had not taken is written at exit, in order (client-out.ts), and the manager reads
 * it before it sees the end of the socket.
 */
import { DataLeases } from './client-data-lease.js';
import { Leases } from './client-lease.js';
import { warnLate } from './client-warnings.js';
import { LEASED } from './rpc.js';

/** One connection's pipelining state. */
export class Pipelining {
  // Per object id: acquires answered true minus releases sent, by this connection.
  readonly #held = new Map<number, number>();
  // Object ids this connection is a registered pipelining writer of (writers.ts).
  readonly #writer = new Set<number>();
  // Pipelined frames sent, and how many of them a later answer showed read.
  #quietSent = 0;
  #quietRead = 0;
  /** The Locks leased to this connection (client-lease.ts). */
  readonly leases = new Leases();
  /** The dicts leased to this connection, with their replicas (client-data-lease.ts). */
  readonly data = new DataLeases();

  /** Pipelined frames sent so far: the answer of a request sent now shows them read. */
  get sent(): number {
    return this.#quietSent;
  }

  /** Pipelined frames no answer showed read yet (maybe lost when the connection breaks). */
  get unread(): number {
    return this.#quietSent - this.#quietRead;
  }

  /** Whether this connection is a registered writer of object `id` (its writes pipeline). */
  isWriter(id: number): boolean {
    return this.#writer.has(id);
  }

  /** Whether this connection holds object `id` by its own count (its release pipelines). */
  holds(id: number): boolean {
    return (this.#held.get(id) ?? 0) !== 0;
  }

  /** How many times this connection holds object `id` by its own count. */
  count(id: number): number {
    return this.#held.get(id) ?? 0;
  }

  /** A pipelined release of object `id` is sent: one hold fewer. */
  dropHold(id: number): void {
    const n = this.#held.get(id) ?? 0;
    if (n === 1) this.#held.delete(id);
    else this.#held.set(id, n - 1);
  }

  /** A leased lock held here becomes an ordinary hold (its lease was given back). */
  addHold(id: number): void {
    this.#held.set(id, (this.#held.get(id) ?? 0) + 1);
  }

  /** A pipelined frame is sent. */
  sentOne(): void {
    this.#quietSent++;
  }

  /** An answer came to a request sent after `quietBefore` pipelined frames: they were read. */
  read(quietBefore: number): void {
    if (quietBefore > this.#quietRead) this.#quietRead = quietBefore;
  }

  /**
   * A request succeeded with `value`: an acquire of object `holds` answered true counts as held, a
   * WRITE of object `writes` registers this connection as its writer (-1: neither); an acquire
   * answered LEASED holds a lease. Returns the value the caller gets (LEASED is true to it).
   */
  answered(holds: number, writes: number, value: unknown): unknown {
    if (holds >= 0 && value === LEASED) {
      this.leases.grant(holds);
      return true;
    }
    if (holds >= 0 && value === true) this.addHold(holds);
    if (writes >= 0) this.#writer.add(writes);
    return value;
  }

  /**
   * A pipelined call of object `id` failed (a release of what another owner had released, a write
   * the manager refused): said at once; the manager rejects this connection's next answered call
   * of it with the same error, and until then this connection pipelines nothing to it.
   */
  failedLate(id: number, buf: Buffer, start: number, end: number): void {
    this.#held.delete(id);
    this.#writer.delete(id);
    warnLate(buf, start, end);
  }

  /** No proxy of object `id` is left in this thread: what was kept of it for its calls goes. */
  forget(id: number): void {
    this.#writer.delete(id);
    this.data.forget(id);
  }

  /**
   * The connection died: nothing is held or written any more, and nothing is left unconfirmed (a
   * later error of its socket, such as the EPIPE of a write in flight, warns of no loss).
   */
  clear(): void {
    this.#held.clear();
    this.#writer.clear();
    this.leases.clear();
    this.data.clear();
    this.#quietRead = this.#quietSent;
  }
}
