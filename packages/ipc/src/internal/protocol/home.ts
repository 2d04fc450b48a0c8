/**
 * The home of one queue or pipe, without I/O: it takes events (a local get or put, a frame from a
 * copy, a copy's link closing, a reserved copy's worker ending) and emits {@link HomeActions}
 * (frames to send, waits to settle, links to end or keep alive). The runtime (home-runtime.ts)
 * wires it to links and promises; the model test (test/protocol.model.test.ts) to an in-memory wire.
 *
 * A queue has one endpoint reading and writing one channel. A pipe has two endpoints and one
 * channel per direction (one in all for `duplex: false`); endpoint 0 reads channel 0.
 *
 * This file holds the home thread's own handles (gets, puts, watches, joins); what the home does
 * for its copies (their frames and lifecycle) is in home-copies.ts.
 */
import { Channel } from './channel.js';
import { QueueCount } from './count.js';
import { BarrierTimer, FlushBarrier } from './flush-barrier.js';
import { HomeOfCopies } from './home-copies.js';
import type { HomeActions, Wait } from './home-copy.js';
import { type Item, MOVED_TAG, type Taken } from './item.js';
import { Op } from './ops.js';
import { recallPlaces } from './places.js';
import type { ChannelEndpoint, PutWait, ReaderCopy } from './reader-copy.js';
import { Tasks } from './tasks.js';

export type HomeKind =
  | { readonly kind: 'queue'; readonly maxsize: number; readonly joinable: boolean }
  | { readonly kind: 'pipe'; readonly duplex: boolean };

export class HomeProtocol extends HomeOfCopies {
  readonly isQueue: boolean;
  /** A JoinableQueue's unfinished tasks. */
  readonly tasks: Tasks;
  readonly joinable: boolean;
  // A JoinableQueue's join asks its copies in other processes first (flush-barrier.ts).
  readonly #barrier: FlushBarrier;

  constructor(kind: HomeKind, out: HomeActions) {
    const isQueue = kind.kind === 'queue';
    const joinable = kind.kind === 'queue' && kind.joinable;
    // A queue's size and unfinished tasks, in shared memory (count.ts).
    const count = new QueueCount(isQueue ? Math.max(0, kind.maxsize) : 0);
    let copies: () => Iterable<ReaderCopy> = () => [];
    const barrier = new FlushBarrier(out, count, () => copies());
    const tasks = new Tasks(out, count, barrier);
    let onLocalDone = () => {};
    const channel = (maxsize: number) =>
      new Channel(out, {
        maxsize,
        count: isQueue ? count : null,
        endsWithWriters: !isQueue,
        // Only a JoinableQueue counts puts (unless a thread copy did): a plain queue's calls nothing.
        onAdmit: joinable ? (counted) => counted || tasks.add() : null,
        onLocalDone: () => onLocalDone(),
        onPressure: () => recallPlaces(copies(), out),
      });
    const endpoint = (index: number, read: Channel | null, write: Channel | null): ChannelEndpoint => ({
      index,
      read,
      write,
      local: false,
      copies: new Set(),
      held: false,
    });
    let endpoints: ChannelEndpoint[];
    if (kind.kind === 'queue') {
      const ch = channel(Math.max(0, kind.maxsize));
      endpoints = [endpoint(0, ch, ch)];
    } else {
      const c0 = channel(0);
      const c1 = kind.duplex ? channel(0) : null;
      // One-way: [receive end, send end], as in Python.
      endpoints = [endpoint(0, c0, c1), endpoint(1, c1, c0)];
    }
    super(out, endpoints);
    this.isQueue = isQueue;
    this.joinable = joinable;
    this.tasks = tasks;
    this.#barrier = barrier;
    copies = () => this.endpoints[0]!.copies;
    onLocalDone = () => this.updateHolds();
    for (const e of this.endpoints) this.openLocal(e.index);
  }

  // ── the home thread's own handles ──────────────────────────────────────────────────────────

  /** Adds an item if there is room; false when full. */
  tryPut(end: number, item: Item): boolean {
    return this.endpoints[end]!.write!.tryPut(item);
  }

  /** Queues a local put (`w.local`) until there is room; settled `true`, or cancelled. */
  waitPut(end: number, w: PutWait): void {
    this.endpoints[end]!.write!.waitPut(w);
    this.updateHolds();
  }

  /** Takes an item that is here now; EOF when none is left and none can come. */
  tryTake(end: number): Taken | undefined {
    return this.endpoints[end]!.read!.tryTake();
  }

  /** Queues a local get; settled with an item or EOF. */
  waitTake(end: number, w: Wait): void {
    this.endpoints[end]!.read!.waitTake(w);
    this.updateHolds();
  }

  /** Calls `cb` whenever an item or EOF can be taken from `end`, until the returned function is called. */
  watch(end: number, cb: () => void): () => void {
    const off = this.endpoints[end]!.read!.watch(cb);
    this.updateHolds();
    return () => {
      off();
      this.updateHolds();
    };
  }

  /** Ends a local get or put that timed out; false when it was already over. */
  cancel(end: number, w: Wait, isPut: boolean): boolean {
    const e = this.endpoints[end]!;
    const ok = (isPut ? e.write : e.read)!.cancel(w, isPut);
    this.updateHolds();
    return ok;
  }

  /**
   * Hands a JSON-exact value straight to the one reading copy when it would take it next anyway
   * and its link can send it at once, unserialized (a port clones it); false when it cannot (put
   * it instead). The home keeps `keep(value)`, a private copy, until the copy reports it taken: a
   * thread that ends without giving it back (process.exit(), terminate(), a crash) returns nothing,
   * and its link's close puts the copy back at the front.
   */
  sendNow(end: number, value: unknown, keep: (value: unknown) => Item): boolean {
    const ch = this.endpoints[end]!.write!;
    const c = this.#takesNow(ch);
    if (!c?.moves) return false;
    const tag = c.nowTag;
    if (!this.out.sendNow(c, Op.H_DATA_VALUE, c.epoch, tag, value)) return false;
    c.pushedNow(ch, tag, keep(value));
    return true;
  }

  /**
   * A pipe's `sendBytes()` of `bytes` (big): as {@link sendNow}, written by the copy's socket at
   * once; false: put it instead. The home keeps the item the socket writes, a private copy of the
   * bytes, until the copy reports it taken: a process stopped by a signal returns nothing, and its
   * link's close puts the copy back at the front. (Before, the socket wrote the sender's memory and
   * the home kept nothing, {@link MOVED_TAG}: a process killed holding the bytes lost them.)
   */
  sendBytesNow(end: number, bytes: Uint8Array): boolean {
    const ch = this.endpoints[end]!.write;
    const c = !this.isQueue && ch && !ch.broken ? this.#takesNow(ch) : null;
    if (!c) return false;
    const tag = c.nowTag;
    const item = this.out.sendBytesNow(c, Op.H_DATA, c.epoch, tag, bytes);
    if (item === null) return false;
    c.pushedNow(ch!, tag, item);
    return true;
  }

  /**
   * The one reading copy of what `end` sends, when an item sent now would wait here only for want
   * of that copy's frames (its demand, its answer to a recall, a moved item it returns): what it
   * sends next lets items go to it again. Null when none would wait, or anything else stands first.
   */
  stalledReader(end: number): ReaderCopy | null {
    const ch = this.endpoints[end]!.write;
    if (!ch || ch.broken || ch.localTakers > 0 || ch.readers.size !== 1) return null;
    const c = ch.readers.values().next().value!;
    if (c.phase !== 'open' || c.ending) return null;
    return ch.items.length > 0 || c.recalled || c.hard + c.soft === 0 || ch.waitingBacks > 0 ? c : null;
  }

  // The one reading copy, if it takes an item put now next anyway (nothing before it, nobody else
  // waiting, credit left, nothing coming back).
  #takesNow(ch: Channel): ReaderCopy | null {
    if (ch.items.length > 0 || ch.localTakers > 0 || ch.full() || ch.readers.size !== 1) return null;
    const c = ch.readers.values().next().value!;
    const ready = c.phase === 'open' && !c.recalled && c.hard + c.soft > 0;
    return ready && ch.hardWaiting === c.hard && ch.waitingBacks === 0 ? c : null;
  }

  taskDone(n: number): boolean {
    if (!this.tasks.done(n)) return false;
    for (const c of this.main.readers) c.dirty = true;
    this.updateHolds();
    return true;
  }

  /** True when no task is unfinished; otherwise queues `w`, settled once none is. */
  join(w: Wait): boolean {
    const done = this.tasks.join(w);
    this.updateHolds();
    return done;
  }

  /** Ends a local join that was abandoned. */
  cancelJoin(w: Wait): void {
    this.tasks.cancel(w);
    this.updateHolds();
  }

  // ── a JoinableQueue's flush barrier (flush-barrier.ts) ─────────────────────────────────────

  override frame(c: ReaderCopy, op: number, a: number, b: number, body: Item): void {
    this.#barrier.heard(c);
    if (op === Op.R_FLUSHED) this.#barrier.answered(c, a);
    else super.frame(c, op, a, b, body);
    // What it put before R_CLOSE came before it: a join need not wait for its link to end.
    if (op === Op.R_CLOSE && this.joinable) this.#barrier.drop(c);
    if (op === Op.R_FLUSHED || op === Op.R_CLOSE) this.updateHolds(); // a local join may have ended
  }

  /** A copy's put waiting for room timed out, or a flush barrier's time is up. */
  override expire(w: PutWait | BarrierTimer): void {
    if (!(w instanceof BarrierTimer)) {
      super.expire(w);
      return;
    }
    this.#barrier.expire(w);
    this.updateHolds();
  }

  protected override added(c: ReaderCopy): void {
    if (this.joinable) this.#barrier.counted(c, 1);
  }

  protected override opened(c: ReaderCopy): void {
    super.opened(c);
    if (this.joinable) this.#barrier.opened(c);
  }

  protected override gone(c: ReaderCopy): void {
    super.gone(c);
    if (!this.joinable) return;
    this.#barrier.counted(c, -1);
    this.updateHolds();
  }
}

export { textOf } from './home-object.js';
