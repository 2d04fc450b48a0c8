/** The home thread's own handle of a queue or pipe end: direct calls on its protocol. */
import type { EncodeContext } from '@multiproc/shared';
import { flushBefore } from '../link/send-order.js';
import type { Channel } from '../protocol/channel.js';
import type { Wait } from '../protocol/home-copy.js';
import { approxBytes, BROKEN, type Item, MOVE_MIN_BYTES, type Taken, TIMEOUT } from '../protocol/item.js';
import type { PutWait } from '../protocol/reader-copy.js';
import { toItem } from '../serialize.js';
import { dropCarried } from './carried.js';
import { readCopyNow } from './catch-up.js';
import type { GetResult, Handle, HandleData, HandleKeeper, PutResult } from './handle.js';
import { HomeRuntime } from './home-runtime.js';
import { SendBudget } from './send-budget.js';
import { type STUCK, Waiter } from './waiter.js';

// A producer looping on `await put()` never gives the event loop a turn (each put resolves at
// once), so frames from copies (their demand, their reports) would wait until the loop ends. Every
// this many puts the clock is read, and once TURN_MS (ms) passed since the last such turn, that put
// resolves on the next turn instead. A turn per millisecond, not per 256 puts: each costs the
// batch it sends early and an event loop pass, about a tenth of a small put's CPU at 256.
const PUTS_PER_CLOCK = 256;
const TURN_MS = 1;
// A pipe's messages while its reader has not asked (see #unstall): the second big one in a row
// waits for the reader's demand up to STALL_WAIT_MS (ms), once per stall.
const STALLS_BEFORE_WAIT = 2;
const STALL_WAIT_MS = 20;
// Small messages or items of a stall read at the 1st, 2nd, 4th... and then at every this-many-th:
// a queue's consumer that reads nothing ahead asks for one item per get.
const SMALL_READS_EVERY = 64;

export class HomeHandle implements Handle {
  readonly #rt: HomeRuntime;
  readonly #end: number;
  // The channel this end writes (null: a pipe's receive-only end), fixed for its life.
  readonly #write: Channel | null;
  #closed = false;
  #puts = 0;
  #turnAt = 0;
  // A pipe's messages in a row that found its reader not asking (#unstall).
  #stalls = 0;
  // A pipe end's: what it sent that its readers elsewhere have not taken yet (send-budget.ts).
  readonly #budget: SendBudget | null;
  // Withdraws an abandoned get: one function for all of them, not one per get.
  readonly #cancelGet = (w: Wait): void => void this.#proto.cancel(this.#end, w, false);
  // This handle's waiting puts and joins, and onReady watchers: ended when it closes.
  readonly #waits = new Set<Waiter<any>>();
  readonly #watchers = new Set<() => void>();

  constructor(rt: HomeRuntime, end: number) {
    this.#rt = rt;
    this.#end = end;
    this.#write = rt.proto.endpoints[end]!.write;
    this.#budget = this.#write && !rt.proto.isQueue ? new SendBudget() : null;
  }

  /** A queue: one endpoint, read and written by every handle. */
  static queue(maxsize: number, joinable: boolean): HomeHandle {
    return new HomeHandle(new HomeRuntime({ kind: 'queue', maxsize, joinable }), 0);
  }

  /** A pipe: two handles, each writing what the other reads ([receive end, send end] one-way). */
  static pipe(duplex: boolean, passive = false): [HomeHandle, HomeHandle] {
    const rt = new HomeRuntime({ kind: 'pipe', duplex });
    rt.passive = passive;
    return [new HomeHandle(rt, 0), new HomeHandle(rt, 1)];
  }

  /** A Listener's connection: at exit, serve the client until it took what was sent (see HomeRuntime). */
  deliverAtExit(on = true): void {
    this.#rt.deliversAtExit = on;
  }

  /**
   * A pipe end at home: a worker writing to it was killed or terminated (not one that ended in
   * order), so what it sent in its last moments may never have left it.
   */
  writerStopped(): boolean {
    return this.#rt.proto.endpoints[this.#end]!.read?.writerStopped === true;
  }

  get #proto() {
    return this.#rt.proto;
  }

  put(item: Item, timeoutMs: number | undefined): PutResult | Promise<PutResult> {
    const ch = this.#write;
    if (ch?.broken) return dropped(item, BROKEN);
    const bytes = this.#budget ? approxBytes(item) : 0; // before a port moves it away
    if (ch ? ch.tryPut(item) : this.#proto.tryPut(this.#end, item)) {
      // The item waits here: its reader may have asked already.
      if (ch !== null && ch.items.length > 0) this.#unstall(item);
      else this.#stalls = 0;
      this.#budget?.sent(ch!, bytes);
      if (++this.#puts < PUTS_PER_CLOCK) return true;
      this.#puts = 0;
      const now = performance.now();
      if (now - this.#turnAt < TURN_MS) return true;
      this.#turnAt = now;
      return new Promise((resolve) => setImmediate(resolve, true));
    }
    if (timeoutMs === 0) return dropped(item, false);
    const proto = this.#proto;
    const w = new Waiter<boolean>((x) => proto.cancel(this.#end, x, true)) as Waiter<boolean> & PutWait;
    Object.assign(w, { item, copy: null, seq: 0, local: true });
    proto.waitPut(this.#end, w);
    w.expireAfter(timeoutMs, () => proto.cancel(this.#end, w, true) && w.settle(false));
    // Not admitted (timed out, withdrawn): what the item carries is released.
    void w.promise.then((r) => r !== true && dropCarried(item));
    return this.#track(w);
  }

  sendNow(value: unknown): boolean {
    if (!this.#proto.sendNow(this.#end, value, keptCopy)) return false;
    this.#budget?.sent(this.#write!, 0);
    return true;
  }

  sendBytesNow(bytes: Uint8Array): boolean {
    if (!this.#proto.sendBytesNow(this.#end, bytes)) return false;
    this.#stalls = 0;
    this.#budget?.sent(this.#write!, bytes.byteLength);
    return true;
  }

  /**
   * A message of this pipe end, or an item of this queue, waits here, maybe because its only
   * reader's request (its first demand, its next one, its answer to a recall) waits in its port or
   * the kernel: this thread has not yielded since. Reads it now, so that message and the waiting
   * ones before it go to the reader, and a sender looping without yielding does not pile its
   * messages up here, copied, until it yields. Big ones ({@link MOVE_MIN_BYTES}) read every time
   * and the second in a row waits for it up to {@link STALL_WAIT_MS}, once per stall; small ones
   * read at the 1st, 2nd, 4th... message of a stall, then every {@link SMALL_READS_EVERY}th (a
   * reader busy elsewhere costs little).
   */
  #unstall(item: Item): void {
    const proto = this.#proto;
    let c = proto.stalledReader(this.#end);
    if (!c) {
      this.#stalls = 0;
      return;
    }
    const n = ++this.#stalls;
    const big = approxBytes(item) >= MOVE_MIN_BYTES;
    if (!big && (n & (n - 1)) !== 0 && n % SMALL_READS_EVERY !== 0) return;
    const until = performance.now() + (big && n === STALLS_BEFORE_WAIT ? STALL_WAIT_MS : 0);
    for (; c && readCopyNow(c, Math.max(0, until - performance.now())); ) {
      c = proto.stalledReader(this.#end);
    }
    // Read or not, what this side sent it leaves now, not when this thread next sends on its link:
    // what its frames made this side send, and the items a put sent it at once on its credit (a
    // port batches every send after the first of a turn, and this turn does not end). Those waited
    // in the batch while every later item waited here, and the copy, its get counting on them,
    // asked for nothing more: 2 items of a loop's 1M taken, on a loaded machine.
    flushBefore(null);
  }

  putNowait(item: Item): boolean {
    if (!this.#proto.tryPut(this.#end, item)) return dropped(item, false);
    const ch = this.#write!;
    if (ch.items.length > 0) this.#unstall(item);
    else this.#stalls = 0;
    return true;
  }

  get(timeoutMs: number | undefined): GetResult | Promise<GetResult> {
    const proto = this.#proto;
    const now = proto.tryTake(this.#end);
    if (now !== undefined) return now;
    if (timeoutMs === 0) return this.getNowait() ?? TIMEOUT;
    const w = new Waiter<Taken | typeof TIMEOUT>(this.#cancelGet);
    proto.waitTake(this.#end, w);
    if (timeoutMs !== undefined)
      w.expireAfter(timeoutMs, () => proto.cancel(this.#end, w, false) && w.settle(TIMEOUT));
    return w.promise;
  }

  getNowait(): Taken | undefined {
    const now = this.#proto.tryTake(this.#end);
    if (now !== undefined) return now;
    this.#rt.catchUp(this.#end); // what thread copies sent while this thread did not yield
    return this.#proto.tryTake(this.#end);
  }

  ready(): boolean {
    const ch = this.#proto.endpoints[this.#end]!.read;
    if (!ch) return false;
    if (ch.items.length === 0 && !ch.atEof) this.#rt.catchUp(this.#end);
    return ch.items.length > 0 || ch.atEof;
  }

  onReady(cb: () => void): () => void {
    const off = this.#proto.watch(this.#end, cb);
    this.#watchers.add(cb);
    return () => {
      this.#watchers.delete(cb);
      off();
    };
  }

  size(): number {
    return this.#proto.main.size;
  }

  full(): boolean {
    return this.#proto.main.full();
  }

  taskDone(): boolean {
    return this.#proto.taskDone(1);
  }

  taskCounts(): { unfinished: number; queued: number } {
    return { unfinished: this.#proto.tasks.unfinished, queued: this.#proto.main.size };
  }

  join(): Promise<undefined | typeof STUCK> {
    const proto = this.#proto;
    const w = new Waiter<undefined>((x) => proto.cancelJoin(x));
    if (proto.join(w)) w.settle(undefined);
    return this.#track(w);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#rt.closeLocal(this.#end); // ends this end's gets with EOF
      // Withdrawn (a put's item is never admitted later), settled STUCK; the caller, closed, says so.
      for (const w of [...this.#waits]) w.abandon();
      for (const cb of [...this.#watchers]) cb();
    }
    return Promise.resolve();
  }

  #track<T>(w: Waiter<T>): Promise<T | typeof STUCK> {
    if (w.done) return w.promise;
    this.#waits.add(w);
    void w.promise.then(() => this.#waits.delete(w));
    return w.promise;
  }

  encode(ctx: EncodeContext): HandleData {
    return this.#rt.encode(this.#end, ctx);
  }

  keep(): HandleKeeper {
    return this.#rt.keep(this.#end);
  }
}

/** `item` is not put: what it carries is released (carried.ts); returns `result`. */
function dropped<R>(item: Item, result: R): R {
  dropCarried(item);
  return result;
}

// What the home keeps of a value sent at once to a thread's copy (home.ts sendNow): a private copy,
// as a send takes a snapshot, until the copy reports it taken.
function keptCopy(value: unknown): Item {
  return toItem(value, 'value', true);
}
