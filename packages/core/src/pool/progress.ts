/**
 * Host side of a batch's progress (the worker side is `worker/reporter.ts`): what a worker slot
 * knows of the batch it was handed, read when the batch ends or when the worker died, so a crash
 * is charged to the one call that was running.
 *
 * - `ThreadLink`: the slot's control block and the port its worker posts large call replies on.
 *   The port is never started: the host drains it with `receiveMessageOnPort` when it collects a
 *   batch, so a batch of a thousand calls costs no wake-up per call.
 * - `ProcessLink`: the progress messages a child sends over its IPC channel, which arrive in order
 *   and before the batch's answer (tinypool's own reply takes one more hop, through a port).
 */

import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { SerializationError } from '@multiproc/shared';
import type {
  CallReply,
  CancelMessage,
  MapReply,
  PostedReply,
  ProgressMessage,
  SlotExit,
  SlotJoining,
} from '../internal/batch.js';
import { Control, Phase } from '../internal/control.js';
import { toErrorRecord } from '../internal/error-record.js';
import type { Flight, JobsState } from './outcome.js';

/** The codec's depth limit (see `MAX_NESTING` in @multiproc/shared), for the message. */
const MAX_NESTING_HINT = 1000;

/** One batch's progress as the slot that runs it sees it. */
export interface Progress {
  /** How far the batch got; call it once the batch ended or its worker died. */
  collect(): JobsState;
  /** Takes back up to `count` jobs the worker has not started; the first one's index, or -1. */
  takeBack(count: number): number;
  /** Asks the worker to run nothing more of the batch (a map chunk stops at its next item). */
  cancel(): void;
  /**
   * Asks the worker to start no job of the batch from now on (its call was aborted or timed out):
   * true when none runs now nor will (the worker answers the batch without running more), false
   * when one runs. A child that started one before the cancel reached it has `started` called as
   * its start message arrives (in the order the child sent them, before its answer).
   */
  abort(started: () => void): boolean;
  /**
   * Whether the worker runs the pool's initializer for this batch now, and will read the abort before
   * it claims a job once that ends (a thread: its claim word), so an abort waits for it.
   */
  initializing(): boolean;
  /**
   * Which task module the worker imports now (its top level runs, before any job is claimed): the
   * index in `Batch.tasks` of a task of it, or -1 when it imports none. It reads the abort before
   * it claims a job once its imports end, so an abort waits for them.
   */
  loading(): number;
}

/** A worker slot's side of the progress protocol. */
export interface SlotLink {
  /** Called as the flight is posted to this slot's worker (it may add to the batch). */
  begin(flight: Flight): Progress;
  /** The flight could not be posted after all (structured clone refused it). */
  unsent(flight: Flight): void;
  dispose(): void;
}

/** The replies of a batch without call jobs (never written to). */
const NO_REPLIES: (CallReply | undefined)[] = [];

export class ThreadLink implements SlotLink {
  readonly #control = Control.create();
  readonly #port: MessagePort;
  #portOut: MessagePort | undefined;
  /**
   * The port as the batch that carries it to the worker holds it (`Batch.port`): that batch may
   * still come back unsent. The port, not the flight: a flight reaches its call's whole input.
   */
  #portSent: MessagePort | undefined;
  #current: ThreadProgress | undefined;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#port.unref();
    this.#portOut = port2;
  }

  begin(flight: Flight): Progress {
    // tinypool hands the next batch over while the previous answer is still on its way to us:
    // read the previous batch out of the block before the block is reset for this one.
    this.#current?.collect();
    this.#control.reset(flight.batch.jobs.length, flight.cancelled);
    if (flight.cancelled) flight.batch.cancelled = true;
    if (this.#portOut) {
      // The worker keeps both for every later batch (see `Batch.control`).
      flight.batch.control = this.#control.buffer;
      flight.batch.port = this.#portOut;
      flight.transfer.push(this.#portOut);
      this.#portSent = this.#portOut;
      this.#portOut = undefined;
    }
    const progress = new ThreadProgress(this.#control, this.#port, flight, () => {
      // Collected: what it read (the batch's results) is its flight's now, never the link's, so
      // an idle worker's last results die with their call (CPython bpo-29861).
      if (this.#current === progress) this.#current = undefined;
    });
    this.#current = progress;
    return progress;
  }

  /** The port and control words side chunks use (`side-lane.ts`); undefined until the worker has them. */
  get side(): { readonly port: MessagePort; readonly words: Int32Array } | undefined {
    return this.#portOut ? undefined : { port: this.#port, words: this.#control.words };
  }

  /**
   * Asks the worker to exit with code 0 (`SlotExit`): false when it never got the port (then it
   * never ran a batch, and has taken nothing to keep).
   */
  askToExit(): boolean {
    if (this.#portOut) return false;
    const exit: SlotExit = { exit: 0 };
    this.#port.postMessage(exit);
    return true;
  }

  /**
   * Whether the thread, asked to exit, said it first joins its non-daemon Processes (a
   * {@link SlotJoining} on the port; nothing else is posted there once the slot is idle).
   */
  joiningChildren(): boolean {
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port)) {
      if ((m.message as Partial<SlotJoining> | null)?.joining === true) return true;
    }
    return false;
  }

  unsent(flight: Flight): void {
    // A message that fails to clone transfers nothing: the port is still ours to send.
    if (this.#portSent === undefined || flight.batch.port !== this.#portSent) return;
    this.#portOut = this.#portSent;
    this.#portSent = undefined;
    flight.batch.control = undefined;
    flight.batch.port = undefined;
  }

  dispose(): void {
    this.#port.close();
  }
}

class ThreadProgress implements Progress {
  readonly #control: Control;
  readonly #port: MessagePort;
  /** Dropped once collected, as the link drops this progress (`collected`). */
  #flight: Flight | undefined;
  #state: JobsState | undefined;
  readonly #collected: () => void;

  constructor(control: Control, port: MessagePort, flight: Flight, collected: () => void) {
    this.#control = control;
    this.#port = port;
    this.#flight = flight;
    this.#collected = collected;
  }

  collect(): JobsState {
    if (this.#state) return this.#state;
    const control = this.#control;
    const { jobs, seq } = this.#flight!.batch;
    this.#flight = undefined;
    const claimed = control.claimed();
    // A map chunk has no call replies: it allocates no list for them (issue 18).
    let replies: (CallReply | undefined)[] = NO_REPLIES;
    let map: MapReply | undefined;
    let at: { offset: number } | undefined;
    for (let job = 0; job < claimed; job++) {
      if (jobs[job]!.kind !== 'call') {
        // A map reply that moves its results buffer back was posted (see `PostedReply`).
        if (control.isPosted(job)) map = this.#posted(seq, job) as MapReply | undefined;
        continue;
      }
      if (replies === NO_REPLIES) replies = [];
      at ??= { offset: 0 };
      const read = control.read(job, at);
      // A reply posted just before the worker died may lack its tag: the port has it anyway.
      replies[job] = read === undefined || read === 'posted' ? this.#postedCall(seq, job) : read;
    }
    const phase = control.phase();
    this.#state = { claimed, replies, map, item: control.item(), inInit: phase === Phase.INIT };
    this.#collected();
    return this.#state;
  }

  /**
   * A call's posted reply; one this thread cannot read (V8's deserializer overflowed its stack on
   * a value the sender's checks let through) fails that call instead of throwing out of the pool.
   */
  #postedCall(seq: number, job: number): CallReply | undefined {
    try {
      return this.#posted(seq, job) as CallReply | undefined;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const refused = new SerializationError(
        'result',
        `Cannot receive result: ${why}. Send a flatter value (at most ${MAX_NESTING_HINT} levels deep).`,
        { cause: error },
      );
      return { ok: false, error: toErrorRecord(refused) };
    }
  }

  /** The next reply on the port: jobs post in order, so it is this job's or there is none. */
  #posted(seq: number, job: number): PostedReply['reply'] | undefined {
    const posted = receiveMessageOnPort(this.#port)?.message as PostedReply | undefined;
    return posted && posted.seq === seq && posted.job === job ? posted.reply : undefined;
  }

  takeBack(count: number): number {
    return this.#state ? -1 : this.#control.takeBack(count);
  }

  cancel(): void {
    if (!this.#state) this.#control.cancel();
  }

  abort(): boolean {
    if (this.#state) return true;
    // One CAS on the claim word takes back every job not claimed: the worker claims a job before
    // it runs any of it, so the jobs it claimed before that are the only ones that ran or run.
    this.#control.cancel();
    const claimed = this.#control.claimed();
    return claimed === 0 || this.#control.committed(claimed - 1);
  }

  initializing(): boolean {
    return !this.#state && this.#control.phase() === Phase.INIT;
  }

  loading(): number {
    return this.#state ? -1 : this.#control.loadingTask();
  }
}

export class ProcessLink implements SlotLink {
  readonly #send: (message: CancelMessage) => void;
  readonly #open = new Map<number, ProcessProgress>();

  constructor(send: (message: CancelMessage) => void) {
    this.#send = send;
  }

  begin(flight: Flight): Progress {
    if (flight.cancelled) flight.batch.cancelled = true;
    const progress = new ProcessProgress(flight.batch.seq, this.#send, () =>
      this.#open.delete(flight.batch.seq),
    );
    this.#open.set(flight.batch.seq, progress);
    return progress;
  }

  unsent(): void {}

  /** A progress message from the child. */
  receive(message: ProgressMessage): void {
    this.#open.get(message.__multiproc_batch__)?.receive(message);
  }

  dispose(): void {
    this.#open.clear();
  }
}

class ProcessProgress implements Progress {
  readonly #seq: number;
  readonly #send: (message: CancelMessage) => void;
  readonly #close: () => void;
  readonly #replies: (CallReply | undefined)[] = [];
  #claimed = 0;
  #item = 0;
  // Whether the child told the item it was running as it exited (else #item is where it paused last).
  #itemExact = false;
  #inInit = false;
  /** Between its `init` and `initEnd` (or a start): the child runs the pool's initializer now. */
  #initRunning = false;
  /** Between its `load` and `loadEnd` (or a start): the task whose module the child imports now, else -1. */
  #loadRunning = -1;
  #state: JobsState | undefined;
  /** Told when the child announces a job after the batch was aborted (see `abort`). */
  #abortedStart: (() => void) | undefined;

  constructor(seq: number, send: (message: CancelMessage) => void, close: () => void) {
    this.#seq = seq;
    this.#send = send;
    this.#close = close;
  }

  receive(message: ProgressMessage): void {
    switch (message.step) {
      case 'init':
        this.#inInit = true;
        this.#initRunning = true;
        break;
      case 'initEnd':
        this.#initRunning = false;
        break;
      case 'load':
        // The initializer, if any, ended before: a death from here on is no initializer's.
        this.#inInit = false;
        this.#loadRunning = message.task;
        break;
      case 'loadEnd':
        this.#loadRunning = -1;
        break;
      case 'start':
        this.#started(message.job);
        break;
      case 'done':
        this.#replies[message.job] = message.reply;
        if (message.next >= 0) this.#started(message.next);
        break;
      case 'item':
        this.#item = message.item;
        this.#itemExact = message.final === true;
        break;
      case 'unstart':
        // The child died between announcing this job and running any of it: it runs elsewhere.
        this.#claimed = Math.min(this.#claimed, message.job);
        break;
    }
  }

  #started(job: number): void {
    this.#inInit = false;
    this.#initRunning = false;
    this.#loadRunning = -1;
    this.#item = 0;
    this.#itemExact = false;
    this.#claimed = Math.max(this.#claimed, job + 1);
    const started = this.#abortedStart;
    this.#abortedStart = undefined;
    started?.();
  }

  collect(): JobsState {
    if (!this.#state) {
      this.#state = {
        claimed: this.#claimed,
        replies: this.#replies,
        item: this.#item,
        itemExact: this.#itemExact,
        inInit: this.#inInit,
      };
      this.#close();
    }
    return this.#state;
  }

  /** A child's main thread may be busy in a task: jobs cannot be taken back from it. */
  takeBack(): number {
    return -1;
  }

  cancel(): void {
    if (!this.#state) this.#send({ __multiproc_cancel__: this.#seq });
  }

  abort(started: () => void): boolean {
    if (this.#state) return true;
    // A job announced and not done runs (a map chunk's reply comes with the answer: it runs until then).
    if (this.#claimed > 0 && this.#replies[this.#claimed - 1] === undefined) return false;
    // The child claims a job only once the messages read with its batch were handled: a cancel
    // there (the same turn as the post) is seen first. One that reaches it later finds it started.
    this.#abortedStart = started;
    this.cancel();
    return true;
  }

  /** A child reads the channel once its initializer ended (`initEnd`), before it claims a job. */
  initializing(): boolean {
    return !this.#state && this.#initRunning;
  }

  /** A child reads the channel once its task modules loaded (`loadEnd`), before it claims a job. */
  loading(): number {
    return this.#state ? -1 : this.#loadRunning;
  }
}

/** Tells a progress message of a child apart from its other messages. */
export function isProgressMessage(message: unknown): message is ProgressMessage {
  return typeof message === 'object' && message !== null && '__multiproc_batch__' in message;
}
