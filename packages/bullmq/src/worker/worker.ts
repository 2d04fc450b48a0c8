/**
 * A worker process of the BullMQ pool (what `multiproc-worker` runs): it registers itself, serves
 * every pool registered under its prefix and signed with its secret (one BullMQ `Worker` per
 * pool's queue), runs the jobs on a local multiproc `Pool`, and cleans up after pools whose client
 * vanished. Lifecycle: `starting` -> `running` -> `stopping` (jobs finish or go back) -> `stopped`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { cpuCount, Pool as LocalPool } from '@multiproc/core';
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  answers,
  createClient,
  cutClient,
  permissionError,
  resolveConnection,
  waitReady,
} from '../internal/connection.js';
import { decodeControl, queueOfMember, sweepQueue } from '../internal/control.js';
import { Keys, Registry } from '../internal/registry.js';
import { resolveSecret, Signer } from '../internal/signing.js';
import { Attachment } from './attachment.js';
import { type CatalogEntry, loadCatalog, parseTaskModule } from './catalog.js';
import { HeldResults } from './held.js';
import { joinPrefix } from './join.js';
import { CLOSE_WAIT_MS, closeWithin, sweepIfGone } from './leave.js';
import { describeError, type LogWriter, noteForeign, StatusLog } from './log.js';
import { checkWorkerOptions, type WorkerOptions } from './options.js';
import type { WorkerHandle } from './start.js';

type State = 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * How long a stop may go on past its grace period while Redis is up (jobs being handed back);
 * with Redis down it ends at the grace period (nothing can be handed back), at once on a second
 * signal.
 */
const STOP_MARGIN_MS = 5000;
/** Past the grace period, how long Redis has to answer a PING before the stop stops waiting on it. */
const ANSWER_WAIT_MS = 1000;

export class RemoteWorker implements WorkerHandle {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #o: ReturnType<typeof checkWorkerOptions> & { readonly concurrency: number };
  readonly #signer: Signer;
  readonly #conn: ReturnType<typeof resolveConnection>;
  readonly #log: StatusLog;
  /** Its entry in the registry (JSON: id, host, pid, concurrency, tasks), set once its tasks are known. */
  #member = '';
  readonly #attachments = new Map<string, Promise<Attachment | undefined>>();
  /** queue -> the pool's registry member, for the pools attached. */
  readonly #members = new Map<string, string>();
  /** Every detach under way (awaited by a stop). */
  readonly #leaving = new Set<Promise<void>>();
  /** Attachments letting their jobs finish while this worker stops (a second signal hands them back). */
  readonly #draining = new Set<Attachment>();
  /** Set by a second stop(): every attachment, draining now or later, hands its jobs back at once. */
  #handBack = false;
  /** Registry members of the live pools signed with another secret (already logged). */
  #foreign = new Set<string>();
  #registry!: Registry;
  #redis: Redis | undefined;
  #sub: Redis | undefined;
  #local: LocalPool | undefined;
  #held: HeldResults | undefined;
  #catalog = new Map<string, CatalogEntry>();
  #timer: NodeJS.Timeout | undefined;
  #state: State = 'starting';
  /** Aborted by stop(): a start under way ends at its next step (or wait) instead of serving. */
  readonly #abort = new AbortController();
  /** The start under way or done, settled either way (a stop waits for it to end). */
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** Ends a stop that cannot finish in order (Redis unreachable past the grace period). */
  #forceStop: (why: string) => void = () => {};
  #grace: number;
  readonly stopped: Promise<void>;
  #markStopped!: () => void;

  constructor(options: WorkerOptions, write: LogWriter) {
    const o = checkWorkerOptions(options);
    this.#o = { ...o, concurrency: o.concurrency ?? cpuCount() };
    this.#grace = this.#o.grace;
    this.#signer = new Signer(resolveSecret(options.secret, 'multiproc-worker'));
    this.#conn = resolveConnection(options.connection, 'multiproc-worker');
    this.#log = new StatusLog(write, this.#o.quiet);
    this.stopped = new Promise((resolve) => {
      this.#markStopped = resolve;
    });
  }

  get tasks(): readonly string[] {
    return [...this.#catalog.keys()];
  }

  /** Starts serving; resolves early, without serving, when stop() is called meanwhile. */
  async start(): Promise<void> {
    const starting = this.#start();
    this.#starting = starting.catch(() => {});
    try {
      await starting;
    } catch (error) {
      if (!this.#stopping) throw error; // a stop while starting is a stop, not a failure
    }
  }

  async #start(): Promise<void> {
    const o = this.#o;
    const check = () => this.#abort.signal.throwIfAborted();
    try {
      check();
      // Task modules first: a bad one fails the start whether or not Redis is up.
      const local = {
        context: o.context,
        ...(o.maxOldSpaceSize === undefined
          ? {}
          : { resourceLimits: { maxOldGenerationSizeMb: o.maxOldSpaceSize } }),
      };
      this.#local = new LocalPool({
        processes: o.concurrency,
        maxTasksPerChild: o.maxTasksPerChild,
        ...local,
      });
      // The start-up probe is no task of the user's: with a task cap per local worker it runs on a
      // pool of its own, so the first local worker still serves --max-tasks-per-child tasks.
      const probe = o.maxTasksPerChild ? new LocalPool({ processes: 1, ...local }) : this.#local;
      try {
        this.#catalog = await loadCatalog(probe, o.tasks.map(parseTaskModule));
      } finally {
        if (probe !== this.#local) await probe.terminate();
      }
      check();
      this.#redis = createClient(this.#conn, `multiproc-worker:${this.id}`);
      await waitReady(this.#redis, o.connectTimeout, this.#conn.label, '', undefined, this.#abort.signal);
      this.#registry = new Registry(this.#redis, new Keys(o.prefix));
      this.#held = new HeldResults(o.prefix, () => this.#client('results'));
      this.#sub = this.#client('sub');
      const { control, ping } = this.#registry.keys;
      this.#sub.on('message', (channel: string, text: string) => {
        if (channel === control) this.#onControl(text);
        else if (text === this.id && this.#state === 'running') void this.#beat().catch(() => {});
      });
      await this.#sub.subscribe(control, ping);
      check();
      const tasks = [...this.tasks].sort();
      const info = { id: this.id, host: hostname(), pid: process.pid, concurrency: o.concurrency, tasks };
      this.#member = JSON.stringify(info);
      const where = this.#conn.label;
      const joining = { id: this.id, member: this.#member, tasks, where, signer: this.#signer };
      await joinPrefix(this.#registry, {
        ...joining,
        ttlMs: o.ttl,
        log: this.#log,
        signal: this.#abort.signal,
      });
      check();
    } catch (error) {
      if (this.#stopping) throw error; // the stop releases what was opened
      await this.#release();
      throw permissionError(
        error,
        this.#conn.label,
        o.prefix,
        'the prefix option, --prefix of multiproc-worker',
      );
    }
    this.#state = 'running';
    this.#log.event('connected', {
      redis: this.#conn.label,
      prefix: o.prefix,
      worker: this.id,
      concurrency: o.concurrency,
      context: o.context ?? 'thread',
      tasks: this.tasks.join(','),
    });
    await this.#tick();
    if (this.#state === 'running') this.#timer = setInterval(() => void this.#tick(), o.ttl / 3);
  }

  /** Another connection to Redis, for `what` (`sub`, `results`). */
  #client(what: string): Redis {
    const client = this.#redis!.duplicate({ connectionName: `multiproc-worker-${what}:${this.id}` });
    client.on('error', () => {});
    return client;
  }

  #onControl(text: string): void {
    const message = decodeControl(text, this.#signer);
    if (!message || this.#state !== 'running') return;
    const queue = queueOfMember(message.pool, this.#signer);
    if (!queue) return;
    if (message.t === 'open') void this.#attach(message.pool);
    else if (message.t === 'close') void this.#detach(queue, 'pool closed');
    else void this.#attachments.get(queue)?.then((a) => a?.cancel(message.jobs));
  }

  /** Refreshes this worker's entry in the prefix's workers zset (also when pinged: it is alive). */
  #beat(): Promise<number> {
    return this.#registry.touch(this.#registry.keys.workers, this.#member, this.#o.ttl, true);
  }

  /** Heartbeat; serve new pools, leave vanished ones, and clean up after expired clients. */
  async #tick(): Promise<void> {
    if (this.#state !== 'running') return;
    const registry = this.#registry;
    const o = this.#o;
    try {
      await this.#beat();
      // Through `attach` (the pool must still live): a pool prunes a worker whose heartbeat came late.
      await Promise.all([...this.#members].map(([q, m]) => registry.attach(m, q, this.#member, o.ttl)));
      await registry.live(registry.keys.workers, true);
      const live = new Map<string, string>();
      const foreign = new Set<string>();
      for (const member of await registry.live(registry.keys.pools)) {
        const queue = queueOfMember(member, this.#signer);
        if (queue) live.set(queue, member);
        else foreign.add(member);
      }
      this.#foreign = noteForeign(this.#log, foreign, this.#foreign);
      const expired = new Map<string, string>();
      for (const member of await registry.expired(registry.keys.pools)) {
        const queue = queueOfMember(member, this.#signer);
        if (queue) expired.set(queue, member);
      }
      for (const member of live.values()) void this.#attach(member);
      for (const queue of this.#attachments.keys()) {
        if (!live.has(queue)) void this.#detach(queue, expired.has(queue) ? 'client gone' : 'pool closed');
      }
      for (const [queue, member] of expired) {
        if (!(await registry.claim(member))) continue;
        this.#log.event('pool expired', {
          pool: queue,
          cleanup: 'cancelling its jobs and deleting its keys',
        });
        void this.#detach(queue, 'client gone')
          .then(() => sweepQueue(this.#redis!, registry, queue))
          .catch(() => {});
      }
    } catch (error) {
      if (this.#state === 'running') this.#log.event('redis error', { error: describeError(error) });
    }
  }

  #attach(member: string): Promise<unknown> {
    const queue = queueOfMember(member, this.#signer);
    if (!queue || this.#attachments.has(queue) || this.#state !== 'running') return Promise.resolve();
    const o = this.#o;
    const attaching = (async () => {
      if (!(await this.#registry.attach(member, queue, this.#member, o.ttl))) return undefined;
      const attachment = new Attachment(queue, {
        connection: this.#conn.options as ConnectionOptions,
        prefix: o.prefix,
        workerId: this.id,
        concurrency: o.concurrency,
        lockDuration: o.lockDuration,
        stalledInterval: o.stalledInterval,
        maxStalledCount: o.maxStalledCount,
        log: this.#log,
        hold: (q, id, bytes) => this.#held!.hold(q, id, bytes, () => this.#registry.registered(member)),
        payload: (q, id) => this.#held!.payload(q, id),
        isCancelled: (q, id) =>
          this.#redis!.sismember(this.#registry.keys.cancelled(q), id).then(
            (n) => n === 1,
            () => false,
          ),
        context: {
          signer: this.#signer,
          catalog: this.#catalog,
          local: this.#local!,
          log: this.#log,
          maxOldSpaceSize: o.maxOldSpaceSize,
        },
      });
      this.#members.set(queue, member);
      this.#log.event('attached', { pool: queue });
      return attachment;
    })().catch((error) => {
      this.#log.event('redis error', { pool: queue, error: describeError(error) });
      this.#attachments.delete(queue);
      return undefined;
    });
    this.#attachments.set(queue, attaching);
    return attaching;
  }

  /** Lets go of `queue`: at once (its pool is gone), or within `graceMs` (this worker stops). */
  #detach(queue: string, why: string, graceMs?: number): Promise<void> {
    const leaving = this.#leave(queue, why, graceMs).finally(() => this.#leaving.delete(leaving));
    this.#leaving.add(leaving);
    return leaving;
  }

  async #leave(queue: string, why: string, graceMs?: number): Promise<void> {
    const attaching = this.#attachments.get(queue);
    if (!attaching) return;
    this.#attachments.delete(queue);
    const attachment = await attaching;
    if (!attachment) return;
    const member = this.#members.get(queue);
    this.#members.delete(queue);
    if (graceMs === undefined) {
      if (!(await closeWithin(attachment))) {
        this.#log.event('detach forced', {
          pool: queue,
          why: `its queue did not close within ${CLOSE_WAIT_MS} ms (Redis restarted under its jobs?): its connections were cut`,
        });
      }
    } else {
      this.#draining.add(attachment);
      if (this.#handBack) attachment.handBack();
      await attachment.drain(graceMs);
      this.#draining.delete(attachment);
    }
    await this.#redis?.zrem(this.#registry.keys.attached(queue), this.#member).catch(() => {});
    if (graceMs === undefined && member !== undefined)
      await sweepIfGone(this.#redis, this.#registry, queue, member, this.#log);
    this.#log.event('detached', { pool: queue, why });
  }

  stop(options: { grace?: number } = {}): Promise<void> {
    if (this.#state === 'stopped' && !this.#stopping) return this.stopped; // its start failed
    if (this.#stopping) {
      // A second stop (a second SIGTERM): hand the running jobs back now.
      if (options.grace === 0) {
        this.#handBack = true;
        for (const attachment of this.#draining) attachment.handBack();
        if (this.#redis?.status !== 'ready') this.#forceStop('a second signal, Redis unreachable');
        else setTimeout(() => this.#forceStop('a second signal'), STOP_MARGIN_MS).unref();
      }
      return this.#stopping;
    }
    this.#grace = options.grace ?? this.#o.grace;
    this.#stopping = this.#stop();
    this.#abort.abort();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = 'stopping';
    clearInterval(this.#timer);
    // Said whether it came while starting or after: the same lines, the same exit.
    this.#log.event('stopping', { pools: this.#attachments.size, grace: `${this.#grace}ms` });
    const attachments = [...this.#attachments.values()];
    const members = new Map(this.#members);
    const orderly = (async () => {
      // A start under way ends at its next step: what it registered meanwhile goes below.
      await this.#starting;
      if (this.#member) await this.#redis?.zrem(this.#registry.keys.workers, this.#member).catch(() => {});
      for (const q of [...this.#attachments.keys()]) void this.#detach(q, 'worker stopping', this.#grace);
      // Also the pools it was leaving already (each closes within CLOSE_WAIT_MS, then sweeps).
      await Promise.all([...this.#leaving]);
    })();
    const forced = new Promise<string>((resolve) => {
      this.#forceStop = resolve;
    });
    // Past the grace period, a stop waits on Redis only while Redis answers (then for the margin).
    const timer = setTimeout(() => void this.#unlessAnswering(), this.#grace);
    const deadline = setTimeout(() => this.#forceStop('past the grace period'), this.#grace + STOP_MARGIN_MS);
    const why = await Promise.race([orderly.then(() => undefined), forced]);
    clearTimeout(timer);
    clearTimeout(deadline);
    if (why !== undefined) {
      this.#log.event('stop forced', {
        why,
        jobs: 'those still locked here run again on another worker once their lock expires',
      });
      for (const attaching of attachments) void attaching.then((a) => a?.abandon());
    }
    // Its queues' connections are closed or cut: what they wrote for a pool gone meanwhile goes.
    for (const [queue, member] of members)
      await sweepIfGone(this.#redis, this.#registry, queue, member, this.#log);
    await this.#release();
    this.#log.event('stopped', { worker: this.id });
  }

  /** Ends the stop when Redis is down or frozen: its client is cut, so nothing waits on it any more. */
  async #unlessAnswering(): Promise<void> {
    if (await answers(this.#redis, ANSWER_WAIT_MS)) return;
    if (this.#redis) cutClient(this.#redis);
    this.#forceStop('Redis unreachable past the grace period');
  }

  async #release(): Promise<void> {
    this.#state = 'stopped';
    clearInterval(this.#timer);
    if (this.#sub) cutClient(this.#sub);
    await this.#local?.terminate();
    await this.#held?.close();
    if (this.#redis?.status === 'ready') await this.#redis.quit().catch(() => {});
    if (this.#redis) cutClient(this.#redis);
    this.#markStopped();
  }
}
