/**
 * The pool's reader of its queue's event stream (results, failures, progress): BullMQ's
 * `QueueEvents` loop on a client of our own, so that every handle it has can be unref'd while the
 * pool is idle ({@link Liveness}). `QueueEvents` races each blocking read against a ref'd watchdog
 * timer, which kept an idle pool's program alive for good.
 *
 * Each read is `XREAD BLOCK` from the last entry read (the stream's start at first, so nothing
 * between creating the queue and the first read is missed), raced against a watchdog of the block
 * time plus a second: a read that never answers (a connection reset that the driver re-sends
 * blocked) is given up and the connection made anew, as BullMQ does.
 */
import type { Redis } from 'ioredis';
import { createClient, cutClient, debug, type ResolvedConnection } from '../internal/connection.js';
import type { Liveness } from './liveness.js';

/** How long one read blocks in Redis (BullMQ's default `blockingTimeout`). */
const BLOCK_MS = 10_000;
/** How long after a failed read the next one starts. */
const RETRY_MS = 500;

/** One entry of the stream: its fields (`event`, `jobId`, ...) as BullMQ writes them. */
export type StreamEvent = Readonly<Record<string, string>>;

/** What a pool does with the events of its jobs. */
export interface JobEvents {
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, reason: string): void;
  /** Taken by a worker (`true`), or back in the queue (`false`: its worker stopped or stalled). */
  active(jobId: string, active: boolean): void;
  stalled(jobId: string): void;
  progress(jobId: string, data: unknown): void;
  /** Removed from Redis before it finished (`Job.remove()`, by hand or from a dashboard). */
  removed(jobId: string): void;
}

/** Hands an entry of the stream to `on`, its fields parsed as BullMQ's `QueueEvents` parses them. */
export function dispatchEvent(e: StreamEvent, on: JobEvents): void {
  const jobId = e.jobId;
  if (jobId === undefined) return;
  switch (e.event) {
    case 'completed':
      on.completed(jobId, JSON.parse(e.returnvalue ?? 'null'));
      break;
    case 'failed':
      on.failed(jobId, e.failedReason ?? '');
      break;
    case 'active':
      on.active(jobId, true);
      break;
    case 'waiting':
      if (e.prev === 'active') on.active(jobId, false);
      break;
    case 'stalled':
      on.stalled(jobId);
      break;
    case 'progress':
      on.progress(jobId, JSON.parse(e.data ?? 'null'));
      break;
    case 'removed':
      on.removed(jobId);
      break;
  }
}

export class EventReader {
  readonly #client: Redis;
  readonly #key: string;
  readonly #liveness: Liveness;
  readonly #onEvent: (event: StreamEvent, id: string) => void;
  #closed = false;

  constructor(
    connection: ResolvedConnection,
    name: string,
    key: string,
    liveness: Liveness,
    onEvent: (event: StreamEvent, id: string) => void,
  ) {
    // A blocking read must wait out a reconnection, never fail for lack of retries.
    this.#client = createClient(connection, name, { maxRetriesPerRequest: null });
    this.#key = key;
    this.#liveness = liveness;
    this.#onEvent = onEvent;
    liveness.client(this.#client);
  }

  /** Resolves once connected; then reads until {@link close}. */
  async open(): Promise<void> {
    if (this.#client.status !== 'ready') {
      const client = this.#client;
      await new Promise<void>((resolve, reject) => {
        // The driver retries until the pool gives up on Redis and closes this reader.
        const onEnd = () => {
          client.off('ready', onReady);
          reject(new Error('Connection is closed.'));
        };
        const onReady = () => {
          client.off('end', onEnd);
          resolve();
        };
        client.once('ready', onReady).once('end', onEnd);
      });
    }
    void this.#run();
  }

  /** Stops reading and drops the connection (a blocking read cannot be asked to stop). */
  close(): void {
    this.#closed = true;
    cutClient(this.#client);
  }

  async #run(): Promise<void> {
    let from = '0';
    while (!this.#closed) {
      let entries: [string, string[]][] | undefined;
      try {
        entries = await this.#read(from);
      } catch (error) {
        if (this.#closed) return;
        debug('bullmq: reading the events of %s failed: %s', this.#key, (error as Error).message);
        await this.#pause(RETRY_MS);
        continue;
      }
      for (const [id, fields] of entries ?? []) {
        from = id;
        const event: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
        try {
          this.#onEvent(event, id);
        } catch (error) {
          debug('bullmq: an event of %s threw: %s', this.#key, (error as Error).message);
        }
      }
    }
  }

  /** The entries after `from`, or `undefined` when none came within the block time. */
  async #read(from: string): Promise<[string, string[]][] | undefined> {
    const read = this.#client.xread('BLOCK', BLOCK_MS, 'STREAMS', this.#key, from);
    read.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<'stuck'>((resolve) => {
      timer = this.#liveness.timer(setTimeout(resolve, BLOCK_MS + 1000, 'stuck'));
    });
    try {
      const reply = await Promise.race([read, watchdog]);
      if (reply === 'stuck') {
        if (!this.#closed) this.#client.disconnect(true);
        return undefined;
      }
      return (reply as [string, [string, string[]][]][] | null)?.[0]?.[1];
    } finally {
      clearTimeout(timer);
      this.#liveness.forget(timer);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#liveness.timer(
        setTimeout(() => {
          this.#liveness.forget(timer);
          resolve();
        }, ms),
      );
    });
  }
}

/** How long after an event is read the stream is trimmed up to it, in ms (trims are batched). */
const TRIM_DELAY_MS = 200;

/**
 * The events the pool has read, trimmed from the queue's stream soon after (XTRIM MINID, Redis
 * 6.2+), so Redis holds only what is in flight. Every event before {@link last} has been read: the
 * reader reads the stream in order and hands on each entry at once.
 */
export class StreamTrim {
  readonly #client: () => Promise<Redis>;
  readonly #key: string;
  readonly #queue: string;
  /** The id of the last event read, the one the stream was last trimmed to, and a pending trim. */
  #last: string | undefined;
  #trimmedTo: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: () => Promise<Redis>, key: string, queue: string) {
    this.#client = client;
    this.#key = key;
    this.#queue = queue;
  }

  /** The id of the last entry read. */
  get last(): string | undefined {
    return this.#last;
  }

  /** Entry `id` was read: soon, the stream is trimmed up to it. */
  read(id: string): void {
    this.#last = id;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#trim();
    }, TRIM_DELAY_MS).unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  async #trim(): Promise<void> {
    const to = this.#last;
    if (to === undefined || to === this.#trimmedTo) return;
    this.#trimmedTo = to;
    try {
      await (await this.#client()).xtrim(this.#key, 'MINID', to);
    } catch (error) {
      // Redis before 6.2 knows no MINID: the stream is capped at its maxLen entries only.
      debug('bullmq: trimming the events of %s failed: %s', this.#queue, (error as Error).message);
    }
  }
}
