/**
 * Worker side of a batch's progress: how a pool worker claims its jobs and commits each call's
 * reply before it starts the next job, so that the host can tell, after this worker died, which
 * call was running, which had finished (with their replies), and which never started.
 *
 * - Thread workers use their slot's shared control block (`internal/control.ts`): a claim is one
 *   CAS, a small reply is written there, any other reply is posted on the slot's port. Nothing
 *   waits; the host reads it all when the batch ends or the thread dies.
 * - Child processes send `ProgressMessage`s over their IPC channel and wait for each to be written
 *   to the pipe (a nextTick when the pipe takes it at once) before the step it announces: a
 *   SIGKILL can then only lose what the child had not started. A child that dies in between
 *   (`process.exit()` or an uncaught error from a timer) commits at its `exit` what is still
 *   pending: the reply of the call that finished, and that the job it announced never ran.
 */
import type { MessagePort } from 'node:worker_threads';
import type {
  Batch,
  CallReply,
  CancelMessage,
  MapJob,
  MapReply,
  PostedReply,
  ProgressMessage,
} from '../internal/batch.js';
import { clockMs } from '../internal/clock.js';
import { Control, Phase } from '../internal/control.js';
import { restoreProcess } from './own-process.js';
import { cloneFailure, ignore, readChannel, send, sendNow } from './progress-send.js';
import { refusedMap } from './reply-guard.js';

/** What `item()` asks of the map loop. */
export const Step = { GO: 0, CANCELLED: 1, PAUSE: 2 } as const;

/**
 * A child's map loop looks at the clock every `stride` items (doubling while items take under
 * FAST_ITEM_MS each, back to 1 once they take longer), and yields to its event loop, so that a
 * cancel can arrive, once PAUSE_AFTER_MS have passed since it last did.
 */
const MAX_STRIDE = 256;
const FAST_ITEM_MS = 0.02;
const PAUSE_AFTER_MS = 5;
/**
 * At a clock check, once this long has passed since it last told the host which item its map loop
 * runs, a child tells it again, without waiting (a small message on an idle channel is in the pipe
 * when `send()` returns, so a SIGKILL during that item cannot lose it): an item of half a millisecond or
 * more is named exactly when the child is killed outright, at one message per 0.5 ms at most.
 */
const REPORT_ITEM_MS = 0.5;

export interface Reporter {
  /** The initializer is about to run. */
  initStarting(): void | Promise<void>;
  /** The initializer returned or threw; the job claims may begin once this settles. */
  initEnded(): void | Promise<void>;
  /**
   * The module of the batch's task `task` (its index in `Batch.tasks`), not loaded here, is about
   * to be imported (its top level runs); told again for each such module, one after another.
   */
  loadStarting(task: number): void | Promise<void>;
  /** Those imports ended; the job claims may begin once this settles. */
  loadEnded(): void | Promise<void>;
  /** Claims the next job; -1 when there is none left for this worker. */
  claim(): number;
  /** Job `job` (just claimed) is about to run. */
  starting(job: number): void | Promise<void>;
  /** Job `job` runs now: from here on, a death is its own (after `starting()` settled). */
  entered(job: number): void;
  /**
   * A call job finished; its reply is committed before the next job starts. `transfer` is what the
   * reply moves (a thread transfers it; a child's pipe copies it).
   */
  finished(job: number, reply: CallReply, transfer: object[]): void;
  /**
   * Commits a map job's reply that moves `transfer` (a thread's results buffer) apart from the
   * batch's answer; false when this worker cannot (a child: it goes with the `BatchReply`).
   */
  postMap(job: number, reply: MapReply, transfer: object[]): boolean;
  /** Claims nothing more: the jobs not claimed yet go back to the host. */
  close(): void;
  /** The batch is over. */
  end(): void | Promise<void>;
  /** The map loop is about to run item `item` of its chunk. */
  item(item: number): number;
  /** Lets a cancel reach a child process's map loop (after `item()` answered PAUSE); false if one did. */
  pause(item: number): Promise<boolean>;
}

/** This thread's slot: its port and control block, sent with the first batch only (see `Batch.control`). */
let slotPort: MessagePort | undefined;
let slotControl: Control | undefined;

/**
 * Takes this thread's slot from `batch` when it carries it (its first batch), also one that runs
 * nothing (a batch the host emptied as it gave it up, a worker's start): later batches report there.
 */
export function adoptSlot(batch: Batch): void {
  if (!batch.port || batch.port === slotPort) return;
  slotPort?.close();
  slotPort = batch.port;
  slotControl = new Control(batch.control!);
}

class ThreadReporter implements Reporter {
  readonly #control: Control;
  readonly #seq: number;
  readonly #jobs: Batch['jobs'];
  #started = false;

  constructor(batch: Batch) {
    adoptSlot(batch);
    this.#control = slotControl!;
    this.#seq = batch.seq;
    this.#jobs = batch.jobs;
  }

  initStarting(): void {
    this.#control.setPhase(Phase.INIT);
  }

  /** The claim word is read as it is claimed: nothing to wait for. */
  initEnded(): void {
    restoreProcess();
  }

  loadStarting(task: number): void {
    this.#control.setLoading(task);
  }

  /** Back to no phase (the initializer, if any, ended before): a death from here is no load's. */
  loadEnded(): void {
    restoreProcess();
    this.#control.setPhase(Phase.IDLE);
  }

  claim(): number {
    return this.#control.claim();
  }

  starting(): void {
    if (this.#started) return;
    this.#started = true;
    this.#control.setPhase(Phase.JOBS);
  }

  entered(): void {}

  finished(job: number, reply: CallReply, transfer: object[]): void {
    restoreProcess();
    if (transfer.length === 0 && this.#control.write(job, reply)) return;
    const message: PostedReply = { seq: this.#seq, job, reply };
    try {
      slotPort!.postMessage(message, transfer as never);
    } catch (err) {
      // The value passed the codec yet cannot be cloned: the call fails, the batch goes on.
      slotPort!.postMessage({ seq: this.#seq, job, reply: cloneFailure(err, reply) });
    }
    this.#control.posted(job);
  }

  postMap(job: number, reply: MapReply, transfer: object[]): boolean {
    restoreProcess();
    const message: PostedReply = { seq: this.#seq, job, reply };
    try {
      slotPort!.postMessage(message, transfer as never);
    } catch (err) {
      const base = (this.#jobs[job] as MapJob | undefined)?.base ?? 0;
      slotPort!.postMessage({ seq: this.#seq, job, reply: refusedMap(reply, base, err) });
    }
    this.#control.posted(job);
    return true;
  }

  close(): void {
    this.#control.close();
  }

  end(): void {
    restoreProcess();
  }

  item(item: number): number {
    this.#control.setItem(item);
    return this.#control.cancelled() ? Step.CANCELLED : Step.GO;
  }

  pause(): Promise<boolean> {
    return Promise.resolve(!this.#control.cancelled());
  }
}

let current: ProcessReporter | undefined;
/** Cancels that came before their batch began (its batch is the next one: one runs at a time). */
const early = new Set<number>();

class ProcessReporter implements Reporter {
  readonly seq: number;
  cancelled = false;
  #next = 0;
  #end: number;
  #pending: Extract<ProgressMessage, { step: 'done' }> | undefined;
  /** The job announced as started whose code has not begun, or -1. */
  #announced = -1;
  /** The item of its map chunk the loop last reached (told the host at exit), or -1. */
  #item = -1;
  #paused = clockMs();
  /** When the host was last told which item runs (an `item` message, or the job's start). */
  #reported = this.#paused;
  #checked: number | undefined;
  #stride = 1;
  #countdown = 1;

  constructor(batch: Batch) {
    this.seq = batch.seq;
    this.cancelled = early.delete(batch.seq);
    early.clear();
    this.#end = batch.jobs.length;
    current = this;
  }

  initStarting(): Promise<void> {
    return send({ __multiproc_batch__: this.seq, step: 'init' });
  }

  /**
   * Tells the host, then lets the loop read the channel before any claim: the initializer held the
   * loop (a blocking one never let it poll), so a cancel the host sent meanwhile still waits in the
   * pipe, while the batch itself was read before. Two `setImmediate`s: the first may run in the check
   * phase right after the poll that read the batch, the second comes after one more poll (libuv reads
   * a readable pipe then, and Node emits its messages in `nextTick`s within that phase).
   */
  async initEnded(): Promise<void> {
    restoreProcess();
    await send({ __multiproc_batch__: this.seq, step: 'initEnd' });
    await readChannel();
  }

  loadStarting(task: number): Promise<void> {
    return send({ __multiproc_batch__: this.seq, step: 'load', task });
  }

  /** As `initEnded()`: a module's top level may have held the loop, the cancel waits in the pipe. */
  async loadEnded(): Promise<void> {
    restoreProcess();
    await send({ __multiproc_batch__: this.seq, step: 'loadEnd' });
    await readChannel();
  }

  claim(): number {
    if (this.cancelled || this.#next >= this.#end) return -1;
    return this.#next++;
  }

  starting(job: number): Promise<void> {
    restoreProcess();
    const pending = this.#pending;
    this.#pending = undefined;
    this.#paused = clockMs();
    this.#reported = this.#paused;
    this.#announced = job;
    this.#item = -1;
    return send(pending ? { ...pending, next: job } : { __multiproc_batch__: this.seq, step: 'start', job });
  }

  entered(): void {
    this.#announced = -1;
  }

  /** At the child's `exit`: commits what is pending (a write the pipe takes at once, when it is idle). */
  commitAtExit(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) sendNow(pending);
    if (this.#announced >= 0)
      sendNow({ __multiproc_batch__: this.seq, step: 'unstart', job: this.#announced });
    // The item its map chunk was running: the host names it in the WorkerCrashedError and sends the
    // chunk's other items again (an imap without chunksize). A SIGKILL or a fatal error skips this:
    // the host then knows only the item it last reported (see REPORT_ITEM_MS).
    else if (this.#item >= 0)
      sendNow({ __multiproc_batch__: this.seq, step: 'item', item: this.#item, final: true });
    this.#announced = -1;
  }

  finished(job: number, reply: CallReply): void {
    restoreProcess();
    this.#pending = { __multiproc_batch__: this.seq, step: 'done', job, reply, next: -1 };
  }

  postMap(): boolean {
    return false;
  }

  close(): void {
    this.#end = this.#next;
  }

  async end(): Promise<void> {
    restoreProcess();
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) await send(pending);
    if (current === this) current = undefined;
  }

  item(item: number): number {
    this.#item = item;
    if (--this.#countdown > 0) return Step.GO;
    restoreProcess(); // the items' task may have replaced it: the clock and the channel need it
    const now = clockMs();
    const fast = this.#checked !== undefined && now - this.#checked < FAST_ITEM_MS * this.#stride;
    this.#stride = fast ? Math.min(this.#stride * 2, MAX_STRIDE) : 1;
    this.#checked = now;
    this.#countdown = this.#stride;
    if (this.cancelled) return Step.CANCELLED;
    if (now - this.#paused >= PAUSE_AFTER_MS) return Step.PAUSE;
    if (now - this.#reported >= REPORT_ITEM_MS) {
      this.#reported = now;
      process.send?.(
        { __multiproc_batch__: this.seq, step: 'item', item } satisfies ProgressMessage,
        undefined,
        undefined,
        ignore,
      );
    }
    return Step.GO;
  }

  async pause(item: number): Promise<boolean> {
    restoreProcess();
    await send({ __multiproc_batch__: this.seq, step: 'item', item });
    await new Promise((resolve) => setImmediate(resolve));
    this.#paused = clockMs();
    this.#reported = this.#paused;
    return !this.cancelled;
  }
}

/** The reporter for one batch, for this kind of worker. */
export function reporterFor(batch: Batch, isThread: boolean): Reporter {
  return isThread ? new ThreadReporter(batch) : new ProcessReporter(batch);
}

/**
 * A child process listens for the host's cancel of its batch (its running map chunk stops at the
 * next item, and it claims no job more), and commits its batch's pending progress when it exits.
 */
export function listenForCancel(): void {
  process.on('message', (message: CancelMessage) => {
    const seq = message?.__multiproc_cancel__;
    if (seq === undefined) return;
    if (current?.seq === seq) current.cancelled = true;
    else early.add(seq);
  });
  process.on('exit', () => current?.commitAtExit());
}
