/**
 * The order a pool's jobs reach its BullMQ queue in, so that calls start in the order they were
 * made, by the local pool's rules (core's `job-order.ts`, whose queue this holds back with).
 *
 * BullMQ's wait list is FIFO: a job is added at one end and workers take from the other, so jobs
 * start in the order they were added. What could reorder calls happens before that:
 *
 * - A `map` sends its chunks a window at a time (the next as one ends), so its later chunks would
 *   be added after the jobs of calls made since. While a `map`/`starmap` over an input read
 *   synchronously (an array, a generator) has chunks to send, and while an `apply` waits to send
 *   its job, the call is open, and jobs of later calls wait here. An async input's chunks come as
 *   its items do (a read may even wait on a later call): such a call, and an `imap` (its consumer
 *   paces it), holds nothing up, and its chunks take their place as they are sent.
 * - Adding a batch with a large payload stores the payload first, a round trip: batches are added
 *   one at a time, in order (those made meanwhile go as one batch next).
 *
 * Once added, Redis keeps the order, with BullMQ's exceptions: a job taken back from a worker that
 * died (stalled) or is stopping goes to the front of the queue, and a job retried after its task
 * threw (the `attempts` option) to the back.
 *
 *   held here:  [b1 c1]     a (a map) open: b1, c1 wait; a's next chunk skips them, and goes on
 *   batch:      [a3]        as soon as added; once a sent its last chunk, b1 and c1 follow it
 */
import { type CallOrder, type Ordered, OrderedJobs } from '@multiproc/core/internal';
import type { BulkJob } from './held.js';

interface Outgoing extends Ordered {
  readonly job: BulkJob;
}

/** Adds a batch of jobs to the queue; settles the jobs itself when that fails (never rejects). */
export type AddJobs = (batch: BulkJob[]) => Promise<void>;

export class Outbox {
  readonly #add: AddJobs;
  readonly #held = new OrderedJobs<Outgoing>();
  /** The jobs held by an open call, by id. */
  readonly #waiting = new Map<string, Outgoing>();
  /** The next batch to add, by id, in order. */
  #batch = new Map<string, BulkJob>();
  #adding = false;

  constructor(add: AddJobs) {
    this.#add = add;
  }

  /** The order of a call whose later calls wait until it is {@link close}d (it sent all it sends). */
  open(): CallOrder {
    return this.#held.order(true);
  }

  close(order: CallOrder): void {
    if (!order.open) return;
    this.#held.close(order);
    this.#release();
  }

  /** Sends `job` once no call made before `order`'s (a fresh order: now) is open. */
  send(job: BulkJob, order: CallOrder | undefined): void {
    const out: Outgoing = { job, order };
    this.#held.push(out);
    this.#waiting.set(job.opts.jobId!, out);
    this.#release();
  }

  /** Forgets the job `id` if it was not added yet (it will not be). */
  drop(id: string): void {
    if (this.#batch.delete(id)) return;
    const out = this.#waiting.get(id);
    if (out === undefined) return;
    this.#waiting.delete(id);
    // What follows it in the queue is of its call or a later one: held still, as it was.
    this.#held.remove(out);
  }

  /** Moves the jobs that may go now to the batch, and adds it unless a batch is being added. */
  #release(): void {
    for (let out = this.#held.ready(); out; out = this.#held.ready()) {
      this.#held.take();
      const id = out.job.opts.jobId!;
      this.#waiting.delete(id);
      this.#batch.set(id, out.job);
    }
    if (this.#batch.size === 0 || this.#adding) return;
    this.#adding = true;
    // After this turn: the jobs of one event-loop turn go in one batch.
    queueMicrotask(() => void this.#addAll());
  }

  async #addAll(): Promise<void> {
    try {
      while (this.#batch.size > 0) {
        const batch = [...this.#batch.values()];
        this.#batch = new Map();
        await this.#add(batch);
      }
    } finally {
      this.#adding = false;
    }
  }
}
