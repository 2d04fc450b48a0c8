/**
 * The order a pool starts its jobs in. Python's workers take every call's tasks off one FIFO queue,
 * and its task handler puts all of a call's tasks there before any of the next call's: a call's
 * tasks start before those of every call made after it. Here a `map` call sends its chunks a window
 * at a time (`stream.ts`: at most `inflight` out, the next as one ends), so its later chunks reach
 * the dispatcher after the calls made since. Two rules keep Python's order:
 *
 * - Each job has a {@link CallOrder}: its call's, shared by a `map` call's chunks, or one of its own
 *   given as it is submitted. The queue is kept by rank: a map's later chunk goes in front of the
 *   jobs of later calls, and jobs put back (a worker retired or died before starting them, or a
 *   busy worker's jobs taken back) go in front of those of their call and of every later one.
 * - While a `map` call over an input read synchronously (an array, a generator) still has chunks
 *   to send, it is open, and no job of a later call starts: the pool's workers run its chunks, and
 *   each that ends sends the next. An async input's chunks come as its items do, in no order with
 *   later calls (a read may even wait for one), so such a call is never open.
 *
 *   queue:  [a1 a2 | b1 c1 c2]     a open: b1 and what follows wait; a3 (sent as a1 ends) goes
 *                                  before b1; once a sent its last chunk, b1 may start
 *
 * `@multiproc/bullmq` holds its jobs back from its Redis queue with this class (`pool/outbox.ts`).
 */
import { JobQueue } from './job-queue.js';

/** Where a call's jobs stand among the others': `rank` in the order made. */
export interface CallOrder {
  readonly rank: number;
  /** Set while the call has chunks yet to send that go before later calls' jobs. */
  open: boolean;
}

/** A job as this queue orders it: its call's order is set by the time it is queued. */
export interface Ordered {
  order?: CallOrder | undefined;
}

export class OrderedJobs<T extends Ordered> {
  readonly #jobs = new JobQueue<T>();
  /** Open calls, by rank; a closed one is dropped once it is first. */
  readonly #open = new JobQueue<CallOrder>();
  #rank = 0;

  get size(): number {
    return this.#jobs.size;
  }

  /** A new call's order; `open`: it stays open until {@link close}d. */
  order(open = false): CallOrder {
    const order = { rank: ++this.#rank, open };
    if (open) this.#open.push(order);
    return order;
  }

  /** The call sends no more chunks: later calls' jobs may start. */
  close(order: CallOrder): void {
    order.open = false;
  }

  /** Queues `job` behind the jobs of its call and of earlier calls (a job of a new call: at the end). */
  push(job: T): void {
    const rank = (job.order ??= this.order()).rank;
    const last = this.#jobs.last();
    if (last === undefined || last.order!.rank <= rank) this.#jobs.push(job);
    else this.#jobs.insert([job], (queued) => queued.order!.rank > rank);
  }

  /** Puts back jobs taken off the queue: in front of their call's queued jobs and later calls'. */
  requeue(jobs: readonly T[]): void {
    // Last first: each goes in front of the one of its call put back after it.
    for (let j = jobs.length - 1; j >= 0; j--) {
      const job = jobs[j]!;
      const rank = (job.order ??= this.order()).rank;
      this.#jobs.insert([job], (queued) => queued.order!.rank >= rank);
    }
  }

  /** The first job, when it may start now: no call made before it is open. */
  ready(): T | undefined {
    const first = this.#jobs.peek();
    if (first === undefined) return undefined;
    for (let open = this.#open.peek(); open && !open.open; open = this.#open.peek()) this.#open.take();
    const limit = this.#open.peek()?.rank ?? Number.POSITIVE_INFINITY;
    return first.order!.rank <= limit ? first : undefined;
  }

  take(): T {
    return this.#jobs.take();
  }

  remove(job: T): boolean {
    return this.#jobs.remove(job);
  }

  drain(): T[] {
    return this.#jobs.drain();
  }
}
