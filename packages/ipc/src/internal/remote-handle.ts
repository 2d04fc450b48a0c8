/**
 * Remote side: the handle of a copy living in another thread or process, talking to the home over
 * a link. Receiving is credit-based: once this copy starts receiving, it asks the home for up to
 * `window` items ahead (doubling while gets have to wait, up to MAX_WINDOW), so a stream costs no
 * round trip per item. It reports what it consumed (R_TAKEN, once per tick), so the home can put
 * back whatever it fetched ahead and never used when this copy goes away.
 */

import { randomUUID } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import type { EncodeContext } from '@multiproc/shared';
import { EOF, type Item, isDecoded, TIMEOUT } from './channel.js';
import { Deque } from './deque.js';
import { track, untrack } from './flush.js';
import { Op } from './frames.js';
import type { GetResult, Handle, HandleData, PutResult } from './handle.js';
import type { Link } from './link.js';
import { movable, PortLink } from './port-link.js';
import { SocketLink } from './socket-link.js';

const MAX_WINDOW = 1024;
// A pipe end is (nearly always) read by one copy: it takes everything as it comes, as a socket would.
const EAGER_WINDOW = 1 << 30;

interface Getter {
  resolve(r: GetResult): void;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

export interface RemoteOptions {
  readonly maxsize: number;
  /** Puts wait for the home's answer (bounded and joinable queues), so they block and count exactly. */
  readonly acked: boolean;
  /** Receive everything as it comes (pipes) rather than a window ahead (queues, shared by consumers). */
  readonly eager?: boolean;
}

export class RemoteHandle implements Handle {
  readonly #path: string;
  readonly #id: number;
  readonly #link: Link;
  readonly #opts: RemoteOptions;
  readonly #buffer = new Deque<Item>();
  readonly #getters = new Deque<Getter>();
  readonly #acks = new Map<number, (r: PutResult) => void>();
  readonly #joins = new Map<number, () => void>();
  readonly #listeners = new Set<() => void>();
  #outstanding = 0;
  #window = 1;
  #active = false;
  #readEof = false;
  #gone = false;
  #seq = 0;
  #homeSize = 0;
  #unfinished = 0;
  #got = 0;
  #done = 0;
  #taken = 0;
  #epoch = 0;
  #closing: Promise<void> | null = null;
  #onGone: (() => void) | null = null;
  // Big byte items reach a pipe end over a port by move (see port-link.ts); the home keeps no
  // copy, so what this handle gives back it must send back itself.
  readonly #moves: boolean;

  constructor(data: HandleData, opts: RemoteOptions) {
    this.#path = data.path;
    this.#id = data.id;
    this.#opts = opts;
    if (opts.eager) this.#window = EAGER_WINDOW;
    if (data.port) this.#link = new PortLink(data.port);
    else {
      this.#link = SocketLink.connect(data.path);
      this.#link.send(Op.R_HELLO, data.id, 0, data.token ?? '');
    }
    this.#moves = Boolean(opts.eager) && this.#link instanceof PortLink;
    this.#link.onFrame = this.#onFrame;
    this.#link.onClose = this.#onClose;
    this.#link.beforeFlush = this.#reportTaken;
    track(this);
  }

  put(item: Item, timeoutMs: number | undefined): PutResult | Promise<PutResult> {
    if (this.#gone) return EOF;
    if (!this.#opts.acked) {
      this.#link.send(Op.R_PUT, 0, 0, item);
      return this.#link.needsDrain() ? this.#link.drained().then(() => true) : true;
    }
    return new Promise((resolve) => this.#sendAcked(item, timeoutMs, resolve));
  }

  sendNow(value: unknown): boolean {
    if (this.#gone || this.#opts.acked || !(this.#link instanceof PortLink)) return false;
    return this.#link.postNow(Op.R_PUT_VALUE, 0, value);
  }

  putNowait(item: Item): boolean {
    if (!this.#opts.acked) {
      this.#link.send(Op.R_PUT, 0, 0, item);
      return true;
    }
    if (this.full()) return false;
    // Known to fit: the home may still be full for a moment (other producers), so it waits there.
    this.#sendAcked(item, undefined, () => {});
    return true;
  }

  #sendAcked(item: Item, timeoutMs: number | undefined, resolve: (r: PutResult) => void): void {
    const seq = ++this.#seq;
    this.#acks.set(seq, resolve);
    this.#link.hold();
    const t = timeoutMs === undefined || timeoutMs > 0x7fffffff ? -1 : Math.floor(timeoutMs);
    this.#link.send(Op.R_PUT_ACKED, seq, t, item);
  }

  get(timeoutMs: number | undefined): GetResult | Promise<GetResult> {
    const now = this.getNowait();
    if (now !== undefined) return now;
    if (timeoutMs === 0) return TIMEOUT;
    // Had to wait: fetch further ahead from now on.
    if (this.#window < MAX_WINDOW) this.#window *= 2;
    return new Promise((resolve) => {
      const g: Getter = { resolve, timer: undefined, done: false };
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        g.timer = setTimeout(() => {
          g.done = true;
          this.#link.release();
          resolve(TIMEOUT);
        }, timeoutMs);
      }
      this.#getters.push(g);
      this.#link.hold();
      this.#topUp();
    });
  }

  getNowait(): Item | typeof EOF | undefined {
    this.#active = true;
    const item = this.#buffer.shift();
    if (item !== undefined) {
      this.#consumed();
      return item;
    }
    if (this.#readEof) return EOF;
    this.#topUp();
    return undefined;
  }

  ready(): boolean {
    return this.#buffer.length > 0 || this.#readEof;
  }

  onReady(cb: () => void): () => void {
    this.#active = true;
    this.#listeners.add(cb);
    this.#topUp();
    return () => this.#listeners.delete(cb);
  }

  size(): number {
    // The home counts what it pushed here until we report it consumed.
    return this.#homeSize;
  }

  full(): boolean {
    return this.#opts.maxsize > 0 && this.#homeSize + this.#acks.size >= this.#opts.maxsize;
  }

  taskDone(): boolean {
    if (this.#unfinished <= 0 && this.#done >= this.#got) return false;
    this.#done++;
    this.#unfinished = Math.max(0, this.#unfinished - 1);
    this.#link.send(Op.R_TASK_DONE, 1, 0);
    return true;
  }

  join(): Promise<void> {
    if (this.#gone) return Promise.resolve();
    return new Promise((resolve) => {
      const seq = ++this.#seq;
      this.#joins.set(seq, resolve);
      this.#link.hold();
      this.#link.send(Op.R_JOIN, seq, 0);
    });
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      this.#onGone = resolve;
    });
    // Whoever awaits joinThread() must not see the program exit before the home answered.
    if (!this.#gone) this.#link.hold();
    this.#endGetters(EOF);
    // What was fetched ahead and not consumed goes back to the queue: the home puts back every
    // item not reported taken, so report first.
    this.#reportTaken();
    this.#returnMoved(this.#buffer.drain());
    this.#link.send(Op.R_CLOSE, 0, 0);
    this.#link.finish(); // the home closes the link once it has applied everything we sent
    if (this.#gone) this.#onGone?.();
    return this.#closing;
  }

  /**
   * Gives every item fetched ahead back to the home (unless a get is waiting), so nothing sits
   * here while this copy is idle. Fetching ahead starts again with the next get.
   */
  giveBack(): void {
    if (this.#gone || this.#closing || this.#getters.length > 0) return;
    if (this.#buffer.length === 0 && this.#outstanding === 0) return;
    this.#reportTaken();
    // Acknowledged like a put, so flush() resolves only once the home has put the items back
    // (what this worker says next, on another channel, must not overtake them).
    const seq = ++this.#seq;
    this.#acks.set(seq, () => {});
    this.#link.hold();
    this.#returnMoved(this.#buffer.drain());
    this.#link.send(Op.R_GIVE_BACK, ++this.#epoch, seq);
    this.#outstanding = 0;
    this.#active = false;
    if (!this.#opts.eager) this.#window = 1;
  }

  /** Sends what is waiting and resolves once the transport took it and the home answered every put. */
  async flush(): Promise<void> {
    this.#link.flush();
    await this.#link.drained();
    if (this.#acks.size > 0) await Promise.all([...this.#acks.keys()].map((k) => this.#ackOf(k)));
  }

  #ackOf(seq: number): Promise<void> {
    const prev = this.#acks.get(seq);
    if (!prev) return Promise.resolve();
    return new Promise((resolve) =>
      this.#acks.set(seq, (r) => {
        prev(r);
        resolve();
      }),
    );
  }

  encode(ctx: EncodeContext): HandleData {
    if (ctx.target === 'thread' && this.#link instanceof PortLink) {
      const { port1, port2 } = new MessageChannel();
      this.#link.attach(port1);
      ctx.transfer(port2);
      return { path: this.#path, id: this.#id, port: port2 };
    }
    const token = randomUUID();
    this.#link.send(Op.R_RESERVE, 1, 0, token);
    this.#link.flush();
    return { path: this.#path, id: this.#id, token };
  }

  #consumed(): void {
    this.#got++;
    // The report leaves with this turn (a reply sent now carries it), except a pipe end's over a
    // socket: it only frees the home's copies, and one write per loop turn is cheaper than one
    // per chunk read.
    if (this.#taken++ === 0) {
      if (this.#opts.eager && !(this.#link instanceof PortLink)) this.#link.requestFlushLater();
      else this.#link.requestFlush();
    }
    this.#topUp();
  }

  #reportTaken = (): void => {
    if (this.#taken === 0) return;
    const n = this.#taken;
    this.#taken = 0;
    this.#link.send(Op.R_TAKEN, n, 0);
  };

  #topUp(): void {
    if (!this.#active || this.#readEof || this.#closing) return;
    const want = Math.max(this.#window, this.#getters.length);
    const have = this.#buffer.length + this.#outstanding;
    // Ask in chunks of at least half a window, so a stream sends few demand frames.
    if (want > have && (have * 2 <= want || have < this.#getters.length)) {
      this.#outstanding += want - have;
      this.#link.send(Op.R_DEMAND, want - have, 0);
    }
  }

  #onFrame = (op: number, a: number, b: number, body: Item): void => {
    switch (op) {
      case Op.H_DATA:
        this.#data(a, body);
        break;
      case Op.H_ACK: {
        const cb = this.#acks.get(a);
        this.#acks.delete(a);
        this.#link.release();
        cb?.(b === 1);
        break;
      }
      case Op.H_EOF:
        this.#readEof = true;
        this.#outstanding = 0;
        this.#endGetters(EOF);
        this.#notify();
        break;
      case Op.H_STATE:
        this.#homeSize = a;
        this.#unfinished = b;
        break;
      case Op.H_JOINED:
        this.#joins.get(a)?.();
        this.#joins.delete(a);
        this.#link.release();
        break;
    }
  };

  #data = (epoch: number, item: Item): void => {
    if (epoch !== this.#epoch) {
      // Sent before our give-back: the home took it back, or waits for it if it was moved.
      this.#returnMoved([item]);
      return;
    }
    if (this.#outstanding > 0) this.#outstanding--;
    this.#deliver(item);
  };

  #deliver(item: Item): void {
    for (let g = this.#getters.shift(); g; g = this.#getters.shift()) {
      if (g.done) continue;
      g.done = true;
      clearTimeout(g.timer);
      this.#link.release();
      this.#consumed();
      g.resolve(item);
      return;
    }
    this.#buffer.push(item);
    this.#notify();
  }

  /** Sends moved items back to the home, in order (the others it still has). */
  #returnMoved(items: Item[]): void {
    if (!this.#moves) return;
    for (const item of items) {
      if (movable(item) || (isDecoded(item) && item.moved)) this.#link.send(Op.R_RETURN, 0, 0, item);
    }
  }

  #notify(): void {
    for (const cb of [...this.#listeners]) cb();
  }

  #endGetters(r: GetResult): void {
    for (let g = this.#getters.shift(); g; g = this.#getters.shift()) {
      if (g.done) continue;
      g.done = true;
      clearTimeout(g.timer);
      this.#link.release();
      g.resolve(r);
    }
  }

  // The link is gone: the home exited, or it answered our close.
  #onClose = (): void => {
    this.#gone = true;
    this.#readEof = true;
    this.#outstanding = 0;
    untrack(this);
    this.#endGetters(EOF);
    for (const cb of this.#acks.values()) cb(EOF);
    this.#acks.clear();
    for (const cb of this.#joins.values()) cb();
    this.#joins.clear();
    this.#notify();
    this.#onGone?.();
  };
}
