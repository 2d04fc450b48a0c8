/**
 * A copy's handle at run time: the {@link CopyProtocol} wired to one link (a port to the home's
 * thread, or a socket to the home's process), waiters and the flush hooks. Its synchronous calls
 * are in remote-sync.ts, the making of further copies in remote-copies.ts.
 */
import type { EncodeContext } from '@multiproc/shared';
import { BYTES_KIND } from '../link/frames.js';
import type { Link } from '../link/link.js';
import { PortLink } from '../link/port-link.js';
import { SocketLink } from '../link/socket-link.js';
import { CopyProtocol } from '../protocol/copy.js';
import type { Wait } from '../protocol/home-copy.js';
import { BROKEN, EOF, type Item } from '../protocol/item.js';
import { WordCell } from '../protocol/loan.js';
import { Op } from '../protocol/ops.js';
import { dialHere } from './broker.js';
import { dropCarried } from './carried.js';
import { wireCopyEnd } from './copy-end.js';
import { caughtUp, copyGet } from './copy-waits.js';
import { CopyWill } from './copy-will.js';
import { trackRemote, untrackRemote } from './exit.js';
import type { GetResult, Handle, HandleData, HandleKeeper, PutResult, RemoteOptions } from './handle.js';
import { fileCell } from './loan-file.js';
import { encodeCopy, keeperHere, keptCopy } from './remote-copies.js';
import { CopySync, settleWait, warnLate } from './remote-sync.js';
import { type STUCK, Waiter } from './waiter.js';
import { willPath } from './will.js';

export class RemoteHandle implements Handle {
  readonly #data: HandleData;
  readonly #link: Link;
  readonly #proto: CopyProtocol;
  readonly #acked: boolean;
  // The synchronous calls, and a thread copy's words in shared memory (remote-sync.ts).
  readonly #sync: CopySync;
  readonly #maxsize: number;
  readonly #listeners = new Set<() => void>();
  readonly #puts = new Set<Promise<unknown>>();
  #closing: Promise<void> | null = null;
  #onGone: (() => void) | null = null;
  readonly #will: CopyWill | null;
  #sent = 0;
  #syncedAt = -1;
  readonly #homeHere: boolean;
  #syncingHere = false;
  // Withdraws an abandoned get: one function for all of them, not one per get.
  readonly #cancelGet = (w: Wait): void => void this.#proto.cancel(w);

  constructor(data: HandleData, opts: RemoteOptions) {
    this.#data = data;
    this.#acked = opts.acked;
    this.#maxsize = opts.maxsize;
    const port = data.port;
    const here = !port && !opts.socket && dialHere(data.path, data.token);
    this.#homeHere = opts.homeHere === true || here;
    this.#link = port
      ? new PortLink(port)
      : opts.socket
        ? new SocketLink(opts.socket)
        : SocketLink.connect(data.path);
    const link = this.#link;
    const sync = new CopySync(data, link, opts.maxsize, this.#homeHere, opts.joinable === true);
    this.#sync = sync;
    this.#proto = new CopyProtocol(
      { maxsize: opts.maxsize, acked: opts.acked, eager: opts.eager, moves: opts.eager && !!port },
      {
        send: (op, a, b, body) => {
          this.#sent++;
          if (op === Op.R_PUT) sync.sent();
          link.send(op, a, b, body);
          if (here && op !== Op.R_SYNC) this.#syncHere();
        },
        settle: settleWait,
        hold: (on) => (on ? link.hold() : link.release()),
        ready: () => {
          if (this.#listeners.size > 0) for (const cb of [...this.#listeners]) cb();
        },
        consumed: (total, first, waited) => {
          // A process copy's report may be written now, before the item reaches the code (see
          // CopySync.consumed); else it leaves before anything else this thread sends (link.ts, `due`).
          if (sync.consumed(total, waited)) link.flush();
          else if (first) opts.eager && !port ? link.requestFlushWhenIdle() : link.requestFlush();
        },
        flushNow: () => link.flush(),
        warn: warnLate,
      },
    );
    const proto = this.#proto;
    proto.waitsHold = !here; // not a Listener's Client here: its home does not count its gets
    if (port && data.shared) proto.useLoan(new WordCell(new Int32Array(data.shared))); // a thread copy (loan.ts)
    if (!port) link.send(Op.R_HELLO, data.id, data.end, data.token ?? '');
    if (here) this.#syncHere();
    // Dialling its home's broker: a home that ends before taking this copy, or before it saw its
    // connection complete, leaves what it would have sent it in a will (will.ts, bequest.ts).
    const dials = link instanceof SocketLink && !opts.socket && data.token;
    const lends = dials ? fileCell(data.path, data.token!) : null; // a queue's home may lend (loan-file.ts)
    if (lends !== null) proto.useLoan(lends);
    const will = (this.#will = dials ? new CopyWill(willPath(data.path, data.token!)) : null);
    if (will) (link as SocketLink).giveUp = () => will.exists();
    wireCopyEnd(link, proto, will, (lingering) => {
      lends?.dispose(); // its loan pipe, if it opened one
      untrackRemote(this);
      if (lingering) link.release(); // the hold close() took
      this.#onGone?.();
    });
    if (link instanceof PortLink)
      link.onDataRun = (epoch, tag, text, n) => proto.dataRun(epoch, tag, text, n);
    link.onBatch = () => void (proto.clock = performance.now());
    link.beforeFlush = () => proto.beforeFlush();
    trackRemote(this);
  }

  /**
   * A copy whose home is in this very thread (a handle sent through a pipe or queue and received
   * here) runs only when something else runs, but what it sent must arrive: until the home has
   * read it (its hello first), a question answered after that keeps its link holding the loop.
   */
  #syncHere(): void {
    if (this.#syncingHere) return;
    this.#syncingHere = true;
    const w = new Waiter<boolean>(() => {});
    void w.promise.then(() => {
      this.#syncingHere = false;
    });
    this.#proto.ask(Op.R_SYNC, w);
  }

  put(item: Item, timeoutMs: number | undefined): PutResult | Promise<PutResult> {
    const proto = this.#proto;
    if (proto.state === 'gone' || proto.broken) {
      dropCarried(item); // never sent: what it carries is released
      return proto.state === 'gone' ? EOF : BROKEN;
    }
    // Sent now (room taken here, or not acked): on its way. Else it waits for the home's answer.
    if (this.#sync.putNow(proto, item, this.#acked))
      return this.#link.needsDrain()
        ? this.#link.drained().then(() => this.unreachable() === null || EOF)
        : true;
    const w = new Waiter<boolean>(() => {});
    const t = timeoutMs === undefined || timeoutMs > 0x7fffffff ? -1 : Math.floor(timeoutMs);
    proto.put(item, w, t);
    const p = w.promise;
    this.#puts.add(p);
    void p.then(() => this.#puts.delete(p));
    return p;
  }

  sendNow(value: unknown): boolean {
    const link = this.#link;
    const proto = this.#proto;
    if (this.#acked || proto.state !== 'open' || proto.broken || !(link instanceof PortLink)) return false;
    if (!link.postNow(Op.R_PUT_VALUE, 0, 0, value)) return false;
    this.#sent++;
    this.#sync.sent(); // posted already: counted for the home only to match what it receives
    return true;
  }

  sendBytesNow(bytes: Uint8Array): boolean {
    const proto = this.#proto;
    // An R_PUT leaves nothing behind here: the home takes the bytes as they arrive.
    if (this.#acked || proto.state !== 'open' || proto.broken) return false;
    if (!this.#link.sendBytesNow(Op.R_PUT, 0, 0, BYTES_KIND, bytes)) return false;
    this.#sent++;
    return true;
  }

  putNowait(item: Item): boolean | typeof EOF {
    // Gone: as put(), it would be counted, never delivered. Refused: never sent. Either way what
    // the item carries is released (carried.ts).
    const r = this.#proto.state === 'gone' ? EOF : this.#sync.putNowait(this.#proto, item);
    if (r !== true) dropCarried(item);
    return r;
  }

  get(timeoutMs: number | undefined): GetResult | Promise<GetResult> {
    return copyGet(this.#proto, timeoutMs, this.#cancelGet);
  }

  getNowait(): Item | typeof EOF | undefined {
    return this.#sync.getNowait(this.#proto);
  }

  homeLost(): boolean | number {
    return this.#proto.lostAtEnd || this.#proto.homeLost;
  }

  unreachable(): Error | null {
    return this.#link instanceof SocketLink ? this.#link.failure : null;
  }

  ready(): boolean {
    return this.#proto.ready;
  }

  caughtUp(): Promise<void> {
    return caughtUp(this.#proto, this.ready());
  }

  onReady(cb: () => void): () => void {
    this.#listeners.add(cb);
    this.#link.hold();
    this.#proto.watch();
    return () => {
      if (!this.#listeners.delete(cb)) return;
      this.#link.release();
      if (this.#listeners.size === 0) this.#proto.unwatch();
    };
  }

  size(): number {
    return this.#sync.size(this.#proto, () => this.#will?.items() ?? null);
  }

  full(): boolean {
    return this.#sync.full(this.#proto, () => this.#will?.items() ?? null);
  }

  taskDone(): boolean {
    return this.#sync.taskDone(this.#proto);
  }

  taskCounts(): { unfinished: number; queued: number } {
    return this.#sync.taskCounts(this.#proto);
  }

  join(): Promise<undefined | typeof STUCK | typeof EOF> {
    return this.#sync.join(this.#proto);
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      this.#onGone = resolve;
    });
    if (this.#proto.state === 'gone') this.#onGone?.();
    else {
      this.#link.hold(); // the program lives on until the home answered
      this.#proto.close(); // ends this copy's gets, puts and joins with EOF
      // Posted to a port, it arrives whatever this thread does next: joinThread() need not wait
      // for the home's answer (a home blocked in waitSync() gives none), as Python's does not.
      if (this.#link instanceof PortLink) {
        this.#link.flush();
        this.#onGone?.();
      }
    }
    for (const cb of [...this.#listeners]) cb(); // a poll() or wait() on it: the caller, closed, says so
    return this.#closing;
  }

  /** The worker flush hook: gives back what was read ahead; resolves once the home applied all. */
  async flush(): Promise<void> {
    const proto = this.#proto;
    if (proto.state === 'gone') return;
    proto.giveBack();
    const w = new Waiter<boolean>(() => {});
    proto.ask(Op.R_SYNC, w);
    const at = this.#sent;
    await Promise.all([w.promise, ...this.#puts]);
    this.#syncedAt = Math.max(this.#syncedAt, at);
  }

  /**
   * At exit, with no event loop left: sends what is pending now and, over a socket, waits (up to
   * `deadline`) until the home has applied it, so the worker's end cannot overtake it there.
   */
  flushSync(deadline: number): void {
    const proto = this.#proto;
    if (proto.state === 'gone') return;
    if (this.#link instanceof PortLink) return void this.#link.flushSync();
    // What it read ahead goes back, as the flush hook gives it back when a worker returns, and the
    // sync below waits until the home applied it (the home keeps a copy of all it sent here, also
    // of big bytes, so a process stopped by a signal, which runs no exit hook, loses nothing).
    if (!this.#homeHere) proto.giveBack();
    if (this.#sent === this.#syncedAt) return;
    if (this.#homeHere) return void this.#link.flushSync(deadline);
    const w: Wait = { done: false };
    proto.ask(Op.R_SYNC, w);
    this.#link.flushSync(deadline, () => w.done);
  }

  encode(ctx: EncodeContext): HandleData {
    return encodeCopy(this.#data, this.#link, ctx);
  }

  /** A copy of its own that only makes further copies (a port or a reservation); asks nothing. */
  keep(): HandleKeeper {
    const here = keeperHere(this.#data, this.#link);
    if (here) return here;
    const data = keptCopy(this.#data, this.#link);
    const copy = new RemoteHandle(data, { maxsize: this.#maxsize, acked: false, eager: false });
    return { encode: (ctx) => copy.encode(ctx), release: () => void copy.close() };
  }
}
