/**
 * A copy's synchronous calls (remote-handle.ts): Python's `put_nowait`, `get_nowait`, `qsize` and
 * `task_done` from another thread or process. A thread copy of a queue answers from the queue's
 * count in shared memory and its own words there (count.ts), and puts an item it has room for
 * (counting a JoinableQueue's task there too) without asking; otherwise the call asks the home and
 * blocks on a bare wait for its answer, at most {@link SYNC_ANSWER_MS}, then answers from what the
 * copy knows (a process copy's bounded putNowait() spends a place if it has one: places.ts).
 */
import type { Link } from '../link/link.js';
import { PortLink } from '../link/port-link.js';
import type { SocketLink } from '../link/socket-link.js';
import { type CopyProtocol, ROOM_COUNTED, ROOM_GRANTED, type SlotWait } from '../protocol/copy.js';
import { CONSUMED, QueueCount, SENT, WAKE } from '../protocol/count.js';
import type { Wait } from '../protocol/home-copy.js';
import { EOF, type Item, TIMEOUT } from '../protocol/item.js';
import { JOIN_AT_HOME, Op } from '../protocol/ops.js';
import { askPlaces, placesFor } from '../protocol/places.js';
import { broker } from './broker.js';
import type { HandleData } from './handle.js';
import { STUCK, Waiter } from './waiter.js';

/**
 * The longest a synchronous method of a queue copy (`putNowait`, `getNowait`, `qsize`, …) waits for
 * the queue's thread to answer (ms); past it, the method answers from what this copy knows.
 */
export const SYNC_ANSWER_MS = 1000;
/**
 * A copy in another process taking an item this long (ms) after the one before writes its
 * consumed-report at once (CopySync.consumed): code that took an item and ran on is slow to take.
 */
export const REPORT_GAP_MS = 0.2;
// A socket is read and written synchronously through its descriptor, which a Windows pipe lacks.
const SYNC_SOCKETS = process.platform !== 'win32';

/** A bare wait that a synchronous call blocks on; `result` is what it was settled with. */
interface SyncWait extends Wait {
  result?: unknown;
}

/** Settles a runtime waiter, or marks a bare wait (the synchronous exit path) done. */
export function settleWait(w: Wait, r: Item | symbol | boolean): void {
  if (w instanceof Waiter) w.settle(r);
  else {
    w.done = true;
    (w as SyncWait).result = r;
  }
}

/** A misuse the home found after the call returned (a taskDone() sent on its way refused). */
export function warnLate(message: string): void {
  process.emitWarning(message, { type: 'MultiprocWarning', code: 'MP_TASK_DONE' });
}

/** One copy's synchronous calls, and a thread copy's words in shared memory. */
export class CopySync {
  readonly #data: HandleData;
  readonly #link: Link;
  readonly #maxsize: number;
  readonly #homeHere: boolean;
  readonly #joinable: boolean;
  #homeIsHere: boolean | null = null;
  // A thread copy's words (count.ts): what it consumed and the room it took, for the home to read
  // if this thread dies, and the word the home bumps after a synchronous answer.
  readonly #shared: Int32Array | null;
  /** A thread copy of a queue: the queue's size in shared memory, which it reads and counts in. */
  readonly count: QueueCount | null;
  // Items this copy handed out, and its taskDone() calls counted (mod 2^32): while it got more
  // than it marked done, a call from another process needs no answer.
  #got = 0;
  #marked = 0;
  #takenAt = Number.NEGATIVE_INFINITY; // when a process copy last handed an item out (performance.now())
  readonly #places: number; // the most places it holds (protocol/places.ts): none with the count

  constructor(data: HandleData, link: Link, maxsize: number, homeHere: boolean, joinable: boolean) {
    this.#data = data;
    this.#link = link;
    this.#maxsize = maxsize;
    this.#homeHere = homeHere;
    this.#joinable = joinable;
    this.#shared = data.shared ? new Int32Array(data.shared) : null;
    this.count = data.count && this.#shared ? new QueueCount(maxsize, data.count) : null;
    this.#places = this.count || joinable ? 0 : placesFor(maxsize);
  }

  /**
   * This copy consumed its `total`-th item (`waited`: its get waited for it): a thread copy's
   * shared word and the count change at once (its home reads them if the thread dies). A process
   * copy has no such word: true when its consumed-report must be written before the item reaches
   * the code (else a signal stopping code that ran on gets the item served again): its get waited,
   * or its last take was over {@link REPORT_GAP_MS} ago; a stream's quick takes go with the turn.
   */
  consumed(total: number, waited: boolean): boolean {
    this.#got = total;
    if (!this.#shared) {
      if (this.#link instanceof PortLink || this.#homeHere) return false;
      const now = performance.now();
      const gap = now - this.#takenAt;
      this.#takenAt = now;
      return waited || gap > REPORT_GAP_MS;
    }
    if (this.count) this.count.consume(this.#shared, total);
    else this.#shared[CONSUMED] = total;
    return false;
  }

  /**
   * This copy sent an item (R_PUT), which may leave only at the end of its turn: a thread copy
   * counts it first, so a home that answers synchronously knows to wait for it (catch-up.ts).
   */
  sent(): void {
    const words = this.#shared;
    if (words) words[SENT] = (words[SENT]! + 1) | 0; // read by the home, which only waits longer
  }

  /**
   * Sends a put now, when it needs no answer: a thread copy's with room, as Python's put() takes
   * the queue's semaphores (the room and a JoinableQueue's task are counted in shared memory, then
   * the item is sent: complete without the home, which may be blocked), or one not `acked` (an
   * unbounded queue's or a pipe's, from another process: on its way). False when it was not sent:
   * no shared count, the queue is full, a put waits at home for room, or a put of this copy waits
   * for the home's answer (which goes first: per-sender FIFO).
   */
  putNow(proto: CopyProtocol, item: Item, acked = true): boolean {
    const count = this.count;
    if (!count && !acked) proto.put(item, null, 0);
    if (!count || (this.#maxsize > 0 && proto.putsPending)) return !count && !acked;
    // The room and this copy's record of it change in one instant, then the task (count.ts).
    if (!count.tryReserve(false, this.#shared!)) return false;
    if (this.#joinable) count.addTask(this.#shared!);
    proto.put(item, null, 0, ROOM_COUNTED, this.#joinable);
    return true;
  }

  putNowait(proto: CopyProtocol, item: Item): boolean {
    // A put of ours waiting for room (or its answer) goes first: the home decides, in order.
    if (this.count && !(this.#maxsize > 0 && proto.putsPending)) return this.putNow(proto, item);
    // A bounded queue's room (and a JoinableQueue's task with it) is the home's to count (another
    // process). An unbounded JoinableQueue's task is counted as the item arrives, as for put().
    const asks = this.#maxsize > 0 && proto.state === 'open';
    // A place the home granted ahead (protocol/places.ts): room taken already, so the put needs no
    // answer from a home that may be busy, as Python's put_nowait() takes a shared semaphore. It
    // leaves now, as below: code that never yields after a burst of puts would hold its tail.
    if (asks && proto.places > 0 && !proto.putsPending && !proto.homeEnded) {
      proto.places--;
      proto.put(item, null, 0, ROOM_GRANTED);
      askPlaces(proto, false, this.#places);
      this.#link.flush();
      return true;
    }
    if (asks && !SYNC_SOCKETS && !(this.#link instanceof PortLink)) {
      // No synchronous question over this socket (Windows): from the last size the home told.
      if (proto.homeSize >= this.#maxsize) return false;
      proto.put(item, null, 0);
      return true;
    }
    if (asks) {
      // The home grants room for it and counts its task first, as Python's shared semaphores would.
      const w: SlotWait & SyncWait = { done: false, abandoned: false };
      askPlaces(proto, w, this.#places);
      const answered = this.#waitSync(w);
      if (!answered) w.abandoned = true; // room (and a task) granted later goes back
      if (!answered || w.result !== true) return false;
      proto.put(item, null, 0, ROOM_GRANTED, this.#joinable);
      // Now, as Python's feeder sends it: the question just sent would hold it in this turn's batch,
      // and code that never yields has no next send to take it along (link/scheduler.ts).
      this.#link.flush();
      return true;
    }
    proto.put(item, null, 0);
    return true;
  }

  getNowait(proto: CopyProtocol): Item | typeof EOF | undefined {
    const now = proto.get(null);
    if (now !== undefined || proto.state !== 'open' || this.count?.size === 0) return now;
    // Python's get(block=False): an item the home has now, asked for synchronously.
    proto.clock = performance.now();
    const w: SyncWait = { done: false };
    const r = proto.tryGet(w);
    if (r !== undefined) return r === TIMEOUT ? undefined : r;
    if (!this.#waitSync(w)) {
      proto.cancel(w); // an item pushed for it later waits here for the next get
      return undefined;
    }
    return w.result === TIMEOUT ? undefined : (w.result as Item | typeof EOF);
  }

  /**
   * Python's `task_done()` from a copy: a thread copy marks one of the queue's tasks done in the
   * shared count (telling the home when none is left, for its joins). A copy in another process
   * that got more items than it marked done sends the call on its way (the home counted those
   * items' tasks before it handed them out: one is unfinished unless another holder marked more
   * done than it got, and then the home refuses it and this process gets a warning); otherwise it
   * asks the home synchronously. False when none was unfinished. Unanswered in time (or when this
   * copy cannot wait), the call counts as done: the home still applies it when it arrives.
   * Once the home is gone (its thread or process ended) nothing else counts the queue's tasks: a
   * copy without the shared count marks done only the items it got and did not mark done yet,
   * and refuses the call past them (as the home would have, rather than counting it unseen).
   */
  taskDone(proto: CopyProtocol): boolean {
    if (this.count) {
      const left = this.count.tasksDone(1);
      if (left === 0) proto.tasksAtZero();
      return left >= 0;
    }
    const owed = ((this.#got - this.#marked) | 0) > 0;
    if (owed && proto.state === 'open') {
      this.#marked = (this.#marked + 1) | 0;
      proto.taskDoneLater();
      return true;
    }
    if (proto.state === 'gone') {
      if (owed) this.#marked = (this.#marked + 1) | 0;
      return owed;
    }
    const w: SyncWait = { done: false };
    proto.taskDone(w);
    const counted = (w.done || this.#waitSync(w) ? w.result : true) !== false;
    if (counted) this.#marked = (this.#marked + 1) | 0;
    return counted;
  }

  /**
   * A join: over at once when no task is unfinished now (a thread copy reads the shared count, and
   * no copy in another process, whose puts may be on their way, exists); else asks the home
   * (R_JOIN), which answers once none is, or none was since this began (after its flush barrier).
   * EOF: closed meanwhile (asks end with it), or the home is gone; STUCK: nothing could answer.
   */
  join(proto: CopyProtocol): Promise<undefined | typeof STUCK | typeof EOF> {
    const count = this.count;
    // Copies in other processes first: their puts may be on their way, so the join begins at home
    // (the zeros read here would come before those items arrive, even if they had all closed since).
    const remote = count?.remote ?? 0;
    const zeros = count?.zeros ?? 0; // before `unfinished`: a change to 0 after this read moves it on
    if (count?.unfinished === 0 && remote === 0) return Promise.resolve(undefined);
    // The home is gone (its thread or process ended): nothing counts the tasks any more. A join
    // asked now ends as one that waited when the link went (EOF), not as answered: ask() settles
    // `true` on a gone link, which read as "joined" while items were still unfinished.
    if (proto.state === 'gone') return Promise.resolve(EOF);
    const w = new Waiter<undefined>(() => {});
    proto.ask(Op.R_JOIN, w, zeros, remote > 0 ? JOIN_AT_HOME : undefined);
    return w.promise.then((r) =>
      r === STUCK || (r as unknown) === EOF ? (r as typeof STUCK | typeof EOF) : undefined,
    );
  }

  /** A JoinableQueue's unfinished tasks (a thread copy: now) and its size as the home last said. */
  taskCounts(proto: CopyProtocol): { unfinished: number; queued: number } {
    return { unfinished: this.count?.unfinished ?? proto.unfinished, queued: proto.homeSize };
  }

  /**
   * The queue's size: while its home lives, the shared count (a thread copy) or the home's answer
   * (the last size it reported if it cannot answer in time). Once the home has ended (or ends
   * while this asks), what this copy holds: the count and the last report still count the items
   * the home's end handed here, after they were got. `willItems` gives the items a will holds for
   * this copy while its link has not said the home ended yet (null: no will); they count too, so
   * the size never says empty while they wait for it.
   */
  size(proto: CopyProtocol, willItems: () => number | null): number {
    if (proto.homeEnded) return proto.buffered;
    if (this.count) return this.count.size;
    if (proto.state === 'open') {
      const w: SyncWait = { done: false };
      proto.askState(w);
      if (this.#waitSync(w)) return proto.homeSize;
    }
    if (proto.homeEnded) return proto.buffered; // its last frames came while this waited
    const left = willItems();
    return left === null ? proto.homeSize : proto.buffered + left;
  }

  /** Python's `full()`: no room to take, as this copy's putNowait() finds it (a thread copy reads
   * the shared count; else the home's items and the places out, H_STATE `b`, less its own). */
  full(proto: CopyProtocol, willItems: () => number | null): boolean {
    if (this.count && !proto.homeEnded) return this.count.full();
    if (this.#maxsize === 0) return false;
    const size = this.size(proto, willItems);
    const others = this.#joinable || proto.homeEnded ? 0 : Math.max(0, proto.unfinished - proto.places);
    return size + others >= this.#maxsize;
  }

  /**
   * Blocks until `w` is settled by the home's answer, for at most {@link SYNC_ANSWER_MS}; false
   * when it cannot wait (the home is in this thread, the link cannot be read synchronously) or
   * the answer did not come in time.
   */
  #waitSync(w: Wait): boolean {
    const link = this.#link;
    if (this.#homeHere || (this.#homeIsHere ??= this.#data.path === broker().path)) return false;
    const deadline = Date.now() + SYNC_ANSWER_MS;
    if (link instanceof PortLink)
      return !!this.#shared && link.waitSync(() => w.done, deadline, this.#shared, WAKE);
    return (link as SocketLink).waitSync(() => w.done, deadline);
  }
}
