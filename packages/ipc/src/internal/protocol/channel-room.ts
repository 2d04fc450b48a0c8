/**
 * The room of one FIFO at home (channel.ts): its size (a queue's count in shared memory, or what
 * is here and on its way to copies), its `maxsize`, and the puts waiting for room, admitted in the
 * order they came as items leave (a thread copy's `putNowait()` sees in the shared count that one
 * waits and leaves freed room to it).
 */
import { Deque } from '../deque.js';
import type { QueueCount } from './count.js';
import type { HomeActions } from './home-copy.js';
import type { Item } from './item.js';
import { Op } from './ops.js';
import type { PutWait } from './reader-copy.js';

export interface ChannelOptions {
  /** 0 means unbounded. */
  readonly maxsize: number;
  /** A pipe direction ends (EOF) once its last writer is gone; a queue never does. */
  readonly endsWithWriters: boolean;
  /**
   * Counts an admitted item as an unfinished task (JoinableQueue); `counted`: its thread copy
   * counted it already, before its put returned.
   */
  readonly onAdmit: ((counted: boolean) => void) | null;
  /** The last local get or put waiting here is over (what copies held alive for it can let go). */
  readonly onLocalDone: () => void;
  /** A queue's size in shared memory (count.ts); null for a pipe direction, which counts here. */
  readonly count: QueueCount | null;
  /** Room runs short while copies hold places (places.ts): the home recalls them. */
  readonly onPressure?: () => void;
}

/** A channel's items, room and waiting puts; channel.ts adds who takes the items. */
export abstract class ChannelRoom {
  readonly items = new Deque<Item>();
  readonly #putters = new Deque<PutWait>();
  protected readonly out: HomeActions;
  protected readonly opts: ChannelOptions;
  localPutters = 0;
  /** Items pushed to copies and not reported consumed: still in the queue, as in Python. */
  inFlight = 0;

  constructor(out: HomeActions, opts: ChannelOptions) {
    this.out = out;
    this.opts = opts;
  }

  /** Moves items to takers and admits waiting puts (channel.ts). */
  abstract pump(): void;

  get maxsize(): number {
    return this.opts.maxsize;
  }

  /**
   * Items not consumed yet: here, or pushed to a copy that has not used them; for a queue also
   * those a thread copy reserved room for and is sending (its shared count), not places granted.
   */
  get size(): number {
    return this.count ? this.count.size : this.items.length + this.inFlight;
  }

  /** Room granted ahead to copies in other processes and not used yet (places.ts; 0: none, a pipe). */
  get places(): number {
    return this.opts.count?.places ?? 0;
  }

  /** A queue's shared count (null: a pipe direction). */
  get count(): QueueCount | null {
    return this.opts.count;
  }

  /** No room left to take (a queue: places granted count as taken, as for a put). */
  full(): boolean {
    const count = this.opts.count;
    if (count) return count.full();
    return this.opts.maxsize > 0 && this.size >= this.opts.maxsize;
  }

  /** Whether puts are queued here (some may be over already). */
  get hasPuts(): boolean {
    return this.#putters.length > 0;
  }

  /** Takes room for one item (a queue counts it) if there is room and no put waits before it. */
  reserve(): boolean {
    if (this.#livePutters()) return false;
    const count = this.opts.count;
    if (!count) return !this.full();
    const ok = count.tryReserve();
    this.pressure(!ok);
    return ok;
  }

  /**
   * Room was just taken (or `failed`: none was left) at home: while copies hold places, the home
   * recalls them once the queue is three quarters full or a put finds none (places.ts).
   */
  pressure(failed: boolean): void {
    const count = this.opts.count;
    const max = this.opts.maxsize;
    if (max > 0 && count && count.places > 0 && (failed || count.value * 4 >= max * 3))
      this.opts.onPressure?.();
  }

  /**
   * An item came in: its room is counted now, or was (`reserved`: at home, or by a thread copy in
   * the shared count, whose putNowait() finding no room tells nobody): places are recalled at three
   * quarters full either way.
   */
  protected roomTaken(reserved: boolean): void {
    if (!reserved) this.opts.count?.add(1);
    this.pressure(false);
  }

  /** Room taken for `n` items that will not come (a copy gave it back, or died holding it). */
  unreserve(n: number): void {
    if (n <= 0) return;
    this.opts.count?.add(-n);
    this.pump();
  }

  /** Queues a put until there is room; `w.done` false until admitted or cancelled. */
  waitPut(w: PutWait): void {
    if (w.local) this.localPutters++;
    this.#putters.push(w);
    this.putsChanged();
    this.pressure(true);
  }

  /**
   * A put began or stopped waiting for room: thread copies read in the shared count whether one
   * waits, so their `putNowait()` leaves freed room to it, as a put at home does.
   */
  putsChanged(): void {
    this.opts.count?.setWaiting(this.#livePutters());
  }

  // Whether a put waits for room (dropping those already over from the front).
  #livePutters(): boolean {
    if (this.#putters.length === 0) return false;
    while (this.#putters.peek()?.done) this.#putters.shift();
    return this.#putters.length > 0;
  }

  /** Admits waiting puts while there is room; whether any was. */
  protected admitPuts(): boolean {
    let admitted = false;
    const count = this.opts.count;
    while (this.#putters.length > 0) {
      const p = this.#putters.peek()!;
      if (p.done) {
        this.#putters.shift();
        continue;
      }
      if (count ? !count.tryReserve(true) : this.full()) break;
      this.#putters.shift();
      p.done = true;
      if (p.local) this.localPutters--;
      this.opts.onAdmit?.(false);
      this.items.push(p.item);
      if (p.copy) {
        p.copy.puts.delete(p);
        p.copy.dirty = true;
        this.out.send(p.copy, Op.H_PUT_DONE, p.seq, 1);
      }
      this.out.settle(p, true);
      admitted = true;
    }
    if (admitted) this.putsChanged();
    return admitted;
  }
}
