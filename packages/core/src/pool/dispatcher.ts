/**
 * Host side of a Pool's traffic: a FIFO of jobs in front of tinypool. It coalesces small `apply`
 * calls into one batch per post, keeps at most `2 * processes` batches inside tinypool (so a
 * cancelled job is still ours to drop), and turns every way a worker can die into
 * `WorkerCrashedError` for exactly the jobs that worker held.
 */
import type { Tinypool } from 'tinypool';
import { WorkerCrashedError } from '../errors.js';
import {
  type Batch,
  type BatchReply,
  EXIT_MARKER,
  type InitSpec,
  type Job,
  type JobReply,
  RETIRED_MARKER,
  type TaskSpec,
} from '../internal/batch.js';
import { ExitWatch } from './exit-watch.js';

/** One job waiting for, or held by, a worker. */
export interface Entry {
  /** The task the job runs. */
  readonly spec: TaskSpec;
  /**
   * Builds the job to post. Called at each dispatch: a job handed back by a retiring worker is
   * posted again, and what the first post transferred (a packed chunk's buffer) is gone by then.
   */
  build(): { job: Job; transfer: object[] };
  /** Calls without their own signal can share a batch with other calls. */
  readonly batchable: boolean;
  readonly signal: AbortSignal | undefined;
  /** Position of the job's first item in its call's input, for `WorkerCrashedError.taskIndex`. */
  readonly taskIndex: number | undefined;
  resolve(reply: JobReply): void;
  reject(error: unknown): void;
}

/** What the dispatcher needs from its pool. */
export interface DispatcherConfig {
  readonly processes: number;
  readonly maxTasksPerChild: number;
  readonly init: InitSpec | null;
  /** Turns an abort of `entry.signal` into the error the call rejects with. */
  abortError(entry: Entry): unknown;
  /** The error queued and running jobs reject with once the pool is terminated. */
  closedError(): unknown;
  /** The BroadcastChannel name thread workers post `sendToCaller()` messages on. */
  readonly messages: string | null;
  /** Receives `sendToCaller()` messages from child processes (tinypool's per-run channel). */
  readonly channel: { postMessage(message: unknown): void } | undefined;
  /** Told, before the batch's calls settle, how many messages a thread worker sent per listener. */
  readonly messagesSent: (sent: NonNullable<BatchReply['sent']>) => void;
}

const MAX_BATCH = 1024;
/** tinypool's rejection of tasks still assigned to a worker it stops. */
const TINYPOOL_TERMINATED = 'Terminating worker thread';

export class Dispatcher {
  readonly #config: DispatcherConfig;
  readonly #queue: Entry[] = [];
  #head = 0;
  #inFlight = 0;
  #busyJobs = 0;
  #tp: Tinypool | undefined;
  #scheduled = false;
  #terminated = false;
  readonly #exits = new ExitWatch();
  readonly #idleWaiters: Array<() => void> = [];
  completed = 0;
  failed = 0;

  constructor(config: DispatcherConfig) {
    this.#config = config;
  }

  /** Hands over the tinypool instance once it is loaded; queued jobs start then. */
  attach(tp: Tinypool): void {
    this.#tp = tp;
    this.#exits.scan(tp);
    this.#schedule();
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Workers alive now. */
  get workers(): number {
    return this.#tp?.threads.length ?? 0;
  }

  get busy(): number {
    return this.#busyJobs;
  }

  /** Whether nothing is queued or running. */
  get idle(): boolean {
    return this.queued === 0 && this.#inFlight === 0;
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  submit(entry: Entry): void {
    if (entry.signal?.aborted) {
      entry.reject(this.#config.abortError(entry));
      return;
    }
    this.#queue.push(entry);
    entry.signal?.addEventListener('abort', () => this.#drop(entry), { once: true });
    this.#schedule();
  }

  /** Removes still-queued entries (an `imap` the consumer left early). Running ones finish. */
  cancel(entries: Iterable<Entry>): void {
    const gone = new Set(entries);
    for (let i = this.#head; i < this.#queue.length; i++) {
      if (gone.has(this.#queue[i]!)) this.#queue.splice(i--, 1);
    }
    this.#checkIdle();
  }

  /** Rejects everything queued with the pool's closed error (terminate). */
  terminate(): void {
    this.#terminated = true;
    const queued = this.#queue.splice(this.#head);
    this.#queue.length = 0;
    this.#head = 0;
    for (const entry of queued) entry.reject(this.#config.closedError());
    this.#checkIdle();
  }

  #drop(entry: Entry): void {
    const at = this.#queue.indexOf(entry, this.#head);
    if (at === -1) return; // running: tinypool stops its worker and rejects the run
    this.#queue.splice(at, 1);
    entry.reject(this.#config.abortError(entry));
    this.#checkIdle();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Batch everything submitted in this turn of the event loop.
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const tp = this.#tp;
    if (!tp || this.#terminated) return;
    const limit = this.#config.processes * 2;
    while (this.#inFlight < limit && this.queued > 0) {
      const first = this.#take();
      const entries = [first];
      if (first.batchable) {
        const cap = Math.min(
          MAX_BATCH,
          this.#config.maxTasksPerChild || MAX_BATCH,
          Math.max(1, Math.ceil((this.queued + 1) / limit)),
        );
        while (entries.length < cap && this.queued > 0 && this.#queue[this.#head]!.batchable) {
          entries.push(this.#take());
        }
      }
      if (this.#head > 64 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      this.#run(tp, entries);
    }
  }

  /**
   * Takes the next queued entry. Its slot is cleared at once: a taken entry still holds its chunk,
   * and the slots before `#head` are only spliced away now and then (an endless imap must not
   * keep every chunk it ever sent).
   */
  #take(): Entry {
    const entry = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as never;
    return entry;
  }

  #run(tp: Tinypool, entries: Entry[]): void {
    const built = entries.map((e) => e.build());
    const tasks: TaskSpec[] = [];
    const jobs = built.map((b, i) => {
      const spec = entries[i]!.spec;
      let t = tasks.indexOf(spec);
      if (t === -1) t = tasks.push(spec) - 1;
      b.job.task = t;
      return b.job;
    });
    const batch: Batch = {
      init: this.#config.init,
      maxTasks: this.#config.maxTasksPerChild,
      messages: this.#config.messages,
      tasks,
      jobs,
    };
    const transferList = built.flatMap((b) => b.transfer) as never[];
    const signal = entries.length === 1 ? first(entries).signal : undefined;
    this.#inFlight++;
    this.#busyJobs += entries.length;
    const channel = this.#config.channel;
    const run = tp.run(batch, {
      transferList,
      ...(signal ? { signal } : {}),
      ...(channel ? { channel } : {}),
    }) as Promise<BatchReply>;
    this.#exits.scan(tp);
    run.then(
      (reply) => this.#settle(entries, reply),
      (error) => this.#fail(entries, error),
    );
  }

  #done(entries: Entry[]): void {
    this.#inFlight--;
    this.#busyJobs -= entries.length;
    this.#flush();
    this.#checkIdle();
  }

  #settle(entries: Entry[], reply: BatchReply): void {
    if (reply.retire !== undefined) this.#retire(reply.retire);
    if (reply.sent) this.#config.messagesSent(reply.sent);
    if (reply.recycled) {
      this.#requeue(entries);
      return;
    }
    entries.forEach((entry, i) => {
      const r = reply.replies[i]!;
      if ('error' in r && r.error) this.failed++;
      else this.completed++;
      entry.resolve(r);
    });
    this.#done(entries);
  }

  /**
   * Stops a worker that has served maxTasksPerChild, through tinypool's own crash path (an
   * 'error' on the worker): tinypool removes it, starts a replacement, and hands back any batch it
   * had already given it, which is then requeued.
   */
  #retire(id: number): void {
    const worker = this.#tp?.threads.find((w) => w.threadId === id);
    worker?.emit('error', new Error(RETIRED_MARKER));
  }

  /** A worker handed the batch back unrun (it had served maxTasksPerChild): run it elsewhere. */
  #requeue(entries: Entry[]): void {
    this.#queue.splice(this.#head, 0, ...entries);
    this.#done(entries);
  }

  #fail(entries: Entry[], error: unknown): void {
    const message = (error as Error)?.message ?? '';
    if (this.#terminated) {
      for (const entry of entries) entry.reject(this.#config.closedError());
      this.#done(entries);
      return;
    }
    // A worker we retired (maxTasksPerChild) hands back what it held, unrun: run it elsewhere.
    if (message === RETIRED_MARKER || message === TINYPOOL_TERMINATED) {
      this.#requeue(entries);
      return;
    }
    const signal = entries.length === 1 ? first(entries).signal : undefined;
    if (signal?.aborted) {
      entries[0]!.reject(this.#config.abortError(entries[0]!));
      this.failed++;
      this.#done(entries);
      return;
    }
    let exitCode: number | null = 1;
    let signalName: string | null = null;
    if (message.startsWith(`${EXIT_MARKER}:`)) {
      exitCode = Number(message.slice(EXIT_MARKER.length + 1));
    } else {
      const exit = this.#exits.take();
      if (exit) {
        exitCode = exit.code;
        signalName = exit.signal;
      }
    }
    for (const entry of entries) {
      this.failed++;
      const how = signalName ? `was killed by ${signalName}` : `exited with code ${exitCode}`;
      entry.reject(
        new WorkerCrashedError(`The worker running this task ${how}; the pool replaced it.`, {
          exitCode: signalName ? null : exitCode,
          signal: signalName,
          ...(entry.taskIndex === undefined ? {} : { taskIndex: entry.taskIndex }),
          cause: error,
        }),
      );
    }
    this.#done(entries);
  }

  #checkIdle(): void {
    if (!this.idle) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

function first<T>(list: T[]): T {
  return list[0]!;
}
