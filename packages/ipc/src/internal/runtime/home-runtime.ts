/**
 * A queue's or pipe's home at run time: the {@link HomeProtocol} wired to links (one per copy),
 * waiters and timers. It carries out the protocol's actions and feeds it link events; it decides
 * nothing about items itself.
 */
import type { MessagePort } from 'node:worker_threads';
import { type EncodeContext, setTimeoutAtLeast } from '@multiproc/shared';
import { BYTES_KIND } from '../link/frames.js';
import type { Link } from '../link/link.js';
import { PortLink } from '../link/port-link.js';
import type { SocketLink } from '../link/socket-link.js';
import { bequeath, leaveUnconfirmed, undelivered } from '../protocol/bequest.js';
import { CONSUMED, COPY_SHARED_BYTES, RESERVED, TASKS, WAKE } from '../protocol/count.js';
import { type HomeKind, HomeProtocol } from '../protocol/home.js';
import type { Endpoint, HomeActions, HomeCopy, Wait } from '../protocol/home-copy.js';
import type { Item } from '../protocol/item.js';
import { WordCell } from '../protocol/loan.js';
import { Op } from '../protocol/ops.js';
import type { ReaderCopy } from '../protocol/reader-copy.js';
import { broker, claimedHere, type HomeObject } from './broker.js';
import { dropCarried, dropItemsOf, onHolderEnded } from './carried.js';
import { type CopyLink, catchUp } from './catch-up.js';
import { flushAtExit } from './exit.js';
import type { HandleData, HandleKeeper } from './handle.js';
import { keptBytes, keptTaken } from './kept-bytes.js';
import { fileCell } from './loan-file.js';
import { CARRIED, FOR_WORKER, reservationsHeld, type Waiter } from './waiter.js';
import { inWorker, reportLost, willPath, writeWill } from './will.js';

export class HomeRuntime implements HomeActions, HomeObject {
  readonly id: number;
  readonly proto: HomeProtocol;
  readonly #reservedHeld = new Map<Endpoint, number>();
  #forgotten = false;
  /** Waits here never keep the program alive (a manager's server: its clients hold their own links). */
  passive = false;
  /**
   * A Listener's connection: at exit, keep serving the client until it took what was sent here
   * (Python's `send()` wrote it to the socket before it returns), at most the exit's deadline and
   * while its socket is open.
   */
  deliversAtExit = false;

  constructor(kind: HomeKind) {
    this.proto = new HomeProtocol(kind, this);
    this.id = broker().add(this);
    flushAtExit();
  }

  // ── actions ────────────────────────────────────────────────────────────────────────────────

  send(c: HomeCopy, op: number, a: number, b: number, body?: Item): void {
    (c.link as CopyLink | null)?.link.send(op, a, b, body);
    // A get of a copy here was served: it no longer holds what could answer it.
    if (c.here && op === Op.H_DATA) queueMicrotask(() => this.proto.refreshHolds());
  }

  sendNow(c: HomeCopy, op: number, a: number, b: number, value: unknown): boolean {
    const link = (c.link as CopyLink | null)?.link;
    return link instanceof PortLink && link.postNow(op, a, b, value);
  }

  sendBytesNow(c: HomeCopy, op: number, a: number, b: number, bytes: Uint8Array): Item | null {
    const link = (c.link as CopyLink | null)?.link;
    if (!link || link instanceof PortLink || !link.sending) return null;
    const item = keptBytes(bytes); // the home's until reported taken, written as it is
    return link.sendBytesNow(op, a, b, BYTES_KIND, item.subarray(1), false) ? item : null;
  }

  end(c: HomeCopy): void {
    (c.link as CopyLink | null)?.link.end();
  }

  linger(c: HomeCopy): void {
    const cl = c.link as CopyLink | null;
    if (!cl) return;
    cl.link.send(Op.H_CLOSED, 0, 0);
    if (cl.held) cl.link.release();
    cl.held = false;
  }

  settle(w: Wait, result: Item | symbol | boolean): void {
    (w as Partial<Waiter<unknown>>).settle?.(result);
  }

  startTimer(w: Wait & { stop?: (() => void) | null }, ms: number, holds = false): void {
    const t = setTimeoutAtLeast(() => this.proto.expire(w as never), ms);
    if (holds) w.stop = () => t.clear();
    else t.unref(); // the copy waiting on it holds its own link
  }

  hold(e: Endpoint, on: boolean): void {
    if (this.passive) return;
    let reserved = 0; // the kinds of unconnected reservations (waiter.ts, reservationsHeld)
    for (const c of e.copies) {
      const cl = c.link as CopyLink | null;
      if (!cl) reserved |= c.phase !== 'reserved' || c.keeper ? 0 : c.holder ? FOR_WORKER : CARRIED;
      else if (cl.here) continue;
      else if (cl.held !== on) {
        cl.held = on;
        on ? cl.link.hold() : cl.link.release();
      }
    }
    this.#reservedHeld.set(e, reservationsHeld(this.#reservedHeld.get(e) ?? 0, on ? reserved : 0));
  }

  listen(): void {
    broker().listen();
  }

  dropped = dropCarried;
  taken = keptTaken;

  /** A copy carried by an item dropped untaken (carried.ts): its reservation goes. */
  releaseCarried(token: string): void {
    this.proto.releaseReserved(token);
    this.#forgetIfUnused();
  }

  // ── copies ─────────────────────────────────────────────────────────────────────────────────

  connect(end: number, token: string, link: SocketLink): boolean {
    const here = claimedHere(token);
    const will = here || !link.dialled ? null : token;
    return this.proto.claim(end, token, (c) => this.#wire(c, link, null, here, will)) !== null;
  }

  /** Describes a new copy of endpoint `end` for `ctx`: a port for a thread, a token for a process. */
  encode(end: number, ctx: EncodeContext): HandleData {
    const b = broker();
    if (ctx.target === 'thread') {
      const { port, shared, link, copy } = this.openPort(end);
      ctx.transfer(port);
      ctx.onReceiverEnding?.(() => this.proto.holderEnding(copy));
      const count = this.proto.isQueue ? this.proto.main.count!.buffer : undefined;
      // The thread's 'exit' can come before its port's 'close': settle the copy at the exit, so a put
      // it left waiting is never admitted after its Process was joined (or its pool call failed).
      return onHolderEnded({ path: b.path, id: this.id, end, port, shared, count }, ctx, () =>
        link.peerEnded(),
      );
    }
    // Bound first: a folder that cannot hold the socket throws here, before anything is reserved.
    b.listen();
    // node:crypto is loaded on first use: it costs ~10 ms of a cold import.
    const token = process.getBuiltinModule('node:crypto').randomUUID();
    const holder = typeof ctx.onReceiverEnd === 'function';
    this.proto.reserve(end, token, holder);
    ctx.onReceiverEnding?.(() => this.proto.ending(token));
    return onHolderEnded({ path: b.path, id: this.id, end, token }, ctx, () => {
      this.proto.release(token);
      this.#forgetIfUnused();
    });
  }

  /**
   * Reserves a handle of endpoint `end` for copies made later (a pool's initargs): a reservation
   * that nobody claims and that holds nothing alive, so the endpoint stays open (a pipe's other end
   * sees no EOF, this object is not forgotten) after the home thread's own handle closed, until
   * it is released.
   */
  keep(end: number): HandleKeeper {
    const token = process.getBuiltinModule('node:crypto').randomUUID();
    this.proto.reserve(end, token, false, true);
    let released = false;
    return {
      encode: (ctx) => this.encode(end, ctx),
      release: () => {
        if (released) return;
        released = true;
        this.proto.release(token);
        this.#forgetIfUnused();
      },
    };
  }

  /** A new copy of endpoint `end` served over a port, for another thread. */
  openPort(end: number): { port: MessagePort; shared: SharedArrayBuffer; link: PortLink; copy: ReaderCopy } {
    const { port1, port2 } = new (process.getBuiltinModule('node:worker_threads').MessageChannel)();
    const shared = new SharedArrayBuffer(COPY_SHARED_BYTES);
    const { link, copy } = this.#attachPort(end, port1, shared);
    return { port: port2, shared, link, copy };
  }

  #attachPort(end: number, port: MessagePort, shared: unknown): { link: PortLink; copy: ReaderCopy } {
    const link = new PortLink(port);
    // A pipe end's reader may be sent values at once, unserialized (home.ts sendNow; the home keeps a copy).
    const moves = !this.proto.isQueue;
    const words = shared instanceof SharedArrayBuffer ? new Int32Array(shared) : null;
    const copy = this.proto.attach(end, (c) => {
      c.moves = moves;
      // A queue's thread copy counts its own puts and gets in the queue's shared count.
      c.countsOwn = this.proto.isQueue && words !== null;
      if (c.countsOwn) c.loanCell = new WordCell(words!); // it claims what it is lent there (loan.ts)
      this.#wire(c, link, words);
    });
    return { link, copy };
  }

  #wire(
    c: ReaderCopy,
    link: Link,
    shared: Int32Array | null,
    here = false,
    will: string | null = null,
  ): void {
    const cl: CopyLink = { link, held: false, here, shared, will, received: 0 };
    c.link = cl;
    c.here = here;
    // A queue's copy in another process is lent items through a file it renames (loan-file.ts).
    if (will !== null && this.proto.isQueue) c.loanCell = fileCell(broker().path, will);
    link.onFrame = (op, a, b, body) => {
      if (op === Op.R_PUT) cl.received = (cl.received + 1) | 0;
      // Python's get_nowait() from a copy: after what other thread copies put and not sent yet.
      else if (op === Op.R_TRY) this.catchUp(c.end.index);
      this.proto.frame(c, op, a, b, body);
      if (here) this.proto.refreshHolds();
      // A thread copy may be blocked in getNowait(), putNowait() or taskDone() until this
      // answer: send it now and wake it.
      if (shared && (op === Op.R_TRY || op === Op.R_SLOT || op === Op.R_TASK_DONE)) {
        link.flush();
        Atomics.add(shared, WAKE, 1);
        Atomics.notify(shared, WAKE);
      }
    };
    link.beforeFlush = () => this.proto.beforeFlush(c);
    link.onClose = () => {
      // A copy that died recorded what it consumed, and the room and tasks it took, where its
      // last report may not have come from.
      if (shared) {
        // Items it took and never reported (its thread died open), maybe before it claimed what they
        // carry: released unless claimed (carried.ts).
        const total = Atomics.load(shared, CONSUMED);
        const n = c.phase === 'open' ? (total - c.taken) >>> 0 : 0;
        const took = n > 0 ? [...c.delivered.peekAll()].slice(0, n) : [];
        this.proto.taken(c, total);
        for (const item of took) dropCarried(item);
        this.proto.reservedBy(c, Atomics.load(shared, RESERVED));
        this.proto.tasksBy(c, Atomics.load(shared, TASKS));
      }
      this.proto.linkClosed(c);
      c.loanCell?.dispose?.(); // taken back by now
      this.#forgetIfUnused();
    };
    if (link instanceof PortLink) {
      // A copy passing its object on to another thread sends the new port over its own link.
      link.onAttach = (port, shared) => this.#attachPort(c.end.index, port, shared);
    }
    if (c.end.held) this.hold(c.end, true);
  }

  /**
   * Before a synchronous answer about what endpoint `end` reads: takes in what thread copies
   * have sent so far, also while this thread does not yield (catch-up.ts).
   */
  catchUp(end: number): void {
    const ch = this.proto.endpoints[end]?.read;
    if (ch) catchUp(this.proto.endpoints, () => ch.items.length > 0 || ch.atEof);
  }

  /** The home thread's handle of `end` closed. */
  closeLocal(end: number): void {
    this.proto.closeLocal(end);
    this.#forgetIfUnused();
  }

  #forgetIfUnused(): void {
    if (!this.proto.unused || this.#forgotten) return;
    this.#forgotten = true;
    broker().delete(this.id);
    dropItemsOf(this.proto.endpoints); // nobody can take them any more
  }

  /**
   * At exit: hands what is left here to a reading copy (bequest.ts) and sends what is pending to
   * every copy now (their links deliver it before they close).
   */
  flushSync(deadline: number): void {
    // Only a worker leaves a will: a program's main thread ending ends its program, whose copies in
    // workers end with it (a will nobody reads would stay in the temporary directory).
    const leave = inWorker()
      ? (token: string, items: Item[], lost?: number, from?: number) =>
          writeWill(willPath(broker().path, token), items, lost, from)
      : null;
    const lost = bequeath(this.proto.endpoints, this, leave);
    if (leave)
      leaveUnconfirmed(this.proto.endpoints, (c) => (c.link as CopyLink | null)?.will ?? null, leave);
    if (lost > 0) reportLost(this.proto.isQueue, lost);
    // A worker's: nobody will take what is left here; what it carries is released (carried.ts).
    if (leave) dropItemsOf(this.proto.endpoints);
    for (const e of this.proto.endpoints) {
      for (const c of e.copies) {
        const link = (c.link as CopyLink | null)?.link;
        if (!link) continue;
        if (this.deliversAtExit)
          link.flushSync(deadline, () => link.closed || !undelivered(this.proto.endpoints));
        else link.flushSync(deadline);
      }
    }
  }
}
