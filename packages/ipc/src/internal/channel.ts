/**
 * The home of a queue, or of one direction of a pipe: a FIFO of serialized items living in the
 * thread (or process) that created the object. Local handles take items directly; remote handles
 * (other threads and processes, over links) are {@link Reader}s that get items pushed to them while
 * they have credit. Every item goes to exactly one taker, which is why there is no loss and no
 * duplicate however many consumers there are.
 */
import { Deque } from './deque.js';

/**
 * A message: JSON text, or one kind byte then its payload (see serialize.ts), or a value already
 * decoded (see {@link Decoded}).
 */
export type Item = Uint8Array | string | Decoded;
/** Returned by a receive when nobody is left to send. */
export const EOF: unique symbol = Symbol('multiproc.eof');
/** Returned by a receive or put that ran out of time. */
export const TIMEOUT: unique symbol = Symbol('multiproc.timeout');
export type Taken = Item | typeof EOF;

/**
 * A JSON-exact value that crossed a port by structured clone, so this copy is private: a run of
 * JSON items parsed at once, or a value sent at once by `Connection.send()` (see port-link.ts).
 * `moved` marks one the home kept no copy of, which the remote sends back if it does not use it.
 * A plain object, so it keeps its shape across a port.
 */
export interface Decoded {
  readonly value: unknown;
  readonly moved?: boolean;
}

/** Whether `item` is a {@link Decoded} value rather than text or bytes. */
export function isDecoded(item: Item): item is Decoded {
  return typeof item === 'object' && !(item instanceof Uint8Array);
}

/** A remote consumer: takes up to `credit` items, pushed as they come. */
export interface Reader {
  credit: number;
  deliver(item: Item): void;
  /** Sends `value` to this reader at once without serializing it, if its link can; see Handle.sendNow. */
  deliverNow(value: unknown): boolean;
  deliverEof(): void;
}

interface Waiter {
  resolve(r: Taken | typeof TIMEOUT): void;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

interface Putter {
  item: Item;
  resolve(ok: boolean): void;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

export interface ChannelOptions {
  /** 0 means unbounded. */
  maxsize: number;
  /** A pipe direction ends (EOF) once its last writer is gone; a queue never does. */
  endsWithWriters: boolean;
  /** Counts unfinished tasks (JoinableQueue). */
  joinable: boolean;
}

export class Channel {
  readonly maxsize: number;
  readonly #opts: ChannelOptions;
  readonly #items = new Deque<Item>();
  readonly #waiters = new Deque<Waiter>();
  readonly #readers = new Deque<Reader>();
  readonly #attached = new Set<Reader>();
  readonly #putters = new Deque<Putter>();
  readonly #listeners = new Set<() => void>();
  // Items pushed to remote readers that they have not reported consumed: still "in the queue"
  // for qsize() and maxsize, as in Python, where an item counts until a get() returns it.
  #inFlight = 0;
  #writers = 0;
  #ended = false;
  #unfinished = 0;
  #joiners: (() => void)[] = [];

  constructor(opts: ChannelOptions) {
    this.#opts = opts;
    this.maxsize = opts.maxsize;
  }

  /** Items not yet consumed: waiting here or pushed to a remote reader that has not used them. */
  get size(): number {
    return this.#items.length + this.#inFlight;
  }

  /** Items a local get can take now. */
  get available(): number {
    return this.#items.length;
  }

  get unfinished(): number {
    return this.#unfinished;
  }

  /** No item is left and none can come. */
  get atEof(): boolean {
    return this.#ended && this.#items.length === 0;
  }

  full(): boolean {
    return this.maxsize > 0 && this.#items.length + this.#inFlight >= this.maxsize;
  }

  /** Adds an item now if there is room; otherwise waits up to `timeoutMs` (undefined: forever). */
  put(item: Item, timeoutMs?: number): boolean | Promise<boolean> {
    if (this.tryPut(item)) return true;
    if (timeoutMs === 0) return false;
    return new Promise<boolean>((resolve) => {
      const p: Putter = { item, resolve, timer: undefined, done: false };
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        p.timer = setTimeout(() => {
          p.done = true;
          resolve(false);
        }, timeoutMs);
      }
      this.#putters.push(p);
    });
  }

  tryPut(item: Item): boolean {
    if (this.full() || this.#hasLivePutters()) return false;
    if (this.#opts.joinable) this.#unfinished++;
    this.#items.push(item);
    this.#pump();
    return true;
  }

  /**
   * Hands `value` straight to the next remote reader when it would be next anyway (nothing
   * waiting here, no local take waiting, the reader has credit) and its link can send at once.
   */
  tryDirect(value: unknown): boolean {
    if (this.#items.length > 0 || this.#waiters.length > 0 || this.#putters.length > 0 || this.full()) {
      return false;
    }
    const r = this.#readers.peek();
    if (r === undefined || r.credit <= 0 || !r.deliverNow(value)) return false;
    this.#readers.shift();
    r.credit--;
    this.#inFlight++;
    if (this.#opts.joinable) this.#unfinished++;
    if (r.credit > 0) this.#readers.push(r);
    return true;
  }

  /**
   * Puts items a remote reader received but never used back at the front, in their order;
   * `lost` more of the items pushed to it are gone (moved to a thread that ended with them).
   */
  unshift(items: Item[], lost = 0): void {
    this.#inFlight -= items.length + lost;
    this.#items.unshiftAll(items);
    this.#pump();
  }

  /** A remote reader consumed `n` of the items pushed to it. */
  settle(n: number): void {
    this.#inFlight -= n;
    if (this.#putters.length > 0) this.#pump();
  }

  tryTake(): Taken | undefined {
    const item = this.#items.shift();
    if (item !== undefined) {
      if (this.#putters.length > 0) this.#pump();
      return item;
    }
    return this.atEof ? EOF : undefined;
  }

  /** Takes an item now if there is one; otherwise waits up to `timeoutMs` (undefined: forever). */
  take(timeoutMs?: number): Taken | typeof TIMEOUT | Promise<Taken | typeof TIMEOUT> {
    const now = this.tryTake();
    if (now !== undefined) return now;
    if (timeoutMs === 0) return TIMEOUT;
    return new Promise((resolve) => {
      const w: Waiter = { resolve, timer: undefined, done: false };
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          w.done = true;
          resolve(TIMEOUT);
        }, timeoutMs);
      }
      this.#waiters.push(w);
    });
  }

  /** Answers every waiting local take with EOF (the taking handle was closed). */
  cancelTakes(): void {
    for (let w = this.#waiters.shift(); w; w = this.#waiters.shift()) {
      if (w.done) continue;
      w.done = true;
      clearTimeout(w.timer);
      w.resolve(EOF);
    }
  }

  attachReader(r: Reader): void {
    this.#attached.add(r);
    if (this.atEof) this.#endReader(r);
  }

  detachReader(r: Reader): void {
    r.credit = 0;
    this.#attached.delete(r);
  }

  addCredit(r: Reader, n: number): void {
    if (!this.#attached.has(r) || n <= 0) return;
    if (r.credit <= 0) this.#readers.push(r);
    r.credit += n;
    this.#pump();
  }

  addWriter(): void {
    this.#writers++;
  }

  removeWriter(): void {
    if (--this.#writers > 0 || !this.#opts.endsWithWriters) return;
    this.#ended = true;
    this.#pump();
  }

  taskDone(n = 1): boolean {
    if (n > this.#unfinished) return false;
    this.#unfinished -= n;
    if (this.#unfinished === 0) for (const j of this.#joiners.splice(0)) j();
    return true;
  }

  join(): Promise<void> {
    if (this.#unfinished === 0) return Promise.resolve();
    return new Promise((resolve) => this.#joiners.push(resolve));
  }

  /** Calls `cb` (once per change) while an item or EOF is available; returns an unsubscribe. */
  onReady(cb: () => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  #hasLivePutters(): boolean {
    while (this.#putters.peek()?.done) this.#putters.shift();
    return this.#putters.length > 0;
  }

  // Moves items to waiting takers and admits waiting puts until neither can progress.
  #pump(): void {
    for (;;) {
      while (this.#items.length > 0) {
        const w = this.#waiters.shift();
        if (w) {
          if (w.done) continue;
          w.done = true;
          clearTimeout(w.timer);
          w.resolve(this.#items.shift()!);
          continue;
        }
        const r = this.#readers.shift();
        if (!r) break;
        if (r.credit <= 0) continue;
        r.credit--;
        this.#inFlight++;
        r.deliver(this.#items.shift()!);
        if (r.credit > 0) this.#readers.push(r);
      }
      let admitted = false;
      while (!this.full() && this.#putters.length > 0) {
        const p = this.#putters.shift()!;
        if (p.done) continue;
        p.done = true;
        clearTimeout(p.timer);
        if (this.#opts.joinable) this.#unfinished++;
        this.#items.push(p.item);
        p.resolve(true);
        admitted = true;
      }
      if (!admitted) break;
    }
    if (this.atEof) {
      for (let w = this.#waiters.shift(); w; w = this.#waiters.shift()) {
        if (w.done) continue;
        w.done = true;
        clearTimeout(w.timer);
        w.resolve(EOF);
      }
      for (const r of this.#attached) this.#endReader(r);
    }
    if (this.#listeners.size > 0 && (this.#items.length > 0 || this.atEof)) {
      for (const cb of [...this.#listeners]) cb();
    }
  }

  #endReader(r: Reader): void {
    this.#attached.delete(r);
    r.credit = 0;
    r.deliverEof();
  }
}
