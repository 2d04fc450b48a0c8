/**
 * The pool's jobs in its BullMQ queue: signed submission (in call order, `outbox.ts`; the jobs
 * of one event-loop turn go in one `addBulk`), results and events read from the queue's event
 * stream (`events.ts`), cancellation, and the counts behind `stats()`.
 *
 * Jobs are removed from Redis as soon as they finish (`removeOnComplete`/`removeOnFail`); their
 * signed results travel in the `completed` event, which the pool reads from the stream's start,
 * so no event between creating the queue and the first read is missed. A large result comes as a
 * reference to its key (`HeldResult`), read once and deleted. Events read are trimmed from the
 * stream (`StreamTrim`), so Redis holds only what is in flight, not the pool's history. A job
 * removed behind the pool's back fails its call (`gone-jobs.ts`) instead of leaving it waiting.
 */
import type { CallOrder } from '@multiproc/core/internal';
import type { ConnectionOptions, JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AuthenticationError, RedisConnectionError } from '../errors.js';
import {
  closesWithin,
  cutConnections,
  debug,
  type ResolvedConnection,
  redisRefusal,
  releaseClosedSockets,
} from '../internal/connection.js';
import { fromErrorRecord } from '../internal/error-record.js';
import {
  failedJobError,
  HELD_ARGS_FORMAT,
  type HeldResult,
  INLINE_ARGS_MAX,
  isHeld,
  type JobData,
  type ResultPayload,
  resultKey,
  signJob,
  verifyBody,
  verifyHeld,
} from '../internal/protocol.js';
import type { Signer } from '../internal/signing.js';
import { decodeResult, undecodable, unpack, unpackBytes, WIRE_FORMAT } from '../internal/wire.js';
import { loadQueue } from './bullmq-queue.js';
import type { PoolEventSink } from './emitter.js';
import { dispatchEvent, EventReader, StreamTrim } from './events.js';
import { GoneJobs, removedJobError } from './gone-jobs.js';
import { type BulkJob, dropPayload, type JobSpec, type Pending, storePayloads, takeResult } from './held.js';
import type { Liveness } from './liveness.js';
import { Outbox } from './outbox.js';
import { ownError } from './own-error.js';

/** At most this many events stay in the queue's stream (those read are trimmed sooner). */
const EVENTS_MAX_LEN = 50_000;
/** How long closing BullMQ's connections may take before they are cut. */
const CLOSE_WAIT_MS = 3000;

export interface JobsOptionsIn {
  readonly connection: ResolvedConnection;
  readonly signer: Signer;
  readonly prefix: string;
  readonly queue: string;
  readonly attempts: number;
  readonly events: PoolEventSink;
  /** Keeps the program alive while the pool has work (its connections and timers follow it). */
  readonly liveness: Liveness;
  /** Called whenever a job is submitted or settles (the pool checks whether it is idle). */
  readonly onChange: () => void;
  /** The session's heartbeat, at once (`GoneJobsHost.confirm`). */
  readonly confirm: () => Promise<void>;
}

export class Jobs {
  readonly #o: JobsOptionsIn;
  readonly #pending = new Map<string, Pending>();
  #queue: Queue | undefined;
  /** The queue's client, once it connected. */
  #queueClient: Redis | undefined;
  #events: EventReader | undefined;
  readonly #outbox = new Outbox((batch) => this.#addJobs(batch));
  #active = 0;
  #drained = true;
  /** The events read, trimmed from the stream soon after. */
  #trim: StreamTrim | undefined;
  #gone: GoneJobs | undefined;
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
    const { prefix, queue, liveness } = this.#o;
    // Named as the pool's other connections (`multiproc:<queue>...`): CLIENT LIST tells whose it is.
    const connectionName = `multiproc:${queue}:queue`;
    const connection = { ...this.#o.connection.options, connectionName } as ConnectionOptions;
    const Queue = await loadQueue();
    const q = new Queue(queue, {
      connection,
      prefix,
      streams: { events: { maxLen: EVENTS_MAX_LEN } },
    });
    this.#queue = q;
    q.on('error', (error) => debug('bullmq: queue %s: %s', queue, error.message));
    const events = new EventReader(
      this.#o.connection,
      `multiproc:${queue}:events`,
      q.keys.events!,
      liveness,
      (event, id) => {
        this.#trim?.read(id);
        dispatchEvent(event, {
          completed: (jobId, returnvalue) => {
            const p = this.#pending.get(jobId);
            if (p) p.out = false; // a held result is read next: the job is gone, not removed
            if (isHeld(returnvalue)) void this.#fetch(jobId, returnvalue);
            else this.#completed(jobId, returnvalue);
          },
          failed: (jobId, reason) => this.#failed(jobId, reason),
          active: (jobId, active) => this.#setActive(jobId, active),
          stalled: (jobId) => {
            const p = this.#pending.get(jobId);
            if (p) this.#o.events.emit('stalled', { jobId, task: p.task });
          },
          progress: (jobId, data) => this.#message(jobId, data),
          removed: (jobId) => this.#removed(jobId),
        });
      },
    );
    this.#events = events;
    const trim = new StreamTrim(() => this.#client(), q.keys.events!, queue);
    this.#trim = trim;
    await Promise.all([q.waitUntilReady(), events.open()]);
    this.#gone = new GoneJobs({
      client: () => this.#client(),
      jobKey: (id) => q.toKey(id),
      eventsKey: q.keys.events!,
      out: () => [...this.#pending].flatMap(([id, p]) => (p.out ? [id] : [])),
      lastRead: () => trim.last,
      confirm: this.#o.confirm,
      gone: (id) => this.#removed(id),
    });
    this.#gone.start(liveness);
    const client = await this.#client();
    this.#queueClient = client;
    liveness.client(client);
    releaseClosedSockets(client);
  }

  /** A new call's order: no later call's job is added until {@link closeCall} (`outbox.ts`). */
  openCall(): CallOrder {
    return this.#outbox.open();
  }

  /** The call of `order` adds no more jobs: those of later calls may go. */
  closeCall(order: CallOrder): void {
    this.#outbox.close(order);
  }

  /** Adds a signed job in its call's place (`order`; none: as it comes); resolves with its result. */
  submit(spec: JobSpec, order?: CallOrder): Promise<ResultPayload> {
    const { signer, queue, attempts } = this.#o;
    // A large payload waits in its own key: BullMQ copies and parses a job's data as it hands the
    // job to a worker, with the job's lock already running.
    const held = spec.body.length > INLINE_ARGS_MAX ? spec.body : undefined;
    const fields = {
      kind: spec.kind,
      base: spec.base,
      msg: spec.onMessage !== undefined,
      mod: spec.mod,
      body: held ? '' : spec.body.toString('base64'),
    };
    const data: JobData = {
      v: held ? HELD_ARGS_FORMAT : WIRE_FORMAT,
      ...fields,
      ...(held ? { held: held.length } : {}),
      sig: signJob(signer, queue, spec.id, spec.task, fields, held),
    };
    const opts: JobsOptions = { jobId: spec.id, attempts, removeOnComplete: true, removeOnFail: true };
    return new Promise((resolve, reject) => {
      this.#pending.set(spec.id, {
        task: spec.task,
        onMessage: spec.onMessage,
        resolve,
        reject,
        held: held !== undefined,
        active: false,
      });
      this.#drained = false;
      this.#o.onChange();
      this.#outbox.send({ name: spec.task, data, opts, ...(held ? { held } : {}) }, order);
    });
  }

  /** Adds a batch to the queue, its large payloads stored first; a batch that fails rejects its jobs. */
  async #addJobs(batch: BulkJob[]): Promise<void> {
    try {
      if (batch.some((job) => job.held)) {
        const held = batch.flatMap((job) => (job.held ? [{ id: job.opts.jobId!, bytes: job.held }] : []));
        await storePayloads(await this.#client(), this.#o.prefix, this.#o.queue, held);
        // Jobs cancelled while their payload was stored are not added.
        batch = batch.filter((job) => this.#pending.has(job.opts.jobId!));
      }
      await this.#queue!.addBulk(batch.map(({ name, data, opts }) => ({ name, data, opts })));
      for (const job of batch) {
        const p = this.#pending.get(job.opts.jobId!);
        if (p && p.out === undefined) p.out = true; // false: its outcome was read already
      }
    } catch (error) {
      const failure =
        redisRefusal(error, `${batch.length} job(s) of this pool`, this.#o.connection.label) ?? error;
      for (const job of batch) this.#settle(job.opts.jobId!)?.reject(failure);
    }
  }

  /** Stops routing results of `ids`, removes those still waiting and asks workers to stop the others. */
  cancel(ids: readonly string[], publish: (ids: readonly string[]) => Promise<unknown>): void {
    // Jobs not added yet (held in call order, or of this turn) are simply not added.
    const live = ids.filter((id) => this.#settle(id) !== undefined);
    if (live.length === 0) return;
    publish(live).catch(() => {});
    for (const id of live) this.#queue?.remove(id).catch(() => {});
  }

  /** Rejects every pending job with a copy of `error` of its own. */
  failAll(error: unknown): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(ownError(error));
  }

  /**
   * Closes the connections: the event reader's at once (its blocking read cannot be asked to end),
   * the queue's by BullMQ. With Redis gone (`gone`, or when closing does not end within
   * {@link CLOSE_WAIT_MS}) the queue's client is cut instead, its pending commands failed: BullMQ's
   * `close()` would wait for a reconnection that may never come. So is a client down right now, or
   * dropping meanwhile (a blip): what it queued would reach Redis once back, after the cleanup.
   */
  async close(gone = false): Promise<void> {
    this.#trim?.stop();
    this.#gone?.stop();
    this.#events?.close();
    const closing = Promise.allSettled([this.#queue?.close()]);
    if (!gone && (await closesWithin(this.#queueClient, closing, CLOSE_WAIT_MS))) return;
    cutConnections([this.#queue]);
  }

  #settle(id: string): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    this.#pending.delete(id);
    this.#outbox.drop(id);
    if (p.active) this.#active--;
    if (p.held) dropPayload(this.#client(), this.#o.prefix, this.#o.queue, id);
    this.#checkDrained();
    this.#o.onChange();
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

  /** The queue's client (not the blocking one reading events). */
  async #client(): Promise<Redis> {
    return (await this.#queue!.getBackend().client) as unknown as Redis;
  }

  /** A result held in its own key: read, then deleted, then delivered as any other. */
  async #fetch(id: string, held: HeldResult): Promise<void> {
    const key = resultKey(this.#o.prefix, this.#o.queue, id);
    let bytes: Buffer | null = null;
    let failure: unknown;
    try {
      const client = await this.#client();
      if (!this.#pending.has(id)) {
        await client.del(key);
        return;
      }
      bytes = await takeResult(client, key);
    } catch (error) {
      failure = error;
    }
    const label = this.#o.connection.label;
    if (bytes === null) {
      this.#settle(id)?.reject(
        new RedisConnectionError(
          failure === undefined
            ? `The result of job ${id} is gone from Redis at ${label} before this pool read it: Redis ` +
                'evicted it (run Redis with maxmemory-policy noeviction) or was flushed.'
            : `Cannot read the result of job ${id} from Redis at ${label}: ${(failure as Error)?.message}.`,
          failure === undefined ? undefined : { cause: failure },
        ),
      );
      return;
    }
    const result = bytes;
    this.#completed(
      id,
      held,
      (s) => verifyHeld(s, this.#o.queue, id, held, result),
      () => unpackBytes(result),
    );
  }

  #completed(
    id: string,
    returnvalue: unknown,
    verify = (signer: Signer) => verifyBody(signer, 'result', this.#o.queue, id, returnvalue),
    decode = () => unpack((returnvalue as { body: string }).body),
  ): void {
    const p = this.#settle(id);
    if (!p) return;
    const { signer } = this.#o;
    if (!verify(signer)) {
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
    let error: unknown;
    try {
      result = decodeResult(decode());
      if (!result.ok) error = fromErrorRecord(result.error);
    } catch (cause) {
      p.reject(undecodable(`The result of job ${id} (${p.task})`, 'result', 'client', cause));
      return;
    }
    if (result.ok) {
      this.completed++;
      this.#o.events.emit('completed', { jobId: id, task: p.task });
    } else {
      this.failed++;
      this.#o.events.emit('failed', { jobId: id, task: p.task, error });
    }
    p.resolve(result);
  }

  #failed(id: string, reason: string): void {
    const p = this.#settle(id);
    if (!p) return;
    this.failed++;
    const error = failedJobError(id, p.task, reason);
    this.#o.events.emit('failed', { jobId: id, task: p.task, error });
    p.reject(error);
  }

  /** Job `id` was removed from Redis before it finished (`gone-jobs.ts`): it will never run. */
  #removed(id: string): void {
    const p = this.#settle(id);
    if (!p) return;
    this.failed++;
    const error = removedJobError(id, p.task, this.#o.connection.label);
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
