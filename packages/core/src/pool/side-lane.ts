/**
 * Side lanes (issue 18): a thread worker runs map chunks of numbers posted straight on its slot's
 * port, outside tinypool. Through tinypool each chunk is a task with its `AsyncResource`, promise,
 * callbacks and reply message, and `imap` keeps each chunk's objects until its results are read,
 * a few chunks later: over millions of items they outlive the parent's scavenges and make V8 grow
 * its young generation. A side chunk is one message each way.
 *
 *   host (SideLane)                                   worker (worker/side-run.ts)
 *   SideChunk { seq, job, spec } ── slot port ──▶  queue; run in order, one at a time
 *                                                   SIDE_RUNNING = seq, SIDE_ITEM = item (control)
 *          ◀── replies port ── SideReply { seq, reply }   then SIDE_RUNNING = 0
 *
 * Every guarantee of a batch holds, through the same `Outcome`s: a worker that dies fails only the
 * chunk whose seq is in SIDE_RUNNING (the replies it posted before are read first), and the
 * chunks it had not started run elsewhere; a cancel stops the running chunk at its next item
 * (SIDE_CANCEL) and drops the others before they start; an abort stops the worker running the
 * chunk. Only what needs none of tinypool goes this way: one chunk of numbers, no `sendToCaller`
 * listener, no `maxTasksPerChild` (each tinypool task counts there), on a worker that ran a task of
 * the pool before (its initializer succeeded) and that tinypool never stops while idle.
 *
 * Placement: tinypool does not see side chunks, so it takes a thread running them for free. A
 * side chunk goes only to a thread that runs nothing, or behind a running chunk of its own call;
 * a batch tinypool posts to a thread running side chunks goes empty instead (`divert`), and its
 * jobs go again: no call waits behind another call's chunk while a worker is free.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { BatchReply, MapJob, MapReply, SideCancel, SideChunk, SideReply } from '../internal/batch.js';
import { SIDE_CANCEL, SIDE_ITEM, SIDE_RUNNING } from '../internal/control.js';
import { type Flight, HANDED_BACK, type Outcome } from './outcome.js';
import { ThreadLink } from './progress.js';
import type { Slot, SlotState } from './slot.js';

/** Side chunks a worker may hold at once (running or queued on its port). */
const LANE_DEPTH = 2;

type Done = (flight: Flight, outcome: Outcome) => void;
type Exited = Extract<SlotState, { name: 'exited' }>;

/** The replies of a side chunk's batch, which has no call jobs (never written to). */
const NO_REPLIES: never[] = [];
/** What a posted side chunk's job holds instead of its items. */
const EMPTY = new Float64Array(0);

/** Whether `flight` can go on a side lane: one chunk of numbers, nothing tinypool must count. */
export function isSideFlight(flight: Flight): boolean {
  const { batch } = flight;
  if (batch.jobs.length !== 1 || batch.maxTasks !== 0 || batch.initArgs || flight.cancelled) return false;
  const job = batch.jobs[0]!;
  return job.kind === 'map' && !job.star && job.listener === undefined && job.items instanceof Float64Array;
}

/** The side lanes of a pool's thread workers, made as they are first used. */
export class SideLanes {
  readonly #lanes = new WeakMap<Slot, SideLane | null>();
  readonly #live = new Set<SideLane>();
  readonly #slots: () => Iterable<Slot>;
  readonly #enabled: boolean;

  /** `enabled`: thread context, and no worker is ever stopped for idling (`minProcesses` = `processes`). */
  constructor(slots: () => Iterable<Slot>, enabled: boolean) {
    this.#slots = slots;
    this.#enabled = enabled;
  }

  /**
   * Posts `flight` on the lane of a worker that runs nothing; false when it must go through
   * tinypool. When no worker is free, a chunk may queue behind a running chunk of its own call
   * (several items, so the worker does not idle between chunks of tiny tasks), never behind
   * another call's: that one waits for the first worker free, as in Python's pool.
   */
  run(flight: Flight, done: Done): boolean {
    if (!this.#enabled || !isSideFlight(flight)) return false;
    let behind: SideLane | undefined;
    let idle = false;
    for (const slot of this.#slots()) {
      const lane = this.#laneOf(slot);
      if (this.#isFree(slot)) {
        if (lane?.usable) return lane.post(flight, done);
        idle = true; // its worker has no lane yet: tinypool's path (`divert` keeps it off busy ones)
      } else if (!behind && lane?.accepts(flight.group, itemsOf(flight))) behind = lane;
    }
    return !idle && behind !== undefined && behind.post(flight, done);
  }

  /**
   * Whether a job of `group` (a map call) with `items` items may be handed over while every
   * worker has a batch: yes while no worker runs side chunks (tinypool then queues it for the
   * first worker free), else only if it can queue behind its own call's chunk on a lane.
   */
  mayQueue(group: object | undefined, items: number | undefined): boolean {
    if (!this.#enabled) return true;
    let busy = false;
    for (const lane of this.#live) {
      if (lane.accepts(group, items ?? 0)) return true;
      if (lane.load > 0 && !lane.paused) busy = true; // a paused lane's chunks come back at once
    }
    return !busy;
  }

  /**
   * tinypool is posting `flight` to `slot`'s worker, which it takes for free while side chunks run
   * there: `flight` goes empty instead (nothing transferred), answered once those chunks have run,
   * and the caller hands its jobs back, so tinypool, seeing this worker busy, gives them to a
   * free one, or to the first one free. Reports whether it did.
   */
  divert(slot: Slot, flight: Flight): boolean {
    const lane = this.#lanes.get(slot);
    // A paused lane's worker refuses its chunks: they come back at once, in order, before this one.
    if (!this.#enabled || !lane || lane.load === 0 || lane.paused) return false;
    flight.diverted = true;
    const batch = flight.batch as { jobs: unknown[]; hold?: true };
    batch.jobs = [];
    batch.hold = true;
    flight.transfer.length = 0;
    return true;
  }

  /**
   * Whether a task tinypool gets now goes to a worker at once (its queue being empty): a worker is
   * idle, and none runs side chunks (tinypool takes it for free, and `divert` sends the task back).
   */
  postsAtOnce(): boolean {
    let idle = false;
    for (const slot of this.#slots()) {
      const lane = this.#lanes.get(slot);
      if (lane && lane.load > 0 && !lane.paused) return false;
      idle ||= slot.state.name === 'idle' && !slot.dying;
    }
    return idle;
  }

  /** Whether `slot`'s worker runs nothing now: no batch of tinypool's, no side chunk. */
  #isFree(slot: Slot): boolean {
    return slot.state.name === 'idle' && !slot.dying && (this.#lanes.get(slot)?.load ?? 0) === 0;
  }

  /**
   * Reads the answers the workers posted so far, now: an `imap` loop calls this between items, so
   * that what a chunk held until its answer dies young, instead of waiting, through the loop's
   * scavenges, for the event loop's turn after the chunk being read (issue 18).
   */
  poll(): void {
    for (const lane of this.#live) lane.poll();
  }

  /** The slot answered a batch through tinypool: its worker has loaded what that batch needed. */
  answered(slot: Slot): void {
    this.#lanes.get(slot)?.resume();
  }

  #laneOf(slot: Slot): SideLane | undefined {
    let lane = this.#lanes.get(slot);
    if (lane !== undefined) return lane ?? undefined;
    const side = slot.link instanceof ThreadLink ? slot.link.side : undefined;
    // A slot whose worker has not run a task yet may get its lane later.
    if (!side || slot.tasks === 0) return undefined;
    lane = new SideLane(slot, side.port, side.words, () => this.#live.delete(lane!));
    this.#lanes.set(slot, lane);
    this.#live.add(lane);
    return lane;
  }
}

/** One worker's side lane: the chunks posted to it and not answered, in the order it runs them. */
export class SideLane {
  readonly #slot: Slot;
  readonly #to: MessagePort;
  readonly #words: Int32Array;
  readonly #from: MessagePort;
  #fromOut: MessagePort | undefined;
  readonly #queue: Flight[] = [];
  #done: Done | undefined;
  /** Set when the worker refused a chunk (its task not loaded yet): until it answers a tinypool batch. */
  #paused = false;
  #closed = false;
  readonly #onClose: () => void;

  constructor(slot: Slot, to: MessagePort, words: Int32Array, onClose: () => void) {
    this.#slot = slot;
    this.#onClose = onClose;
    this.#to = to;
    this.#words = words;
    const { port1, port2 } = new MessageChannel();
    this.#from = port1;
    this.#fromOut = port2;
    port1.on('message', (message: SideReply) => this.#answer(message));
    port1.unref();
    void slot.exited.then((exited) => this.#exited(exited));
  }

  get usable(): boolean {
    const slot = this.#slot;
    const state = slot.state.name;
    return (
      !this.#paused &&
      !this.#closed &&
      !slot.dying &&
      // Not while tinypool's batch holds the worker: a death then would take the batch's running
      // call and a side chunk at once.
      state === 'idle' &&
      this.#queue.length < LANE_DEPTH
    );
  }

  /** Chunks queued here. */
  get load(): number {
    return this.#queue.length;
  }

  /** Whether a chunk of `group` with `items` items may queue here behind the one running: its own call's. */
  accepts(group: object | undefined, items: number): boolean {
    return (
      group !== undefined &&
      items > 1 &&
      this.#queue.length === 1 &&
      this.#queue[0]!.group === group &&
      this.usable
    );
  }

  /** Whether the worker refused a chunk (its task not loaded yet) and has not answered a tinypool batch since. */
  get paused(): boolean {
    return this.#paused;
  }

  resume(): void {
    this.#paused = false;
  }

  post(flight: Flight, done: Done): boolean {
    const { batch } = flight;
    const chunk: SideChunk = {
      seq: batch.seq,
      job: batch.jobs[0] as MapJob,
      spec: batch.tasks[0]!,
      init: batch.init?.id ?? null,
      ...(this.#fromOut ? { replies: this.#fromOut } : {}),
    };
    const transfer = this.#fromOut ? [...flight.transfer, this.#fromOut] : flight.transfer;
    try {
      this.#to.postMessage(chunk, transfer as never);
    } catch {
      return false; // nothing was transferred: tinypool's path reports what is wrong with it
    }
    this.#fromOut = undefined;
    // What was posted is the worker's now (its buffer went by transfer): nothing of it is kept
    // until the reply, through the scavenges of an imap loop. A chunk sent again is built anew.
    flight.transfer.length = 0;
    (chunk.job as { items: unknown }).items = EMPTY;
    this.#done = done;
    flight.slot = this.#slot;
    flight.lane = this;
    this.#slot.batches++;
    this.#queue.push(flight);
    this.#from.ref();
    return true;
  }

  /** Reads what the worker answered so far (see `SideLanes.poll`). */
  poll(): void {
    if (this.#queue.length === 0 || this.#closed) return;
    for (let m = receiveMessageOnPort(this.#from); m; m = receiveMessageOnPort(this.#from))
      this.#answer(m.message as SideReply);
  }

  /** Whether the worker is running `flight` now. */
  isRunning(flight: Flight): boolean {
    return Atomics.load(this.#words, SIDE_RUNNING) === flight.batch.seq;
  }

  /** Stops `flight` at its next item if it runs, or before it starts. */
  cancel(flight: Flight): void {
    flight.cancelled = true;
    if (this.#closed) return;
    Atomics.store(this.#words, SIDE_CANCEL, flight.batch.seq);
    const message: SideCancel = { cancel: flight.batch.seq };
    this.#to.postMessage(message);
    // Nobody waits for what is left: the worker, still running its current item, holds nothing.
    if (this.#queue.every((f) => f.cancelled)) this.#from.unref();
  }

  #answer(message: SideReply): void {
    const index = this.#queue.findIndex((f) => f.batch.seq === message.seq);
    if (index === -1) return;
    const flight = this.#queue[index]!;
    this.#queue.splice(index, 1);
    if (this.#queue.length === 0) this.#from.unref();
    if (!('reply' in message)) {
      if ('refused' in message) this.#paused = true;
      this.#done!(flight, HANDED_BACK);
      return;
    }
    this.#slot.tasks++;
    this.#done!(flight, replied(message.reply));
  }

  /** The worker is gone: its posted replies are read, then each chunk left ends by how it went. */
  #exited(exited: Exited): void {
    this.#closed = true;
    this.#onClose();
    for (let m = receiveMessageOnPort(this.#from); m; m = receiveMessageOnPort(this.#from))
      this.#answer(m.message as SideReply);
    const running = Atomics.load(this.#words, SIDE_RUNNING);
    const item = Atomics.load(this.#words, SIDE_ITEM);
    const left = this.#queue.splice(0);
    this.#from.close();
    for (const flight of left) {
      const ran = flight.batch.seq === running;
      this.#done!(flight, endedBy(exited, ran, item, this.#slot.cause));
    }
  }
}

function itemsOf(flight: Flight): number {
  return (flight.batch.jobs[0] as MapJob).items.length;
}

function replied(map: MapReply): Outcome {
  const reply: BatchReply = { ran: 1, ms: map.ms ?? 0 };
  return { kind: 'reply', reply, jobs: { claimed: 1, replies: NO_REPLIES, map, item: 0, inInit: false } };
}

function endedBy(exited: Exited, ran: boolean, item: number, cause: unknown): Outcome {
  if (exited.reason === 'terminated' || exited.reason === 'closed') return { kind: 'terminated' };
  if (!ran) return HANDED_BACK;
  if (exited.reason === 'aborted') return { kind: 'aborted' };
  const jobs = { claimed: 1, replies: NO_REPLIES, item, inInit: false };
  return { kind: 'crashed', exitCode: exited.exitCode, signal: exited.signal, cause, jobs };
}
