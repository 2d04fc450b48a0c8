/**
 * One pool this worker serves: a BullMQ `Worker` on the pool's queue. Stopping it comes in two
 * kinds: `detach` (the pool closed or vanished: its running jobs are cancelled) and `drain` (this
 * worker stops: running jobs may finish within the grace period, then go back to the queue).
 */
import { Worker as BullWorker, type ConnectionOptions, type Job } from 'bullmq';
import { cutConnections, debug } from '../internal/connection.js';
import { describeError, type StatusLog } from './log.js';
import { type ProcessorContext, processJob, type StopReason } from './processor.js';

/** Cancelled job ids are remembered this long, in case the cancel overtook the job's fetch. */
const CANCELLED_MEMORY_MS = 60_000;

export interface AttachmentOptions {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  readonly workerId: string;
  readonly concurrency: number;
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly maxStalledCount: number;
  readonly log: StatusLog;
  readonly context: Omit<
    ProcessorContext,
    'queue' | 'cancelled' | 'wasCancelled' | 'hold' | 'payload' | 'keepLock'
  >;
  /** Whether the pool of `queue` noted job `id` as cancelled in Redis. */
  readonly isCancelled: (queue: string, id: string) => Promise<boolean>;
  /** Stores the bytes of a large result of a job of `queue` (see `HeldResults`). */
  readonly hold: (queue: string, id: string, bytes: Buffer) => Promise<unknown>;
  /** Reads the bytes of a large payload of a job of `queue` (see `HeldResults`). */
  readonly payload: (queue: string, id: string) => Promise<Buffer | null>;
}

/**
 * BullMQ's worker, whose lock renewals keep a job's lock no shorter than {@link keepLock} asked:
 * they run on a timer and extend every lock to the lock duration, which would undo a longer
 * extension made for a large payload or result before the event loop is busy with it.
 */
class LockKeepingWorker extends BullWorker {
  #keepUntil = 0;

  /** Keeps `job`'s lock for `ms` from now (and renewals no shorter until then). */
  keepLock(job: Job, token: string, ms: number): Promise<void> {
    this.#keepUntil = Math.max(this.#keepUntil, Date.now() + ms);
    return job.extendLock(token, ms).then(() => {});
  }

  override extendJobLocks(jobIds: string[], tokens: string[], duration: number): Promise<string[]> {
    return super.extendJobLocks(jobIds, tokens, Math.max(duration, this.#keepUntil - Date.now()));
  }
}

export class Attachment {
  readonly queue: string;
  readonly #worker: LockKeepingWorker;
  readonly #cancelled = new Set<string>();
  #closing: Promise<void> | undefined;

  constructor(queue: string, o: AttachmentOptions) {
    this.queue = queue;
    const ctx: ProcessorContext = {
      ...o.context,
      queue,
      cancelled: this.#cancelled,
      wasCancelled: (id) => o.isCancelled(queue, id),
      hold: (id, bytes) => o.hold(queue, id, bytes),
      payload: (id) => o.payload(queue, id),
      keepLock: (job, token, busyMs) => this.#worker.keepLock(job, token, o.lockDuration + busyMs),
    };
    this.#worker = new LockKeepingWorker(
      queue,
      (job, token, signal) => processJob(ctx, job, token, signal!),
      {
        connection: o.connection,
        prefix: o.prefix,
        name: o.workerId,
        concurrency: o.concurrency,
        lockDuration: o.lockDuration,
        stalledInterval: o.stalledInterval,
        maxStalledCount: o.maxStalledCount,
      },
    );
    this.#worker.on('stalled', (job) => o.log.event('job stalled', { pool: queue, job, requeued: 'yes' }));
    this.#worker.on('error', (error) => debug('bullmq: worker on %s: %s', queue, describeError(error)));
  }

  /** Stops the given jobs if they run here, and refuses them if they start later. */
  cancel(ids: readonly string[]): void {
    for (const id of ids) {
      this.#cancelled.add(id);
      this.#worker.cancelJob(id, 'cancel' satisfies StopReason);
    }
    setTimeout(() => {
      for (const id of ids) this.#cancelled.delete(id);
    }, CANCELLED_MEMORY_MS).unref();
  }

  /** The pool is gone: cancel what runs and let go of the queue. */
  detach(): Promise<void> {
    this.#worker.cancelAllJobs('detach' satisfies StopReason);
    this.#closing ??= this.#worker.close();
    return this.#closing;
  }

  /** This worker stops: let running jobs finish for `graceMs`, then hand the rest back. */
  async drain(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const handBack = () => this.#worker.cancelAllJobs('handback' satisfies StopReason);
    if (graceMs <= 0) handBack();
    else timer = setTimeout(handBack, graceMs);
    this.#closing ??= this.#worker.close();
    try {
      await this.#closing;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Hands running jobs back at once (a second signal while draining). */
  handBack(): void {
    this.#worker.cancelAllJobs('handback' satisfies StopReason);
  }

  /**
   * Lets go of the queue without Redis (a stop past its deadline, Redis unreachable): the
   * connections are cut, so what `drain()` waits for fails; jobs still locked here run again on
   * another worker once their lock expires (BullMQ's stalled jobs).
   */
  abandon(): void {
    cutConnections([this.#worker]);
  }

  waitUntilReady(): Promise<void> {
    return this.#worker.waitUntilReady();
  }
}
