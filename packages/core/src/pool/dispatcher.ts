/**
 * Host side of a Pool's traffic: a queue of jobs in front of the workers, in the order their calls
 * were made (`job-order.ts`). A call a free worker can take goes at once; it batches only what the
 * idle workers cannot take at once (one batch per free worker, sized to split the queue, and no
 * larger than a few ms of work for that task), lets a worker that goes idle take back calls a busy
 * worker has not started (thread context), and settles every job by the typed `Outcome` of its
 * batch: a crash fails only the call that was running; finished calls keep their results and
 * calls not started run elsewhere, once.
 */
import { type JobReply, MAX_BATCH } from '../internal/batch.js';
import { type PackContext, packBatch, packStart, takeJobs } from './batch-pack.js';
import { BatchSizes } from './batch-sizes.js';
import { type DispatcherConfig, type Entry, type Held, unstartedDeath } from './entry.js';
import { noteAnswered } from './first-calls.js';
import { type CallOrder, OrderedJobs } from './job-order.js';
import { holdLoop } from './keep-alive.js';
import type { Flight, Outcome } from './outcome.js';
import { InputWaits } from './stream-input.js';
import type { TinypoolAdapter } from './tinypool.js';
import { heldDecoded, judge } from './verdict.js';

export { type DispatcherConfig, type Entry, type Held, MAX_UNSTARTED_DEATHS } from './entry.js';

export class Dispatcher {
  readonly #config: DispatcherConfig;
  readonly #queue = new OrderedJobs<Entry>();
  readonly #held = new Set<Held>();
  readonly #sizes = new BatchSizes();
  readonly #idleWaiters: Array<() => void> = [];
  /** Map calls waiting on their input (no job here to fail): terminate() closes them through this. */
  readonly inputWaits = new InputWaits();
  #adapter: TinypoolAdapter | undefined;
  #scheduled = false;
  /** Set while a batch is settled: a call submitted meanwhile waits behind those going again. */
  #settling = false;
  #terminated = false;
  #seq = 0;
  /** Set while there is work, so 'drain' is told once each time the pool runs out of it. */
  #working = false;
  /** Keeps the program alive while a call is awaited (`keep-alive.ts`; see `#checkIdle`). */
  #hold: (() => void) | undefined;
  /** Set once the pool's workers cannot be managed at all (tinypool failed to load): every call's error. */
  #broken: (() => unknown) | undefined;
  completed = 0;
  failed = 0;

  readonly #pack: PackContext;

  constructor(config: DispatcherConfig) {
    this.#config = config;
    this.#pack = {
      config,
      alone: new WeakMap(),
      nextSeq: () => ++this.#seq,
      fail: (entry, error) => this.#finish(entry, false, error),
    };
  }

  /** Hands over the adapter: the jobs queued so far start (and start workers). */
  attach(adapter: TinypoolAdapter): void {
    this.#adapter = adapter;
    this.#flush();
  }

  /**
   * With an initializer, each worker the pool starts begins with a batch of no jobs that runs it (a
   * start), as Python's workers run it at construction: `new Pool({ processes: 2, initializer })`,
   * `close()`, `join()` ran it in both, and a replacement runs it at once, task or not. Held like
   * any batch (`join()` waits for them); each goes to a worker as it becomes ready, before any call,
   * never to one that ran a batch already (`start-queue.ts`). Posts `count` of them.
   */
  readonly startWorkers = (count: number): void => {
    const init = this.#config.init;
    for (let i = 0; init && i < count && !this.#terminated && !this.#broken; i++) {
      const held = packStart(init, ++this.#seq);
      this.#held.add(held);
      this.#adapter!.run(held, this.#settled);
    }
  };

  /**
   * Jobs not yet running (what `maxQueue` bounds): those waiting here, and those handed ahead to a worker
   * that has not started them (in tinypool's queue, behind a side chunk, after the call a batch runs).
   */
  get queued(): number {
    let waiting = this.#queue.size;
    for (const held of this.#held) waiting += held.live - (this.#runs(held) ? 1 : 0);
    return waiting;
  }

  /** Workers alive now, and of those the ones still starting. */
  get workers(): { alive: number; starting: number } {
    return this.#adapter?.workers ?? { alive: 0, starting: 0 };
  }

  /** Jobs running now: one for each batch a worker is running. */
  get busy(): number {
    let running = 0;
    for (const held of this.#held) if (this.#runs(held)) running++;
    return running;
  }

  /** Whether a worker runs `held` now (one of its jobs: a worker runs a batch's calls one by one). */
  #runs(held: Held): boolean {
    return held.live > 0 && this.#adapter !== undefined && this.#adapter.isRunning(held);
  }

  /** Batches holding a worker's place: not an aborted one's, whose leaving worker the start policy counts. */
  #occupied(): number {
    let count = 0;
    for (const held of this.#held) if (held.live > 0 || !held.slot?.leaving) count++;
    return count;
  }

  /** `flight` was posted to a worker: what its jobs carry has left this thread (`Entry.sent`). */
  started(flight: Flight): void {
    for (const entry of (flight as Held).entries) entry?.sent?.();
  }

  /** Whether nothing is queued or running. */
  get idle(): boolean {
    return this.#queue.size === 0 && this.#held.size === 0;
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Settles now what workers answered on their side lanes (an `imap` loop calls it between items). */
  poll(): void {
    this.#adapter?.poll();
  }

  submit(entry: Entry, abortable = false): void {
    // A call that got past the pool's checks before terminate() (an awaited admission) still settles.
    if (this.#terminated || this.#broken) {
      this.#finish(entry, false, this.#terminated ? this.#config.closedError() : this.#broken!());
      return;
    }
    this.#working = true;
    this.#hold ??= holdLoop();
    this.#queue.push(entry);
    // A worker is up and free: the call goes now, as Python's handler thread sends it, so a blocking
    // wait right after it (`ev.waitSync()`) sees it run; once every worker has one, a microtask later.
    // One `abortable` (a signal, a timeout) goes a microtask later too: an abort in this run finds it here.
    if (!abortable && !this.#scheduled && !this.#settling && this.#adapter?.postsAtOnce) this.#flush();
    else this.#schedule();
  }

  /**
   * The order of a `map` call over an input read synchronously, open until {@link closeCall}: no job
   * of a later call starts before its last chunk (`job-order.ts`), as in Python.
   */
  openCall(): CallOrder {
    return this.#queue.order(true);
  }

  /** The call of `order` sends no more chunks: later calls' jobs may start. */
  closeCall(order: CallOrder): void {
    this.#queue.close(order);
    this.#schedule();
  }

  /** Gives up jobs whose call no longer wants them (it failed, or its consumer left): they run no further. */
  cancel(entries: Iterable<Entry>): void {
    this.#giveUp(entries, undefined);
  }

  /** Rejects jobs with `error` and stops them, a running one by stopping its worker. */
  abort(entries: Iterable<Entry>, error: unknown): void {
    this.#giveUp(entries, { error });
  }

  /**
   * No worker can serve (none could start, or initialise: `start-policy.ts`): everything queued
   * fails with `error()`. Calls made later try again; with `forGood` (the pool's workers cannot be
   * managed at all) they fail too.
   */
  refuse(error: () => unknown, forGood = false): void {
    if (forGood) this.#broken ??= error;
    for (const entry of this.#queue.drain()) this.#finish(entry, false, error());
    this.#checkIdle();
  }

  /** Rejects everything queued, and stops the calls waiting on their input, with the pool's closed error (terminate). */
  terminate(): void {
    this.#terminated = true;
    this.inputWaits.stopAll(this.#config.closedError);
    for (const entry of this.#queue.drain()) this.#finish(entry, false, this.#config.closedError());
    this.#checkIdle();
  }

  /** terminate() stopped waiting for a thread that does not stop: its calls fail now. */
  abandon(): void {
    for (const held of this.#held)
      for (const e of held.entries) if (e) this.#finish(e, false, this.#config.closedError());
  }

  #giveUp(entries: Iterable<Entry>, abort: { error: unknown } | undefined): void {
    const stop = new Set<Held>();
    for (const entry of entries) {
      if (entry.settled) continue;
      const held = entry.held;
      if (abort) this.#finish(entry, false, abort.error);
      else entry.settled = true;
      if (!held) {
        this.#queue.remove(entry);
        entry.drop?.(); // it never left here
        continue;
      }
      if (--held.live === 0) stop.add(held);
    }
    for (const held of stop) {
      // A batch no worker has got is emptied: its jobs' copies go back now, not when it is posted.
      const emptied = abort ? this.#adapter?.abort(held) : this.#adapter?.cancel(held);
      if (emptied) for (const entry of held.entries) entry?.drop?.();
    }
    if (abort && stop.size > 0) this.#schedule(); // their places are free
    this.#checkIdle();
    this.#config.onRoom();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#flushScheduled); // batches everything submitted in this turn of the event loop
  }

  readonly #flushScheduled = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  #flush(): void {
    if (!this.#adapter || this.#terminated) return;
    const { processes } = this.#config;
    for (let job = this.#queue.ready(); job; job = this.#queue.ready()) {
      const occupied = this.#occupied();
      const free = processes - occupied;
      // Every worker has a batch: one more each may wait (in tinypool's queue, for whichever
      // worker is free first), so a worker never idles while its next batch is being built. Not
      // while a worker runs side chunks (tinypool takes it for free): then only a chunk that may
      // queue behind its own call's chunk goes, the rest wait here for the first worker free.
      if (free <= 0 && (occupied >= 2 * processes || !this.#adapter.mayQueue(job))) break;
      const first = this.#queue.take();
      const entries = [first];
      if (first.batchable && !first.alone) {
        const size = Math.min(
          this.#sizes.of(first.spec).next(),
          this.#config.maxTasksPerChild || MAX_BATCH,
          Math.ceil((this.#queue.size + 1) / (free > 0 ? free : processes)),
        );
        for (let next = this.#queue.ready(); entries.length < size && next?.batchable && !next.alone; ) {
          entries.push(this.#queue.take());
          next = this.#queue.ready();
        }
      }
      this.#post(entries);
    }
  }

  #post(all: Entry[]): void {
    const held = packBatch(all, this.#pack);
    if (!held) return;
    this.#held.add(held);
    this.#adapter!.run(held, this.#settled);
  }

  /** Told by the adapter what became of a batch (one function for every batch). */
  readonly #settled = (flight: Flight, outcome: Outcome): void => this.#settle(flight as Held, outcome);

  #settle(held: Held, outcome: Outcome): void {
    this.#held.delete(held);
    const { batch } = held;
    if (outcome.kind === 'reply') {
      const { reply, jobs } = outcome;
      if (reply.sent) this.#config.messagesSent(reply.sent);
      // A batch's first job sizes the next batches of its task (tasks[0] is that task).
      if (!reply.map && !jobs.map && jobs.claimed > 0)
        this.#sizes.of(batch.tasks[0]!).record(jobs.claimed, reply.ms);
    }
    const again: Entry[] = [];
    this.#settling = true; // until those going again are queued
    const init = judge(batch, held.entries, outcome, this.#config.closedError, {
      done: (entry, reply) => this.#finish(entry, true, reply),
      failed: (entry, error) => this.#finish(entry, false, error),
      crashed: (entry, error, item, exact) => this.#finish(entry, false, error, { item, exact }),
      again: (entry, died, outside) => {
        if (entry.settled) return;
        if (died) {
          const deaths = unstartedDeath(entry, outside === true, this.#config.processes);
          if (deaths !== undefined) return this.#finish(entry, false, died(deaths));
          if (held.live > 1) entry.alone = true;
        }
        again.push(entry);
      },
    });
    // What the settled jobs' encodings reserved goes back, unless a live worker has them decoded.
    for (let job = 0; job < held.entries.length; job++) {
      const entry = held.entries[job];
      if (entry?.settled && !heldDecoded(outcome, job)) entry.drop?.();
    }
    // Only the calls posted to a worker whose initializer failed have failed: the policy decides
    // when the pool starts the next worker, and whether the calls still waiting can be served.
    if (init.initFailure) this.#adapter?.initFailed(init.initFailure);
    if (held.diverted) for (const entry of again) entry.unposted?.(); // it went out empty
    this.#requeue(again.length > 0 ? again.concat(this.#unpost()) : again);
    this.#settling = false;
    this.#flush();
    this.#takeBack();
    this.#checkIdle();
    this.#config.onRoom();
  }

  /** `crashedAt`: the worker died running that item of the (map chunk) entry. */
  #finish(entry: Entry, ok: boolean, value: unknown, crashedAt?: { item: number; exact: boolean }): void {
    if (entry.settled) return;
    entry.settled = true;
    // Not in a batch: its job never reached a worker this time (a held one's goes back in #settle).
    if (entry.held === undefined) entry.drop?.();
    entry.held = undefined;
    if (ok) {
      const reply = value as JobReply;
      noteAnswered(entry.spec);
      if ('ok' in reply ? reply.ok : reply.error === undefined) this.completed++;
      else this.failed++;
      entry.resolve(reply);
    } else {
      if (!entry.goesInParts) this.failed++;
      if (crashedAt !== undefined && entry.crashed) entry.crashed(value, crashedAt.item, crashedAt.exact);
      else entry.reject(value);
    }
  }

  /** Jobs handed back or taken back go in front of their call's and later calls' (`job-order.ts`). */
  #requeue(entries: Entry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) entry.held = undefined;
    if (this.#terminated) {
      for (const entry of entries) this.#finish(entry, false, this.#config.closedError());
      return;
    }
    if (this.#broken) {
      for (const entry of entries) this.#finish(entry, false, this.#broken());
      return;
    }
    this.#queue.requeue(entries);
  }

  /**
   * Takes back the jobs of the batches waiting in tinypool's queue, posted after those going again
   * now (a worker retired after `maxTasksPerChild`, or died, before starting them): they go behind,
   * so calls start in the order made, as Python's workers take them off one queue. A worker's start
   * stays: it has no jobs, and cancelled it would only lose its initializer.
   */
  #unpost(): Entry[] {
    const taken: Entry[] = [];
    for (const held of this.#held)
      if (!held.start && this.#adapter?.isQueued(held) && this.#adapter.cancel(held))
        takeJobs(held, 0, taken);
    for (const entry of taken) entry.unposted?.();
    return taken;
  }

  /**
   * Workers are free and nothing queued may start: take back the later half of the calls a busy worker
   * has not started yet (thread context; a child process's claims cannot be shared), so no call
   * waits behind another while a worker idles.
   */
  #takeBack(): void {
    if (this.#queue.ready() || !this.#adapter || this.#terminated) return;
    let free = this.#config.processes - this.#occupied();
    if (free <= 0) return;
    const candidates = [...this.#held].filter((h) => h.live > 1).sort((a, b) => b.live - a.live);
    for (const held of candidates) {
      if (free <= 0) break;
      const from = this.#adapter.takeBack(held, Math.ceil(held.live / 2));
      if (from === -1) continue;
      const taken = takeJobs(held, from);
      if (taken.length === 0) continue;
      free--;
      this.#requeue(taken);
    }
    this.#flush();
  }

  #checkIdle(): void {
    // Nothing is awaited once every batch still running was given up: the program may end, its worker too.
    if (this.#queue.size === 0 && [...this.#held].every((h) => h.live === 0))
      this.#hold = void this.#hold?.();
    if (!this.idle) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
    if (!this.#working) return;
    this.#working = false;
    this.#config.onDrain();
  }
}
