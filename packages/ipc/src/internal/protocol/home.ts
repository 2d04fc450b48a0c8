/**
 * The home of one queue or pipe, without I/O: it takes events (a local get or put, a frame from a
 * copy, a copy's link closing, a reserved copy's worker ending) and emits {@link HomeActions}
 * (frames to send, waits to settle, links to end or keep alive). The runtime (home-runtime.ts)
 * wires it to links and promises; the model test (test/protocol.model.test.ts) to an in-memory wire.
 *
 * A queue has one endpoint reading and writing one channel. A pipe has two endpoints and one
 * channel per direction (one in all for `duplex: false`); endpoint 0 reads channel 0.
 */
import { Deque } from '../deque.js';
import { Channel } from './channel.js';
import {
  type Endpoint,
  type HomeActions,
  HomeCopy,
  type PutWait,
  type TakenBack,
  type Wait,
} from './home-copy.js';
import { EOF, type Item, isDecoded, MOVED, type Taken } from './item.js';
import { Op } from './ops.js';

export type HomeKind =
  | { readonly kind: 'queue'; readonly maxsize: number; readonly joinable: boolean }
  | { readonly kind: 'pipe'; readonly duplex: boolean };

const RELEASED = 'released';
interface RemoteJoin {
  readonly copy: HomeCopy;
  readonly seq: number;
}

export class HomeProtocol {
  readonly endpoints: readonly Endpoint[];
  readonly isQueue: boolean;
  readonly #out: HomeActions;
  unfinished = 0;
  readonly #joiners = new Deque<Wait | RemoteJoin>();
  #localJoins = 0;
  readonly #tokens = new Map<string, HomeCopy | typeof RELEASED>();

  constructor(kind: HomeKind, out: HomeActions) {
    this.#out = out;
    this.isQueue = kind.kind === 'queue';
    const onAdmit = kind.kind === 'queue' && kind.joinable ? () => void this.unfinished++ : null;
    const channel = (maxsize: number) =>
      new Channel(out, { maxsize, endsWithWriters: kind.kind === 'pipe', onAdmit });
    const endpoint = (index: number, read: Channel | null, write: Channel | null): Endpoint => ({
      index,
      read,
      write,
      local: false,
      copies: new Set(),
      held: false,
    });
    if (kind.kind === 'queue') {
      const ch = channel(Math.max(0, kind.maxsize));
      this.endpoints = [endpoint(0, ch, ch)];
    } else {
      const c0 = channel(0);
      const c1 = kind.duplex ? channel(0) : null;
      // One-way: [receive end, send end], as in Python.
      this.endpoints = [endpoint(0, c0, c1), endpoint(1, c1, c0)];
    }
    for (const e of this.endpoints) this.openLocal(e.index);
  }

  /** The channel that holds a queue's items. */
  get main(): Channel {
    return this.endpoints[0]!.read!;
  }

  /** No handle of any endpoint is left anywhere: the runtime may forget this object. */
  get unused(): boolean {
    return this.endpoints.every((e) => !e.local && e.copies.size === 0);
  }

  // ── the home thread's own handles ──────────────────────────────────────────────────────────

  openLocal(end: number): void {
    const e = this.endpoints[end]!;
    e.local = true;
    if (e.write) e.write.writers++;
  }

  /** Closes the home thread's handle of `end`: its gets end, and its side of a pipe stops writing. */
  closeLocal(end: number): void {
    const e = this.endpoints[end]!;
    if (!e.local) return;
    e.local = false;
    e.read?.endTakes();
    this.#removeWriter(e);
    this.#holds();
  }

  /** Adds an item if there is room; false when full (or when the other end is gone: check `ended`). */
  tryPut(end: number, item: Item): boolean {
    return this.endpoints[end]!.write!.tryPut(item);
  }

  /** Queues a local put (`w.local`) until there is room; settled `true`, or cancelled. */
  waitPut(end: number, w: PutWait): void {
    this.endpoints[end]!.write!.waitPut(w);
    this.#holds();
  }

  /** Takes an item that is here now; EOF when none is left and none can come. */
  tryTake(end: number): Taken | undefined {
    return this.endpoints[end]!.read!.tryTake();
  }

  /** Queues a local get; settled with an item or EOF. */
  waitTake(end: number, w: Wait): void {
    this.endpoints[end]!.read!.waitTake(w);
    this.#holds();
  }

  /** Calls `cb` whenever an item or EOF can be taken from `end`, until the returned function is called. */
  watch(end: number, cb: () => void): () => void {
    const off = this.endpoints[end]!.read!.watch(cb);
    this.#holds();
    return () => {
      off();
      this.#holds();
    };
  }

  /** Ends a local get or put that timed out; false when it was already over. */
  cancel(end: number, w: Wait, isPut: boolean): boolean {
    const e = this.endpoints[end]!;
    const ok = (isPut ? e.write : e.read)!.cancel(w, isPut);
    this.#holds();
    return ok;
  }

  /**
   * Hands a JSON-exact value straight to the next reading copy when it would be next anyway and
   * its link can send it at once, unserialized; false when it cannot (then put it as an item).
   */
  sendNow(end: number, value: unknown): boolean {
    const ch = this.endpoints[end]!.write!;
    // Only the plain case: one reading copy, which would take this item next anyway.
    if (
      ch.items.length > 0 ||
      ch.localTakers > 0 ||
      ch.full() ||
      ch.readers.size !== 1 ||
      ch.waitingBacks > 0
    ) {
      return false;
    }
    const c = ch.readers.values().next().value!;
    if (c.phase !== 'open' || !c.moves || c.recalled || c.hard + c.soft === 0 || ch.hardWaiting !== c.hard) {
      return false;
    }
    const soft = c.hard === 0;
    if (!this.#out.sendNow(c, Op.H_DATA_VALUE, c.epoch, soft ? 0 : 1, value)) return false;
    if (soft) c.soft--;
    else {
      c.hard--;
      ch.hardWaiting--;
    }
    c.delivered.push(MOVED);
    ch.inFlight++;
    if (soft) c.markSoft(ch);
    return true;
  }

  taskDone(n: number): boolean {
    if (n > this.unfinished) return false;
    this.unfinished -= n;
    this.main.readers.forEach((c) => void (c.dirty = true));
    if (this.unfinished === 0) this.#joined();
    return true;
  }

  /** True when no task is unfinished; otherwise queues `w`, settled once none is. */
  join(w: Wait): boolean {
    if (this.unfinished === 0) return true;
    this.#localJoins++;
    this.#joiners.push(w);
    this.#holds();
    return false;
  }

  // ── copies ─────────────────────────────────────────────────────────────────────────────────

  /** A copy connected over a link of its own (another thread): open at once. */
  attach(end: number, moves: boolean): HomeCopy {
    const c = new HomeCopy(this.endpoints[end]!, 'open', false);
    c.moves = moves;
    this.#add(c);
    this.#open(c);
    return c;
  }

  /** Holds a handle for a copy on its way to a process; `holder`: its worker's end will be reported. */
  reserve(end: number, token: string, holder: boolean): void {
    if (this.#tokens.has(token)) return; // it connected first (or its worker already ended)
    const c = new HomeCopy(this.endpoints[end]!, 'reserved', holder);
    this.#tokens.set(token, c);
    this.#add(c);
    this.#holds();
  }

  /** The copy holding `token` connected: its reservation opens (null: refused, it was released). */
  claim(end: number, token: string): HomeCopy | null {
    const known = this.#tokens.get(token);
    if (known === RELEASED) return null;
    if (known) {
      if (known.phase !== 'reserved') return null;
      known.phase = 'open';
      this.#open(known);
      if (known.end.held) this.#out.hold(known.end, true);
      return known;
    }
    const c = new HomeCopy(this.endpoints[end]!, 'open', false); // came before its reservation
    this.#tokens.set(token, c);
    this.#add(c);
    this.#open(c);
    return c;
  }

  /** The worker a reserved copy went to has ended: unless it connected, it is gone. */
  release(token: string): void {
    const c = this.#tokens.get(token);
    this.#tokens.set(token, RELEASED);
    if (c && c !== RELEASED && c.phase === 'reserved') this.#gone(c);
  }

  /** The copy's consumed count (cumulative, mod 2^32) is `total`. */
  taken(c: HomeCopy, total: number): void {
    const n = (total - c.taken) >>> 0;
    if (n === 0 || c.phase === 'gone' || c.phase === 'reserved') return;
    c.taken = total >>> 0;
    for (let i = 0; i < n; i++) c.delivered.shift();
    const ch = c.end.read!;
    ch.inFlight -= n;
    c.dirty = true;
    ch.settled(c);
  }

  /** The copy's link is gone: it closed, or its thread or process died. */
  linkClosed(c: HomeCopy): void {
    if (c.phase !== 'gone' && c.phase !== 'reserved') this.#gone(c);
  }

  /** A copy's put waiting for room timed out. */
  expire(w: PutWait): void {
    if (w.done || !w.copy) return;
    w.done = true;
    w.copy.puts.delete(w);
    this.#out.send(w.copy, Op.H_PUT_DONE, w.seq, 0);
  }

  /** Called before a batch leaves for `c`: a queue copy learns the size it reports as qsize(). */
  beforeFlush(c: HomeCopy): void {
    if (!c.dirty || !this.isQueue || c.phase !== 'open') return;
    c.dirty = false;
    this.#out.send(c, Op.H_STATE, this.main.size, this.unfinished);
  }

  frame(c: HomeCopy, op: number, a: number, b: number, body: Item): void {
    if (c.phase === 'gone') return;
    const e = c.end;
    switch (op) {
      case Op.R_PUT:
        e.write?.admit(body);
        c.dirty = true;
        break;
      case Op.R_PUT_WAIT:
        this.#remotePut(c, a, b, body);
        break;
      case Op.R_DEMAND:
        e.read?.demand(c, a, b);
        break;
      case Op.R_TAKEN:
        this.taken(c, (c.taken + a) >>> 0);
        break;
      case Op.R_GIVE_BACK:
        c.epoch = a;
        this.#giveBack(c, false);
        if (b > 0) e.read?.demand(c, b, 0);
        break;
      case Op.R_SOFTEN:
        e.read?.soften(c, a);
        break;
      case Op.R_UNUSED: {
        const ch = e.read;
        if (!ch || c.phase !== 'open') break;
        c.recalled = false;
        ch.settleDemand(c, b);
        const back = this.#takeBack(c, a, false);
        if (!c.readsAhead()) ch.softHolders.delete(c);
        if (back) this.#putBack(c, back.items, back.slots);
        ch.pump();
        break;
      }
      case Op.R_RETURN: {
        // Back home it is an ordinary item again: kept until reported taken.
        const was = c.pending !== null;
        const back = c.returnArrived(isDecoded(body) ? { value: body.value } : body);
        if (was && !c.pending && e.read) e.read.waitingBacks--;
        if (back) this.#putBack(c, back.items, back.slots);
        break;
      }
      case Op.R_CLOSE:
        if (c.phase !== 'open') break;
        c.phase = 'closing';
        for (const p of c.puts) p.done = true; // a put still waiting did not complete
        c.puts.clear();
        this.#giveBack(c, false);
        break;
      case Op.R_RESERVE:
        this.#out.listen();
        this.reserve(e.index, textOf(body), a === 1);
        break;
      case Op.R_UNRESERVE:
        this.release(textOf(body));
        break;
      case Op.R_TASK_DONE:
        this.taskDone(Math.min(a, this.unfinished));
        break;
      case Op.R_JOIN:
        if (this.unfinished === 0) this.#out.send(c, Op.H_JOINED, a, 0);
        else this.#joiners.push({ copy: c, seq: a });
        break;
      case Op.R_SYNC:
        if (c.pending) c.syncs.push(a);
        else this.#out.send(c, Op.H_SYNCED, a, 0);
        break;
      case Op.R_TRY: {
        const ch = e.read;
        const item = ch?.takeNow(c);
        const got = item !== undefined && item !== EOF;
        if (got) {
          c.push(this.#out, ch!, item, 2);
          ch!.pump(); // a put waiting for room may fit now
        }
        this.#out.send(c, Op.H_TRIED, a, got ? 1 : 0);
        break;
      }
    }
  }

  #remotePut(c: HomeCopy, seq: number, timeoutMs: number, item: Item): void {
    const ch = c.end.write;
    if (!ch) return;
    if (ch.tryPut(item)) {
      c.dirty = true;
      this.#out.send(c, Op.H_PUT_DONE, seq, 1);
    } else if (timeoutMs === 0) this.#out.send(c, Op.H_PUT_DONE, seq, 0);
    else {
      const w: PutWait = { done: false, item, copy: c, seq, local: false };
      c.puts.add(w);
      ch.waitPut(w);
      if (timeoutMs > 0) this.#out.startTimer(w, timeoutMs);
    }
  }

  // Everything pushed to `c` and not reported taken goes back to the front of the channel, in order.
  #giveBack(c: HomeCopy, dropMissing: boolean): void {
    const ch = c.end.read;
    if (ch) ch.dropDemand(c);
    const back = ch ? this.#takeBack(c, null, dropMissing) : { items: [], slots: 0 };
    if (back) this.#putBack(c, back.items, back.slots);
    ch?.pump(); // what it held, or read ahead, no longer holds others back
  }

  // Items waiting to come back are older than anything here: the channel hands out nothing meanwhile.
  #takeBack(c: HomeCopy, count: number | null, dropMissing: boolean): TakenBack | null {
    const ch = c.end.read!;
    const was = c.pending !== null;
    const back = c.takeBack(count, dropMissing);
    if (!was && c.pending) ch.waitingBacks++;
    else if (was && !c.pending) ch.waitingBacks--;
    return back;
  }

  #putBack(c: HomeCopy, items: Item[], slots: number): void {
    if (slots > 0) c.end.read!.unshift(items, slots);
    for (const seq of c.syncs.splice(0)) this.#out.send(c, Op.H_SYNCED, seq, 0);
    if (c.phase === 'closing') this.#gone(c);
  }

  #add(c: HomeCopy): void {
    c.end.copies.add(c);
    if (c.end.write) c.end.write.writers++;
    if (c.end.held) this.#out.hold(c.end, true);
  }

  #open(c: HomeCopy): void {
    const ch = c.end.read;
    if (!ch) return;
    ch.readers.add(c);
    c.dirty = true;
    ch.pump(); // an ended channel tells it EOF
  }

  #gone(c: HomeCopy): void {
    const wasOpen = c.phase === 'open' || c.phase === 'closing';
    c.phase = 'gone';
    for (const p of c.puts) p.done = true;
    c.puts.clear();
    if (wasOpen) {
      this.#giveBack(c, true);
      c.end.read?.readers.delete(c);
      this.#out.end(c);
    }
    c.end.copies.delete(c);
    this.#removeWriter(c.end);
    if (c.end.held) this.#out.hold(c.end, true);
    this.#holds();
  }

  #removeWriter(e: Endpoint): void {
    const ch = e.write;
    if (!ch || --ch.writers > 0 || this.isQueue) return;
    ch.ended = true;
    ch.pump();
  }

  #joined(): void {
    for (let j = this.#joiners.shift(); j; j = this.#joiners.shift()) {
      if ('copy' in j) {
        if (j.copy.phase !== 'gone') this.#out.send(j.copy, Op.H_JOINED, j.seq, 0);
      } else if (!j.done) {
        j.done = true;
        this.#out.settle(j, true);
      }
    }
    this.#localJoins = 0;
    this.#holds();
  }

  /** Ends a local join that timed out or was abandoned. */
  cancelJoin(w: Wait): void {
    if (w.done) return;
    w.done = true;
    this.#localJoins--;
    this.#holds();
  }

  // Copies of an endpoint keep the program alive while a local wait they could end is pending:
  // a get on a channel they write, a put on a channel they read, a join.
  #holds(): void {
    for (const e of this.endpoints) {
      const on =
        this.#localJoins > 0 ||
        (e.write !== null && e.write.localWaiting > 0) ||
        (e.read !== null && e.read.localPutters > 0);
      if (on !== e.held) {
        e.held = on;
        this.#out.hold(e, on);
      }
    }
  }
}

/** The text of a token frame (a port passes it as a string; a stream as STRING_KIND + UTF-8). */
export function textOf(body: Item): string {
  if (typeof body === 'string') return body;
  return isDecoded(body) ? String(body.value) : new TextDecoder().decode(body.subarray(1));
}
