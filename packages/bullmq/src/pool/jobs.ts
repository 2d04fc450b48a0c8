/**
 * The pool's jobs in its BullMQ queue: signed submission (the jobs of one event-loop turn go in
 * one `addBulk`), results and events read from the queue's event stream (`QueueEvents`),
 * cancellation, and the counts behind `stats()`.
 *
 * Jobs are removed from Redis as soon as they finish (`removeOnComplete`/`removeOnFail`); their
 * signed results travel in the `completed` event, which the pool reads from the stream's start,
 * so no event between creating the queue and the first read is missed.
 */
import type { EventEmitter } from 'node:events';
import { ProcessError, WorkerCrashedError } from '@multiproc/core';
import type { ConnectionOptions, JobsOptions, Queue, QueueEvents } from 'bullmq';
import { AuthenticationError } from '../errors.js';
import { debug, type ResolvedConnection } from '../internal/connection.js';
import { fromErrorRecord } from '../internal/error-record.js';
import { type JobData, type JobKind, type ResultPayload, signJob, verifyBody } from '../internal/protocol.js';
import type { Signer } from '../internal/signing.js';
import { pack, unpack } from '../internal/wire.js';

/** Events kept in the queue's stream; results are read from it as they come. */
const EVENTS_MAX_LEN = 50_000;
/** How long closing BullMQ's connections may take before they are cut. */
const CLOSE_WAIT_MS = 3000;

export interface JobsOptionsIn {
  readonly connection: ResolvedConnection;
  readonly signer: Signer;
  readonly prefix: string;
  readonly queue: string;
  readonly attempts: number;
  readonly events: EventEmitter;
  /** Called whenever a job settles (the pool checks whether it has become idle). */
  readonly onSettle: () => void;
}

/** One job to submit. */
export interface JobSpec {
  readonly id: string;
  readonly task: string;
  readonly kind: JobKind;
  readonly base: number;
  readonly payload: unknown[];
  readonly onMessage: ((value: unknown) => void) | undefined;
}

interface Pending {
  readonly task: string;
  readonly onMessage: ((value: unknown) => void) | undefined;
  readonly resolve: (result: ResultPayload) => void;
  readonly reject: (error: unknown) => void;
  active: boolean;
}

interface BulkJob {
  name: string;
  data: JobData;
  opts: JobsOptions;
}

export class Jobs {
  readonly #o: JobsOptionsIn;
  readonly #pending = new Map<string, Pending>();
  #queue: Queue | undefined;
  #events: QueueEvents | undefined;
  #batch: BulkJob[] = [];
  #active = 0;
  #drained = true;
  completed = 0;
  failed = 0;

  constructor(options: JobsOptionsIn) {
    this.#o = options;
  }

  /** Jobs running on a worker. */
  get busy(): number {
    return this.#active;
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.#pending.size - this.#active;
  }

  /** Jobs submitted and not settled. */
  get size(): number {
    return this.#pending.size;
  }

  async open(): Promise<void> {
    const { prefix, queue } = this.#o;
    const connection = this.#o.connection.options as ConnectionOptions;
    // Loaded here, not at import: BullMQ takes a while to load, and meanwhile the pool connects.
    const { Queue, QueueEvents } = await import('bullmq');
    const q = new Queue(queue, {
      connection,
      prefix,
      streams: { events: { maxLen: EVENTS_MAX_LEN } },
    });
    const events = new QueueEvents(queue, { connection, prefix, lastEventId: '0' });
    this.#queue = q;
    this.#events = events;
    q.on('error', (error) => debug('bullmq: queue %s: %s', queue, error.message));
    events.on('error', (error) => debug('bullmq: events of %s: %s', queue, error.message));
    events.on('completed', ({ jobId, returnvalue }) => this.#completed(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.#failed(jobId, failedReason));
    events.on('active', ({ jobId }) => this.#setActive(jobId, true));
    events.on('waiting', ({ jobId, prev }) => prev === 'active' && this.#setActive(jobId, false));
    events.on('stalled', ({ jobId }) => {
      const p = this.#pending.get(jobId);
      if (p) this.#o.events.emit('stalled', { jobId, task: p.task });
    });
    events.on('progress', ({ jobId, data }) => this.#message(jobId, data));
    await Promise.all([q.waitUntilReady(), events.waitUntilReady()]);
  }

  /** Adds a signed job; resolves with the worker's verified result. */
  submit(spec: JobSpec): Promise<ResultPayload> {
    const { signer, queue, attempts } = this.#o;
    const body = pack(spec.payload);
    const fields = { kind: spec.kind, base: spec.base, msg: spec.onMessage !== undefined, body };
    const data: JobData = { v: 1, ...fields, sig: signJob(signer, queue, spec.id, spec.task, fields) };
    const opts: JobsOptions = { jobId: spec.id, attempts, removeOnComplete: true, removeOnFail: true };
    return new Promise((resolve, reject) => {
      this.#pending.set(spec.id, {
        task: spec.task,
        onMessage: spec.onMessage,
        resolve,
        reject,
        active: false,
      });
      this.#drained = false;
      if (this.#batch.push({ name: spec.task, data, opts }) === 1) queueMicrotask(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    this.#queue!.addBulk(batch).catch((error) => {
      for (const job of batch) this.#settle(job.opts.jobId!)?.reject(error);
    });
  }

  /** Stops routing results of `ids`, removes those still waiting and asks workers to stop the others. */
  cancel(ids: readonly string[], publish: (ids: readonly string[]) => Promise<unknown>): void {
    const live = ids.filter((id) => this.#settle(id) !== undefined);
    if (live.length === 0) return;
    // Jobs of this turn not added yet are simply not added.
    const dropped = new Set(live);
    this.#batch = this.#batch.filter((job) => !dropped.has(job.opts.jobId!));
    publish(live).catch(() => {});
    for (const id of live) this.#queue?.remove(id).catch(() => {});
  }

  /** Rejects every pending job with `error`. */
  failAll(error: unknown): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
  }

  /**
   * Closes BullMQ's connections. With Redis gone (`gone`, or when closing does not end within
   * {@link CLOSE_WAIT_MS}) their clients are disconnected instead: BullMQ's `close()` would wait
   * for a reconnection that may never come.
   */
  async close(gone = false): Promise<void> {
    const closing = Promise.allSettled([this.#events?.close(), this.#queue?.close()]);
    if (!gone) {
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        closing.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(resolve, CLOSE_WAIT_MS, false);
        }),
      ]);
      clearTimeout(timer);
      if (closed) return;
    }
    for (const owner of [this.#events, this.#queue]) {
      const backend = owner?.getBackend();
      for (const client of [backend?.client, backend?.blockingClient]) {
        void client?.then(
          (c) => c.disconnect(),
          () => {},
        );
      }
    }
  }

  #settle(id: string): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    this.#pending.delete(id);
    if (p.active) this.#active--;
    this.#checkDrained();
    this.#o.onSettle();
    return p;
  }

  /** piscina's `drain`: no job is waiting for a worker any more (some may still run). */
  #checkDrained(): void {
    if (this.#drained || this.queued > 0) return;
    this.#drained = true;
    this.#o.events.emit('drain');
  }

  #setActive(id: string, active: boolean): void {
    const p = this.#pending.get(id);
    if (!p || p.active === active) return;
    p.active = active;
    this.#active += active ? 1 : -1;
    if (!active) return;
    this.#o.events.emit('active', { jobId: id, task: p.task });
    this.#checkDrained();
  }

  #completed(id: string, returnvalue: unknown): void {
    const p = this.#settle(id);
    if (!p) return;
    const { signer, queue } = this.#o;
    if (!verifyBody(signer, 'result', queue, id, returnvalue)) {
      this.failed++;
      const error = new AuthenticationError(
        `The result of job ${id} (${p.task}) is not signed with this pool's secret: it was forged or ` +
          'altered in Redis, or a worker uses another secret. The result was discarded.',
      );
      this.#o.events.emit('failed', { jobId: id, task: p.task, error });
      p.reject(error);
      return;
    }
    let result: ResultPayload;
    try {
      result = unpack(returnvalue.body) as ResultPayload;
    } catch (error) {
      p.reject(new ProcessError(`The result of job ${id} could not be decoded.`, { cause: error }));
      return;
    }
    if (result.ok) {
      this.completed++;
      this.#o.events.emit('completed', { jobId: id, task: p.task });
    } else {
      this.failed++;
      this.#o.events.emit('failed', { jobId: id, task: p.task, error: fromErrorRecord(result.error) });
    }
    p.resolve(result);
  }

  #failed(id: string, reason: string): void {
    const p = this.#settle(id);
    if (!p) return;
    this.failed++;
    // Our workers return task errors as signed results; a job that fails in BullMQ itself lost its
    // worker more often than allowed (the stalled limit) or was refused by it.
    const error = new WorkerCrashedError(
      `Job ${id} (${p.task}) failed on the worker side: ${reason}. Its worker may have died ` +
        '(see the worker option --max-stalled-count).',
      { exitCode: null, signal: null },
    );
    this.#o.events.emit('failed', { jobId: id, task: p.task, error });
    p.reject(error);
  }

  #message(id: string, data: unknown): void {
    const p = this.#pending.get(id);
    if (!p?.onMessage) return;
    if (!verifyBody(this.#o.signer, 'message', this.#o.queue, id, data)) {
      debug('bullmq: dropped an unsigned message for job %s', id);
      return;
    }
    try {
      p.onMessage(unpack(data.body));
    } catch (error) {
      debug('bullmq: onMessage of job %s threw: %s', id, (error as Error).message);
    }
  }
}
