/**
 * The home of one queue or pipe, without I/O: it takes events (a local get or put, a frame from a
 * copy, a copy's link closing, a reserved copy's worker ending) and emits {@link HomeActions}
 * (frames to send, waits to settle, links to end or keep alive). The runtime (home-runtime.ts)
 * wires it to links and promises; the model test (test/protocol.model.test.ts) to an in-memory wire.
 *
 * A queue has one endpoint reading and writing one channel. A pipe has two endpoints and one
 * channel per direction (one in all for `duplex: false`); endpoint 0 reads channel 0.
 */
import { Channel } from './channel.js';
import { QueueCount } from './count.js';
import type { CopyPhase, HomeActions, Wait } from './home-copy.js';
import { HomeObject } from './home-object.js';
import { EOF, type Item, isDecoded, MOVED_TAG, type Taken } from './item.js';
import { Op } from './ops.js';
import { type ChannelEndpoint, type PutWait, ReaderCopy, type TakenBack } from './reader-copy.js';
import { Tasks } from './tasks.js';

export type HomeKind =
  | { readonly kind: 'queue'; readonly maxsize: number; readonly joinable: boolean }
  | { readonly kind: 'pipe'; readonly duplex: boolean };

export class HomeProtocol extends HomeObject<ReaderCopy, ChannelEndpoint> {
  readonly isQueue: boolean;
  /** A JoinableQueue's unfinished tasks. */
  readonly tasks: Tasks;

  constructor(kind: HomeKind, out: HomeActions) {
    const isQueue = kind.kind === 'queue';
    const joinable = kind.kind === 'queue' && kind.joinable;
    let tasks: Tasks | null = null;
    let onLocalDone = () => {};
    const channel = (maxsize: number) =>
      new Channel(out, {
        maxsize,
        count: isQueue ? new QueueCount(maxsize) : null,
        endsWithWriters: !isQueue,
        // Only a JoinableQueue counts puts: a plain queue's put calls nothing here.
        onAdmit: joinable ? () => void tasks!.unfinished++ : null,
        onLocalDone: () => onLocalDone(),
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
    tasks = new Tasks(out);
    this.tasks = tasks;
    onLocalDone = () => this.updateHolds();
    for (const e of this.endpoints) this.openLocal(e.index);
  }

  /** The channel that holds a queue's items. */
  get main(): Channel {
    return this.endpoints[0]!.read!;
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
   * and its link can send it at once, unserialized (moved); false when it cannot (put it instead).
   */
  sendNow(end: number, value: unknown): boolean {
    const ch = this.endpoints[end]!.write!;
    const c = this.#takesNow(ch);
    if (!c?.moves) return false;
    return c.pushNow(ch, (tag) => this.out.sendNow(c, Op.H_DATA_VALUE, c.epoch, tag, value));
  }

  /**
   * A pipe's `sendBytes()` of `bytes` (big): as {@link sendNow}, written by the copy's socket
   * straight from the sender's memory (moved, tagged {@link MOVED_TAG}); false: put it instead.
   */
  sendBytesNow(end: number, bytes: Uint8Array): boolean {
    const ch = this.endpoints[end]!.write;
    const c = !this.isQueue && ch && !ch.broken ? this.#takesNow(ch) : null;
    if (!c) return false;
    const send = (tag: number) => this.out.sendBytesNow(c, Op.H_DATA, c.epoch, tag | MOVED_TAG, bytes);
    return c.pushNow(ch!, send);
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

  // ── copies ─────────────────────────────────────────────────────────────────────────────────

  /** The copy's consumed count (cumulative, mod 2^32) is `total` (the runtime reads it when it dies). */
  taken(c: ReaderCopy, total: number): void {
    if (c.phase !== 'gone' && c.phase !== 'reserved') c.reported(total);
  }

  /**
   * A thread copy's link closed: the room it had taken in the shared count (`total`, mod 2^32, as
   * it recorded it); what never came is given back when it is gone.
   */
  reservedBy(c: ReaderCopy, total: number): void {
    if (c.phase !== 'gone' && c.phase !== 'reserved') c.selfReserved = total | 0;
  }

  /** A copy's put waiting for room timed out. */
  expire(w: PutWait): void {
    if (w.done || !w.copy) return;
    w.done = true;
    w.copy.puts.delete(w);
    w.copy.end.write?.putsChanged();
    this.out.send(w.copy, Op.H_PUT_DONE, w.seq, 0);
  }

  /** Called before a batch leaves for `c`: a queue copy learns the size it reports as qsize(). */
  beforeFlush(c: ReaderCopy): void {
    if (!c.dirty || !this.isQueue || c.phase !== 'open') return;
    c.dirty = false;
    this.out.send(c, Op.H_STATE, this.main.size, this.tasks.unfinished);
  }

  frame(c: ReaderCopy, op: number, a: number, b: number, body: Item): void {
    if (c.phase === 'gone' || this.lifecycleFrame(c, op, a, body)) return;
    const { read, write } = c.end;
    switch (op) {
      case Op.R_PUT:
        if (a === 1) c.selfUsed = (c.selfUsed + 1) | 0;
        else if (a === 2) c.used = (c.used + 1) | 0;
        write?.admit(body, a !== 0);
        c.dirty = true;
        break;
      case Op.R_STATE:
        c.dirty = false;
        this.out.send(c, Op.H_STATE, this.main.size, this.tasks.unfinished);
        this.out.send(c, Op.H_SYNCED, a, 0);
        break;
      case Op.R_SLOT: {
        const ok = write !== null && !c.holderGone && write.reserve();
        if (ok) c.granted = (c.granted + 1) | 0;
        this.out.send(c, Op.H_PUT_DONE, a, ok ? 1 : 0);
        break;
      }
      case Op.R_UNSLOT:
        c.used = (c.used + a) | 0;
        write?.unreserve(a);
        break;
      case Op.R_PUT_WAIT:
        if (write && !c.holderGone) c.putWaiting(this.out, write, a, b, body);
        break;
      case Op.R_DEMAND:
        read?.demand(c, a, b);
        break;
      case Op.R_TAKEN:
        c.reported((c.taken + a) >>> 0);
        break;
      case Op.R_GIVE_BACK:
        c.gaveBack();
        c.epoch = a;
        this.#giveBack(c, false);
        if (b > 0) read?.demand(c, b, 0);
        break;
      case Op.R_SOFTEN:
        read?.soften(c, a);
        break;
      case Op.R_UNUSED:
        c.gaveBack();
        if (!read || c.phase !== 'open') break;
        c.recalled = false;
        read.settleDemand(c, b);
        this.#putBack(c, c.takeBack(a, false));
        read.ahead.settled(c);
        read.pump();
        break;
      case Op.R_RETURN:
        // Back home it is an ordinary item again: kept until reported taken.
        this.#putBack(c, c.returnArrived(isDecoded(body) ? { value: body.value } : body));
        break;
      case Op.R_TASK_DONE:
        this.taskDone(Math.min(a, this.tasks.unfinished));
        break;
      case Op.R_JOIN:
        this.tasks.joinRemote(c, a);
        break;
      case Op.R_TRY: {
        const item = read?.takeNow(c);
        const got = item !== undefined && item !== EOF;
        if (got) {
          c.push(this.out, read!, item, 2);
          read!.pump(); // a put waiting for room may fit now
        }
        this.out.send(c, Op.H_TRIED, a, got ? 1 : 0);
        break;
      }
    }
  }

  // Everything pushed to `c` and not reported taken goes back to the front of the channel, in order.
  #giveBack(c: ReaderCopy, dropMissing: boolean): void {
    const ch = c.end.read;
    if (!ch) {
      this.#putBack(c, { items: [], slots: 0 });
      return;
    }
    ch.dropDemand(c);
    this.#putBack(c, c.takeBack(null, dropMissing));
    ch.pump(); // what it held, or read ahead, no longer holds others back
  }

  #putBack(c: ReaderCopy, back: TakenBack | null): void {
    if (!back) return;
    if (back.slots > 0) c.end.read!.unshift(back.items, back.slots);
    this.answerSyncs(c);
    if (c.phase === 'closing') this.gone(c);
  }

  // ── the lifecycle hooks (see HomeObject) ───────────────────────────────────────────────────

  protected newCopy(e: ChannelEndpoint, phase: CopyPhase, holder: boolean): ReaderCopy {
    return new ReaderCopy(e, phase, holder);
  }

  protected opened(c: ReaderCopy): void {
    if (c.end.write?.broken) this.out.send(c, Op.H_BROKEN, 0, 0);
    const ch = c.end.read;
    if (!ch) return;
    ch.readers.add(c);
    c.dirty = true;
    if (!this.isQueue) ch.ahead.tellAlone(ch.readers);
    ch.pump(); // an ended channel tells it EOF
  }

  protected closing(c: ReaderCopy): void {
    c.dropPuts();
    this.#giveBack(c, false);
  }

  protected left(c: ReaderCopy): void {
    c.dropPuts();
    this.#giveBack(c, true);
    // Room it took for puts that never came (it died before sending them, or a grant crossed its close).
    c.end.write?.unreserve(c.unusedRoom());
    const ch = c.end.read;
    if (ch?.readers.delete(c) && !this.isQueue) ch.ahead.tellAlone(ch.readers);
  }

  // Its puts still waiting for room did not complete, and any that arrive now cannot.
  protected holderEnded(c: ReaderCopy): void {
    c.holderGone = true;
    c.dropPuts();
  }

  protected counted(e: ChannelEndpoint, delta: number): void {
    // First the direction `e` reads, so a writer's copy learns its sends fail before the EOF the
    // same close may send it.
    const rd = e.read;
    if (rd && !this.isQueue) {
      rd.readerHandles += delta;
      if (rd.readerHandles === 0 && !rd.broken) this.#broke(rd);
    }
    const ch = e.write;
    if (!ch) return;
    ch.writers += delta;
    if (delta > 0 || ch.writers > 0 || this.isQueue) return;
    ch.ended = true; // a pipe direction ends with its last writer
    ch.pump();
  }

  // Nobody can read `ch` any more: its writers' copies are told that their sends fail.
  #broke(ch: Channel): void {
    ch.broken = true;
    for (const e of this.endpoints) {
      if (e.write !== ch) continue;
      for (const c of e.copies) if (c.phase === 'open') this.out.send(c, Op.H_BROKEN, 0, 0);
    }
  }

  /** Whether a send from `end` fails: a pipe whose other end is closed everywhere. */
  brokenFor(end: number): boolean {
    return this.endpoints[end]!.write?.broken === true;
  }

  protected localClosed(e: ChannelEndpoint): void {
    e.read?.endTakes();
  }

  // A get on a channel its copies write, a put on a channel they read, a join.
  protected waitsOn(e: ChannelEndpoint): boolean {
    return (
      this.tasks.localJoins > 0 ||
      (e.write !== null && e.write.localWaiting > 0) ||
      (e.read !== null && e.read.localPutters > 0)
    );
  }

  protected syncWaits(c: ReaderCopy): boolean {
    return c.pending !== null;
  }
}

export { textOf } from './home-object.js';
