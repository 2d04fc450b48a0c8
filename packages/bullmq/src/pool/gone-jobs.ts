/**
 * Jobs removed from Redis behind the pool's back: by `Job.remove()`, `Queue.drain()`, `clean()` or
 * `obliterate()`, run by hand or from a dashboard on the pool's queue. Such a job never runs and
 * no event of its outcome ever comes, so its call would wait for ever (BullMQ's own
 * `waitUntilFinished()` hangs so: taskforcesh/bullmq#2341). A `removed` event rejects its call at
 * once (`events.ts`); the other ways write no event per job, so {@link GoneJobs} looks for them.
 *
 * Every {@link SWEEP_MS} while jobs are out, one MULTI counts the keys of every job added to the
 * queue with one `EXISTS` per {@link SWEEP_BATCH} keys (a handful of commands however many jobs are
 * out, so a removal is seen at the next sweep). A group that comes up short is split in
 * {@link SPLIT} and counted again, down to groups of {@link SPLIT} keys, which one last MULTI looks
 * at key by key, reading the last entry of the event stream with them. A job without its key either
 * finished (its `completed` or `failed` event, written by the same script that removed it, is in
 * the stream by then) or was removed. So a job found missing is judged once the pool has read the
 * stream up to that entry, at a later sweep: still unsettled, it was removed.
 */
import type { Redis } from 'ioredis';
import { RedisConnectionError } from '../errors.js';
import type { Liveness } from './liveness.js';

/** How often (ms) the jobs out are looked for in Redis. */
export const SWEEP_MS = 2000;
/** How many keys one `EXISTS` of a sweep counts (every job out is looked at in each sweep). */
export const SWEEP_BATCH = 5000;
/** Into how many groups a group of keys that came up short is split to be counted again. */
const SPLIT = 16;

/** What the sweep needs of the pool's jobs (`jobs.ts`). */
export interface GoneJobsHost {
  /** The queue's client (not the one blocked reading events). */
  client(): Promise<Redis>;
  /** The key of job `id`'s hash. */
  jobKey(id: string): string;
  /** The key of the queue's event stream. */
  readonly eventsKey: string;
  /** The jobs added to the queue whose outcome the pool has not read yet, oldest first. */
  out(): string[];
  /** The id of the last entry of the stream the pool has read. */
  lastRead(): string | undefined;
  /**
   * Asks whether Redis still holds the pool at all (the session's heartbeat, at once): one that
   * lost every key (restarted without its data, flushed) fails every call saying so, first.
   */
  confirm(): Promise<void>;
  /** Job `id` was removed from Redis before it finished: its call fails. */
  gone(id: string): void;
}

/** Missing jobs waiting for their verdict: removed unless an event read up to `upTo` settled them. */
interface Suspects {
  readonly ids: string[];
  readonly upTo: string | undefined;
}

export class GoneJobs {
  readonly #host: GoneJobsHost;
  #suspects: Suspects | undefined;
  #busy = false;
  #timer: NodeJS.Timeout | undefined;
  #liveness: Liveness | undefined;

  constructor(host: GoneJobsHost) {
    this.#host = host;
  }

  /** Sweeps every {@link SWEEP_MS} from now on; the timer keeps the program alive as `liveness` says. */
  start(liveness: Liveness): void {
    this.#liveness = liveness;
    this.#timer = liveness.timer(setInterval(() => void this.sweep(), SWEEP_MS));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#liveness?.forget(this.#timer);
  }

  /** One sweep (a timer's tick); never rejects. */
  async sweep(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#judge();
      await this.#look();
    } catch {
      // Redis unreachable: the session sees to it; the next sweep looks again.
    } finally {
      this.#busy = false;
    }
  }

  /** Rejects the suspects still out once the stream was read past the entry they were seen with. */
  async #judge(): Promise<void> {
    const s = this.#suspects;
    if (!s) return;
    const read = this.#host.lastRead();
    if (s.upTo !== undefined && (read === undefined || streamIdBefore(read, s.upTo))) return;
    this.#suspects = undefined;
    await this.#host.confirm();
    const out = new Set(this.#host.out());
    for (const id of s.ids) if (out.has(id)) this.#host.gone(id);
  }

  async #look(): Promise<void> {
    if (this.#suspects) return;
    const all = this.#host.out();
    if (all.length === 0) return;
    let groups: string[][] = [];
    for (let i = 0; i < all.length; i += SWEEP_BATCH) groups.push(all.slice(i, i + SWEEP_BATCH));
    const client = await this.#host.client();
    const short: string[] = [];
    while (groups.length > 0) {
      const counts = client.multi();
      for (const ids of groups) counts.exists(...ids.map((id) => this.#host.jobKey(id)));
      const found = (await counts.exec()) ?? [];
      const next: string[][] = [];
      groups.forEach((ids, i) => {
        const [error, n] = found[i] ?? [];
        if (!error && n === ids.length) return;
        if (ids.length <= SPLIT) short.push(...ids);
        else
          for (let j = 0, k = Math.ceil(ids.length / SPLIT); j < ids.length; j += k)
            next.push(ids.slice(j, j + k));
      });
      groups = next;
    }
    if (short.length === 0) return;
    // Key by key, with the stream's last entry read in the same MULTI: a job that finished
    // between the counts and this MULTI has its event before that entry.
    const multi = client.multi();
    for (const id of short) multi.exists(this.#host.jobKey(id));
    multi.xrevrange(this.#host.eventsKey, '+', '-', 'COUNT', 1);
    const replies = (await multi.exec()) ?? [];
    if (replies.some(([error]) => error)) return;
    const missing = short.filter((_, i) => replies[i]?.[1] === 0);
    if (missing.length === 0) return;
    const last = replies[short.length]?.[1] as [string, string[]][] | undefined;
    this.#suspects = { ids: missing, upTo: last?.[0]?.[0] };
  }
}

/** The error of a call whose job `id` (of `task`) was removed from Redis at `label` before it finished. */
export function removedJobError(id: string, task: string, label: string): RedisConnectionError {
  return new RedisConnectionError(
    `Job ${id} (${task}) was removed from Redis at ${label} before it finished (Job.remove(), ` +
      "Queue.drain(), clean() or obliterate() on this pool's queue, by hand or from a dashboard): it " +
      'will not run or finish, so this call was rejected. Call again to run it.',
  );
}

/** Whether stream entry id `a` (`<ms>-<seq>`) comes before `b`. */
function streamIdBefore(a: string, b: string): boolean {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am < bm || (am === bm && as < bs);
}
