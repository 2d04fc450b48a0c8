/**
 * A JoinableQueue's unfinished tasks at home. The count itself is in the queue's shared memory
 * (count.ts), as Python's `_unfinished_tasks` semaphore: an item admitted here uncounted adds one,
 * a thread copy counts its own puts before they return, and `taskDone()` removes one wherever it is
 * called (here, a process copy's R_TASK_DONE, or a thread copy in the count itself). Joins (local
 * waits, copies' R_JOIN) end once the count is 0, or once it reached 0 after they began (`zeros`
 * moved on): a thread copy that left it at 0 says so (R_TASK_DONE `b` = 1) and {@link check} runs.
 * A copy in another process counts nothing itself: its put is on its way when it resolves, and its
 * task is counted here on arrival. So while such copies exist a join first runs the flush barrier
 * (flush-barrier.ts), and begins, reading `zeros`, only once what they put before has arrived.
 */
import { Deque } from '../deque.js';
import type { QueueCount } from './count.js';
import type { FlushBarrier } from './flush-barrier.js';
import type { HomeActions, Wait } from './home-copy.js';
import { Op } from './ops.js';
import type { ReaderCopy } from './reader-copy.js';

interface Joiner {
  /** `zeros` when the join began: it is over once that moved on. */
  readonly zeros: number;
  readonly w: Wait | null;
  readonly copy: ReaderCopy | null;
  readonly seq: number;
}

export class Tasks {
  /** Local joins waiting (what keeps copies holding the program alive). */
  localJoins = 0;
  readonly #joiners = new Deque<Joiner>();
  readonly #out: HomeActions;
  readonly #count: QueueCount;
  readonly #barrier: FlushBarrier;
  // `zeros` at the last check: joins left then all began at it (none ends while it stays, above 0).
  #checked = 0;

  constructor(out: HomeActions, count: QueueCount, barrier: FlushBarrier) {
    this.#out = out;
    this.#count = count;
    this.#barrier = barrier;
  }

  get unfinished(): number {
    return this.#count.unfinished;
  }

  /** An item admitted here whose task nobody counted yet. */
  add(): void {
    this.#count.addTask();
  }

  /** Marks `n` tasks done; false when fewer are unfinished. */
  done(n: number): boolean {
    if (this.#count.tasksDone(n) < 0) return false;
    this.check();
    return true;
  }

  /** Tasks counted for `n` items that never came (their thread copy died first) go back. */
  giveBack(n: number): void {
    if (n > 0) this.#count.tasksDone(n, true);
    this.check();
  }

  /**
   * True when no task is unfinished (and no copy in another process may have puts on their way);
   * otherwise queues the local join `w`, which the flush barrier may hold first.
   */
  join(w: Wait): boolean {
    const zeros = this.#count.zeros; // first: a change to 0 after this read moves it on
    const barrier = this.#barrier.needed;
    if (this.#count.unfinished === 0 && !barrier) return true;
    this.localJoins++;
    if (barrier) this.#barrier.run(() => this.#begin(null, 0, w));
    else this.#joiners.push({ zeros, w, copy: null, seq: 0 });
    return false;
  }

  /**
   * A copy's R_JOIN `seq`: answered (H_JOINED) once no task is unfinished. `zeros`: what a thread
   * copy read when its join began (null: a process copy's, or a thread copy's that read copies in
   * other processes in the count, which begins here and now: the zeros it read came before their
   * puts on their way arrived, and those copies may be gone by now, with no barrier to run). While
   * copies in other processes exist, the join begins once the flush barrier is over.
   */
  joinRemote(copy: ReaderCopy, seq: number, zeros: number | null): void {
    if (this.#barrier.needed) {
      this.#barrier.run(() => this.#begin(copy, seq, null));
      return;
    }
    const z = zeros ?? this.#count.zeros;
    if (this.#count.unfinished === 0 || z !== this.#count.zeros) this.#out.send(copy, Op.H_JOINED, seq, 0);
    else this.#joiners.push({ zeros: z, w: null, copy, seq });
  }

  // A join whose flush barrier is over begins: what copies put before it came is counted now.
  #begin(copy: ReaderCopy | null, seq: number, w: Wait | null): void {
    if (w?.done || copy?.phase === 'gone') return; // abandoned meanwhile
    const zeros = this.#count.zeros;
    const j: Joiner = { zeros, w, copy, seq };
    if (this.#count.unfinished === 0) this.#end(j);
    else this.#joiners.push(j);
  }

  #end(j: Joiner): void {
    if (j.copy) {
      if (j.copy.phase !== 'gone') this.#out.send(j.copy, Op.H_JOINED, j.seq, 0);
    } else if (!j.w!.done) {
      j.w!.done = true;
      this.localJoins--;
      this.#out.settle(j.w!, true);
    }
  }

  /** Ends a local join that was abandoned. */
  cancel(w: Wait): void {
    if (w.done) return;
    w.done = true;
    this.localJoins--;
  }

  /** Ends the joins that are over: the count is 0, or it was since they began. */
  check(): void {
    if (this.#joiners.length === 0) return;
    const zeros = this.#count.zeros;
    const all = this.#count.unfinished === 0;
    if (!all && zeros === this.#checked) return;
    this.#checked = zeros;
    const left: Joiner[] = [];
    for (let j = this.#joiners.shift(); j; j = this.#joiners.shift()) {
      if (!all && j.zeros === zeros) left.push(j);
      else this.#end(j);
    }
    for (const j of left) this.#joiners.push(j);
  }
}
