/**
 * A JoinableQueue's unfinished tasks at home: each admitted item adds one, each `taskDone()` (local
 * or a copy's R_TASK_DONE) removes one, and joins (local waits, copies' R_JOIN) end once none is left.
 */
import { Deque } from '../deque.js';
import type { HomeActions, Wait } from './home-copy.js';
import { Op } from './ops.js';
import type { ReaderCopy } from './reader-copy.js';

interface RemoteJoin {
  readonly copy: ReaderCopy;
  readonly seq: number;
}

export class Tasks {
  unfinished = 0;
  /** Local joins waiting (what keeps copies holding the program alive). */
  localJoins = 0;
  readonly #joiners = new Deque<Wait | RemoteJoin>();
  readonly #out: HomeActions;

  constructor(out: HomeActions) {
    this.#out = out;
  }

  /** Marks `n` tasks done; false when fewer are unfinished. */
  done(n: number): boolean {
    if (n > this.unfinished) return false;
    this.unfinished -= n;
    if (this.unfinished === 0) this.#joined();
    return true;
  }

  /** True when no task is unfinished; otherwise queues the local join `w`. */
  join(w: Wait): boolean {
    if (this.unfinished === 0) return true;
    this.localJoins++;
    this.#joiners.push(w);
    return false;
  }

  /** A copy's R_JOIN `seq`: answered (H_JOINED) once no task is unfinished. */
  joinRemote(copy: ReaderCopy, seq: number): void {
    if (this.unfinished === 0) this.#out.send(copy, Op.H_JOINED, seq, 0);
    else this.#joiners.push({ copy, seq });
  }

  /** Ends a local join that was abandoned. */
  cancel(w: Wait): void {
    if (w.done) return;
    w.done = true;
    this.localJoins--;
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
    this.localJoins = 0;
  }
}
