/**
 * A pool's presence in Redis: its own client, its registration (a heartbeat every `clientTtl / 3`,
 * capped at one second so worker events arrive promptly), the workers attached to its queue
 * (`workerCreate` / `workerDestroy` events), and the teardown that deletes its keys.
 */
import { PoolClosedError } from '@multiproc/core';
import type { Redis } from 'ioredis';
import { RedisConnectionError } from '../errors.js';
import {
  createClient,
  cutClient,
  debug,
  type ResolvedConnection,
  waitReady,
} from '../internal/connection.js';
import { type ControlMessage, encodeControl } from '../internal/control.js';
import { Keys, Registry } from '../internal/registry.js';
import type { Signer } from '../internal/signing.js';
import { cleanUp, letGo } from './cleanup.js';
import type { PoolEventSink } from './emitter.js';
import type { Liveness } from './liveness.js';
import { readRefusal, UnservedWatch, warnNoWorker } from './unserved.js';

/** A worker process serving a pool, as it registered itself. */
export interface WorkerInfo {
  /** A unique id: `<host>:<pid>:<random>`. */
  readonly id: string;
  /** The host name of its machine (`os.hostname()`). */
  readonly host: string;
  /** Its process id on that machine. */
  readonly pid: number;
  /** How many tasks it runs at once (its local pool's size). */
  readonly concurrency: number;
}

const MAX_TICK_MS = 1000;

/** What a pool that could not connect does next, said in its `RedisConnectionError`. */
const GAVE_UP =
  ' This pool stopped trying and holds no connection (the program can end without terminate()); ' +
  'every call on it rejects with this error: fix that, then create a new Pool.';

export interface SessionOptions {
  readonly connection: ResolvedConnection;
  readonly signer: Signer;
  readonly prefix: string;
  readonly queue: string;
  readonly member: string;
  readonly clientTtl: number;
  readonly connectTimeout: number;
  readonly events: PoolEventSink;
  /** Keeps the program alive while the pool has work: the client and heartbeat follow it. */
  readonly liveness: Liveness;
  /** Called when Redis no longer lists the pool (it missed heartbeats for `clientTtl`). */
  readonly onReaped: () => void;
  /**
   * Called once when Redis has lost the pool: the connection stayed down for `connectTimeout`, or
   * Redis came back without the pool's keys (restarted without persistence, flushed).
   */
  readonly onLost: (error: RedisConnectionError) => void;
  /** After how long (ms) jobs waiting with no worker get a warning; `undefined`: never. */
  readonly noWorkerWarning: number | undefined;
  /** Whether the pool has jobs out (waiting for a worker or running). */
  readonly waiting: () => boolean;
}

export class Session {
  readonly #o: SessionOptions;
  readonly #workers = new Map<string, WorkerInfo>();
  #redis: Redis | undefined;
  #registry: Registry | undefined;
  #timer: NodeJS.Timeout | undefined;
  #registered = false;
  /** When the last heartbeat went through (`Date.now()`). */
  #lastBeat = 0;
  /** Since when the connection is down, or `undefined` while it is up. */
  #downSince: number | undefined;
  #lost = false;
  /**
   * Set while the connection is down and until the first heartbeat after it came back has run:
   * calls wait on it, so none goes to a Redis that lost the pool's keys before the pool knows.
   */
  #back: { promise: Promise<void>; resolve: () => void } | undefined;
  readonly #unserved: UnservedWatch;
  readonly #giveUp = new AbortController();

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#unserved = new UnservedWatch(options.noWorkerWarning);
  }

  /** Workers serving the pool at the last heartbeat. */
  get workers(): readonly WorkerInfo[] {
    return [...this.#workers.values()];
  }

  /** Their summed concurrency. */
  get concurrency(): number {
    let n = 0;
    for (const w of this.#workers.values()) n += w.concurrency;
    return n;
  }

  /**
   * Connects, failing with `RedisConnectionError` after `connectTimeout`. A pool that could not
   * connect gives up: its client stops reconnecting, so it keeps nothing alive (the driver would
   * retry forever, holding the program open until `terminate()`).
   */
  async connect(): Promise<void> {
    const o = this.#o;
    const redis = createClient(o.connection, `multiproc:${o.queue}`);
    this.#redis = redis;
    o.liveness.client(redis);
    try {
      const stop = this.#giveUp.signal;
      await waitReady(redis, o.connectTimeout, o.connection.label, GAVE_UP, o.liveness, stop);
    } catch (error) {
      cutClient(redis);
      throw error;
    }
    this.#registry = new Registry(redis, new Keys(o.prefix));
    redis.on('close', () => {
      this.#downSince ??= Date.now();
      if (!this.#back) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        this.#back = { promise, resolve };
      }
    });
    redis.on('ready', () => {
      this.#downSince = undefined;
      const back = this.#back;
      if (back) void this.refresh().finally(() => this.#reopened(back));
    });
  }

  /**
   * Resolves once the connection is up and checked: at once, or (after it dropped) when the first
   * heartbeat since it came back has run, or when the pool gave up on Redis. Never rejects.
   */
  checked(): Promise<void> {
    return this.#back?.promise ?? Promise.resolve();
  }

  #reopened(back: { resolve: () => void }): void {
    if (this.#back === back && this.#downSince === undefined) this.#back = undefined;
    back.resolve();
  }

  /**
   * Stops waiting for the connection, if {@link connect} still does: `connect()` rejects with
   * `reason` (a pool torn down before Redis answered has nothing there to clean up).
   */
  giveUp(reason: Error): void {
    this.#giveUp.abort(reason);
  }

  /** Whether the connection is up right now. */
  get connected(): boolean {
    return this.#redis?.status === 'ready';
  }

  /** Registers the pool and announces it, so workers attach to its queue. */
  async register(): Promise<void> {
    const o = this.#o;
    await this.#registry!.touch(this.#registry!.keys.pools, o.member, o.clientTtl);
    this.#registered = true;
    this.#lastBeat = Date.now();
    await this.publish({ t: 'open', pool: o.member });
    const tick = Math.min(MAX_TICK_MS, o.clientTtl / 3);
    this.#timer = o.liveness.timer(setInterval(() => void this.refresh(), tick));
  }

  /**
   * Cancels jobs: notes them in Redis, where a worker looks before it runs a job again (its first
   * worker died: the cancel message reached no one holding it), and tells the workers.
   */
  cancel(jobs: readonly string[]): Promise<unknown> {
    const o = this.#o;
    const keys = this.#registry!.keys;
    const message = encodeControl({ t: 'cancel', pool: o.member, jobs }, o.signer);
    return this.#redis!.multi()
      .sadd(keys.cancelled(o.queue), ...jobs)
      .publish(keys.control, message)
      .exec();
  }

  publish(message: ControlMessage): Promise<unknown> {
    return this.#redis!.publish(this.#registry!.keys.control, encodeControl(message, this.#o.signer));
  }

  /** One heartbeat: keeps the registration alive and updates the attached workers. */
  async refresh(): Promise<void> {
    if (!this.#registered || !this.#registry) return;
    const o = this.#o;
    if (this.#downSince !== undefined) {
      const down = Date.now() - this.#downSince;
      if (down >= o.connectTimeout) {
        this.#lose(
          `Lost the connection to Redis at ${o.connection.label}: it has been down for ${down} ms ` +
            `(connectTimeout ${o.connectTimeout} ms). The pending calls of this pool were rejected, since ` +
            'their results could only come back through Redis (jobs already running may still finish ' +
            'on their workers); every later call rejects with this error. This pool has let go of ' +
            'Redis: create a new Pool once Redis is reachable again.',
        );
      }
      return;
    }
    let members: string[] | null;
    try {
      members = await this.#registry.poolTick(o.member, o.queue, o.clientTtl);
    } catch (error) {
      debug('bullmq: heartbeat of %s failed: %s', o.queue, (error as Error).message);
      return;
    }
    if (!this.#registered) return;
    if (members === null) {
      // Reaped by the workers only after clientTtl without a heartbeat; sooner, Redis lost it.
      if (Date.now() - this.#lastBeat < o.clientTtl) {
        this.#lose(
          `Redis at ${o.connection.label} lost this pool's keys (it restarted without persistence, or ` +
            'was flushed, or evicted them): its queued jobs and the results not read yet are gone, so ' +
            'the pending calls of this pool were rejected, and every later call rejects with this ' +
            'error. Create a new Pool to go on; to survive a Redis restart, run Redis with persistence ' +
            '(appendonly yes) and maxmemory-policy noeviction.',
        );
        return;
      }
      this.#registered = false;
      o.onReaped();
      return;
    }
    this.#lastBeat = Date.now();
    const seen = new Set<string>();
    for (const member of members) {
      const info = parseWorker(member);
      if (!info) continue;
      seen.add(info.id);
      if (!this.#workers.has(info.id)) {
        this.#workers.set(info.id, info);
        o.events.emit('workerCreate', info);
      }
    }
    for (const [id, info] of this.#workers) {
      if (seen.has(id)) continue;
      this.#workers.delete(id);
      o.events.emit('workerDestroy', info);
    }
    const waiting = o.waiting();
    const waitedMs = this.#unserved.check(waiting, this.#workers.size > 0);
    if (waitedMs !== undefined) await this.#warnUnserved(waitedMs);
    else if (waiting && this.#workers.size === 0 && this.#unserved.armed) await this.#checkRefused();
  }

  /**
   * Jobs wait with no worker attached: a worker that holds this pool's secret and refused to start
   * (its tasks differ from a live worker's of the prefix) makes the warning come now, saying why.
   */
  async #checkRefused(): Promise<void> {
    const refusal = await readRefusal(this.#registry!, this.#o.signer).catch(() => undefined);
    if (!refusal || !this.#unserved.armed) return;
    this.#unserved.settle();
    const o = this.#o;
    warnNoWorker({
      label: o.connection.label,
      prefix: o.prefix,
      waitedMs: this.#unserved.waited(),
      workersOnPrefix: 0,
      refusal,
    });
  }

  /** The one `MP_NO_WORKER` warning, telling "no worker at all" from "workers with another secret". */
  async #warnUnserved(waitedMs: number): Promise<void> {
    const o = this.#o;
    let workersOnPrefix = 0;
    try {
      workersOnPrefix = (await this.#registry!.live(this.#registry!.keys.workers)).length;
    } catch (error) {
      debug('bullmq: reading the workers of %s failed: %s', o.prefix, (error as Error).message);
    }
    warnNoWorker({ label: o.connection.label, prefix: o.prefix, waitedMs, workersOnPrefix });
  }

  #lose(message: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#registered = false;
    this.#o.onLost(new RedisConnectionError(message));
    this.#back?.resolve();
  }

  /**
   * Unregisters, tells the workers, waits for them to detach and deletes every key of the pool
   * (`cleanup.ts`: on a fresh connection when this one has just dropped); then closes the client.
   * Never throws: what Redis refuses, or a Redis unreachable for `connectTimeout` (or already given
   * up on, the pool lost), is left to the workers' TTL sweep.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#o.liveness.forget(this.#timer);
    this.#registered = false;
    const redis = this.#redis;
    const registry = this.#registry;
    const o = this.#o;
    if (redis && registry && (redis.status === 'ready' || !this.#lost)) {
      const { keys } = registry;
      await cleanUp(redis, { ...o, keys, member: o.member });
    }
    for (const info of this.#workers.values()) o.events.emit('workerDestroy', info);
    this.#workers.clear();
    if (redis) await letGo(redis, o.connectTimeout);
  }
}

/** Why a pool that missed its heartbeats for `clientTtl` ms stopped: the workers removed it. */
export function reapedError(clientTtl: number): PoolClosedError {
  return new PoolClosedError(
    `This pool missed its heartbeats for clientTtl (${clientTtl} ms) and the workers removed it; ` +
      'its calls were cancelled. Raise clientTtl if the event loop is blocked for that long.',
  );
}

/** A registry member back into a {@link WorkerInfo}, or `undefined` when malformed. */
export function parseWorker(member: string): WorkerInfo | undefined {
  try {
    const w = JSON.parse(member);
    // Only these fields: the entry also lists the worker's tasks, for the workers' own check.
    const { id, host, pid, concurrency } = w ?? {};
    if (typeof id === 'string' && typeof concurrency === 'number') return { id, host, pid, concurrency };
  } catch {}
  return undefined;
}
