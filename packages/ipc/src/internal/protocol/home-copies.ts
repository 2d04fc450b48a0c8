/**
 * What the home of a queue or pipe (home.ts) does for its copies in other threads and processes:
 * the frames they send (ops.ts, `R_*`), giving back what was pushed to a copy and not taken, and
 * the lifecycle hooks of {@link HomeObject} (a copy opened, closing, gone, its holder ended, the
 * count of an endpoint's handles, and with it a pipe direction ending or breaking).
 */
import type { Channel } from './channel.js';
import type { CopyPhase } from './home-copy.js';
import { HomeObject, textOf } from './home-object.js';
import { EOF, type Item, isDecoded } from './item.js';
import { JOIN_AT_HOME, Op } from './ops.js';
import { grantRoom, placesBack, placesUsed } from './places.js';
import { type ChannelEndpoint, type PutWait, ReaderCopy, type TakenBack } from './reader-copy.js';
import type { Tasks } from './tasks.js';

export abstract class HomeOfCopies extends HomeObject<ReaderCopy, ChannelEndpoint> {
  /** Whether this is a queue's home (else a pipe's). */
  abstract readonly isQueue: boolean;
  /** A JoinableQueue's unfinished tasks. */
  abstract readonly tasks: Tasks;
  /** A JoinableQueue: room it grants a copy (R_SLOT) counts the item's task too. */
  abstract readonly joinable: boolean;
  /** Marks `n` tasks done; false when more were marked than put. */
  abstract taskDone(n: number): boolean;

  /** The channel that holds a queue's items. */
  get main(): Channel {
    return this.endpoints[0]!.read!;
  }

  // ── copies ─────────────────────────────────────────────────────────────────────────────────

  /** The copy's consumed count (cumulative, mod 2^32) is `total` (the runtime reads it when it dies). */
  taken(c: ReaderCopy, total: number): void {
    if (c.phase !== 'gone' && c.phase !== 'reserved') c.reported(total);
  }

  /**
   * A thread copy's link closed: the room it had taken in the shared count (`total`, mod 2^32, as
   * it recorded it); what never came is given back when it is gone.
   */
  reservedBy(c: ReaderCopy, total: number): void {
    if (c.phase !== 'gone' && c.phase !== 'reserved') c.selfReserved = total | 0;
  }

  /** A JoinableQueue's thread copy's link closed: the tasks it had counted for its puts (`total`, mod 2^32). */
  tasksBy(c: ReaderCopy, total: number): void {
    if (c.phase !== 'gone' && c.phase !== 'reserved') c.selfTasks = total | 0;
  }

  /** A copy's put waiting for room timed out. */
  expire(w: PutWait): void {
    if (w.done || !w.copy) return;
    w.done = true;
    w.copy.puts.delete(w);
    w.copy.end.write?.putsChanged();
    this.out.dropped?.(w.item);
    this.out.send(w.copy, Op.H_PUT_DONE, w.seq, 0);
  }

  /** Called before a batch leaves for `c`: a queue copy learns the size it reports as qsize(). */
  beforeFlush(c: ReaderCopy): void {
    if (!c.dirty || !this.isQueue || c.phase !== 'open') return;
    c.dirty = false;
    this.out.send(c, Op.H_STATE, this.main.size, this.joinable ? this.tasks.unfinished : this.main.places);
  }

  frame(c: ReaderCopy, op: number, a: number, b: number, body: Item): void {
    if (c.phase === 'gone') {
      // A closed sponsor's link still reports the end of workers it started (home-copy.ts).
      if (op === Op.R_UNRESERVE) this.lifecycleFrame(c, op, a, body);
      else if (op === Op.R_PUT || op === Op.R_PUT_WAIT) this.out.dropped?.(body);
      return;
    }
    if (this.lifecycleFrame(c, op, a, body)) return;
    const { read, write } = c.end;
    switch (op) {
      case Op.R_PUT:
        if (a === 1) c.selfUsed = (c.selfUsed + 1) | 0;
        else if (a === 2) placesUsed(c, 1);
        if (b === 1 && a === 1) c.selfTasksUsed = (c.selfTasksUsed + 1) | 0;
        write?.admit(body, a !== 0, b === 1);
        c.dirty = true;
        break;
      case Op.R_STATE:
        c.dirty = true; // its state now (beforeFlush), then the answer
        this.beforeFlush(c);
        this.out.send(c, Op.H_SYNCED, a, 0);
        break;
      case Op.R_SLOT: {
        const n = write && !c.holderGone ? grantRoom(c, write, a !== 0, this.joinable ? 0 : b) : 0;
        if (n > 0 && this.joinable) this.tasks.add(); // its R_PUT comes with `b` = 1
        this.out.send(c, Op.H_PUT_DONE, a, n);
        break;
      }
      case Op.R_UNSLOT:
        placesBack(c, a);
        write?.unreserve(a);
        if (this.joinable) this.tasks.giveBack(a);
        break;
      case Op.R_PUT_WAIT:
        if (write && !c.holderGone) c.putWaiting(this.out, write, a, b, body);
        else this.out.dropped?.(body);
        break;
      case Op.R_DEMAND:
        read?.demand(c, a, b);
        break;
      case Op.R_TAKEN:
        c.reported((c.taken + a) >>> 0, this.out.taken);
        break;
      case Op.R_GIVE_BACK:
        c.gaveBack();
        c.epoch = a;
        this.#giveBack(c, false);
        if (b > 0) read?.demand(c, b, 0);
        break;
      case Op.R_SOFTEN:
        read?.soften(c, a);
        break;
      case Op.R_UNUSED:
        c.gaveBack();
        if (!read || c.phase !== 'open') break;
        c.recalled = false;
        read.settleDemand(c, b);
        read.ahead.exact(c); // before the put-back pumps: what it is pushed ahead then marks it again
        this.#putBack(c, c.takeBack(a, false));
        read.pump();
        break;
      case Op.R_RETURN:
        // Back home it is an ordinary item again: kept until reported taken.
        this.#putBack(c, c.returnArrived(isDecoded(body) ? { value: body.value } : body));
        break;
      case Op.R_TASK_DONE: {
        // A thread copy left the shared count at 0: joins may be over.
        if (b === 1) {
          this.tasks.check();
          this.updateHolds(); // a local join that ended held the copies' links
          break;
        }
        // The queue's count, not the copy's: any holder may mark any item done, as in Python. A
        // call sent on its way (`a` = 0) hears only of a refusal.
        const ok = this.taskDone(1);
        if (a !== 0 || !ok) this.out.send(c, Op.H_TASK_DONE, a, ok ? 1 : 0);
        break;
      }
      case Op.R_JOIN:
        // A thread copy's join began when it read the shared count (`b`: the count's zeros then),
        // unless a copy in another process was open then: it begins here (ops.ts, JOIN_AT_HOME).
        this.tasks.joinRemote(c, a, c.countsOwn && textOf(body) !== JOIN_AT_HOME ? b : null);
        break;
      case Op.R_TRY: {
        const item = read?.takeNow(c);
        const got = item !== undefined && item !== EOF;
        if (got) {
          c.push(this.out, read!, item, 2);
          read!.pump(); // a put waiting for room may fit now
        }
        this.out.send(c, Op.H_TRIED, a, got ? 1 : 0);
        break;
      }
    }
  }

  // Everything pushed to `c` and not reported taken goes back to the front of the channel, in order.
  #giveBack(c: ReaderCopy, dropMissing: boolean): void {
    const ch = c.end.read;
    if (!ch) {
      this.#putBack(c, { items: [], slots: 0 });
      return;
    }
    ch.dropDemand(c);
    this.#putBack(c, c.takeBack(null, dropMissing));
    ch.pump(); // what it held, or read ahead, no longer holds others back
  }

  #putBack(c: ReaderCopy, back: TakenBack | null): void {
    if (!back) return;
    if (back.slots > 0) c.end.read!.unshift(back.items, back.slots);
    this.answerSyncs(c);
    if (c.phase === 'closing') this.gone(c);
  }

  // ── the lifecycle hooks (see HomeObject) ───────────────────────────────────────────────────

  protected newCopy(e: ChannelEndpoint, phase: CopyPhase, holder: boolean): ReaderCopy {
    return new ReaderCopy(e, phase, holder);
  }

  protected opened(c: ReaderCopy): void {
    if (c.end.write?.broken) this.out.send(c, Op.H_BROKEN, 0, 0);
    const ch = c.end.read;
    if (!ch) return;
    ch.readers.add(c);
    c.dirty = true;
    if (!this.isQueue) ch.ahead.tellAlone(ch.readers);
    ch.pump(); // an ended channel tells it EOF
  }

  protected closing(c: ReaderCopy): void {
    c.dropPuts(this.out);
    this.#giveBack(c, false);
  }

  protected left(c: ReaderCopy): void {
    c.dropPuts(this.out);
    this.#giveBack(c, true);
    // Room it took for puts that never came (it died before sending them, or a grant crossed its close).
    if (this.joinable) this.tasks.giveBack(c.unusedGrants());
    c.end.write?.count?.addPlaces(-c.unusedGrants());
    c.end.write?.unreserve(c.unusedRoom());
    // Tasks a thread copy counted for puts whose items never came; a join it may have ended.
    if (c.countsOwn && this.isQueue) this.tasks.giveBack(c.unusedTasks());
    const ch = c.end.read;
    if (ch?.readers.delete(c) && !this.isQueue) ch.ahead.tellAlone(ch.readers);
  }

  override holderEnding(c: ReaderCopy): void {
    if (c.ending || c.phase === 'gone') return;
    c.ending = true;
    if (c.end.write) c.end.write.writerStopped = true; // its last sends may be lost: EOF says so
    const ch = c.end.read;
    if (!ch) return;
    // Its demand goes, not its place among the holders: what it read ahead still comes back
    // before anyone is served newer items (its link's close gives it back).
    ch.hardWaiting -= c.hard;
    c.hard = 0;
    c.soft = 0;
    ch.ahead.settled(c);
    ch.pump(); // what it was about to get goes to the next taker, in order
  }

  // Its puts still waiting for room did not complete, and any that arrive now cannot. A pipe end it
  // held reads nothing more: sends to it fail now, not once its link closes (after join() resolved).
  protected holderEnded(c: ReaderCopy): void {
    c.holderGone = true;
    c.dropPuts(this.out);
    if (c.end.read && !this.isQueue) this.#readers(c.end.read, -1);
  }

  protected counted(e: ChannelEndpoint, delta: number, c?: ReaderCopy): void {
    // First the direction `e` reads, so a writer's copy learns its sends fail before the EOF the
    // same close may send it. A copy whose holder ended stopped counting as a reader then.
    const rd = e.read;
    if (rd && !this.isQueue && !(delta < 0 && c?.holderGone)) this.#readers(rd, delta);
    const ch = e.write;
    if (!ch) return;
    ch.writers += delta;
    if (delta > 0 || ch.writers > 0 || this.isQueue) return;
    ch.ended = true; // a pipe direction ends with its last writer
    ch.pump();
  }

  #readers(rd: Channel, delta: number): void {
    rd.readerHandles += delta;
    if (rd.readerHandles === 0 && !rd.broken) this.#broke(rd);
  }

  // Nobody can read `ch` any more: its writers' copies are told that their sends fail.
  #broke(ch: Channel): void {
    ch.broken = true;
    for (const e of this.endpoints) {
      if (e.write !== ch) continue;
      for (const c of e.copies) if (c.phase === 'open') this.out.send(c, Op.H_BROKEN, 0, 0);
    }
  }

  /** Whether a send from `end` fails: a pipe whose other end is closed everywhere. */
  brokenFor(end: number): boolean {
    return this.endpoints[end]!.write?.broken === true;
  }

  protected localClosed(e: ChannelEndpoint): void {
    e.read?.endTakes();
  }

  // A get on a channel its copies write, a put on a channel they read, a join.
  /** After a frame of a copy in this thread: its gets count as local waits. */
  refreshHolds(): void {
    this.updateHolds();
  }

  protected waitsOn(e: ChannelEndpoint): boolean {
    return (
      this.tasks.localJoins > 0 ||
      (e.write !== null && e.write.localWaiting > 0) ||
      (e.read !== null && e.read.localPutters > 0) ||
      (e.write !== null && waitsHere(e.write.readers))
    );
  }

  protected syncWaits(c: ReaderCopy): boolean {
    return c.pending !== null;
  }
}

// A copy in this very thread waits for an item (asked here on every local get: no array per call).
function waitsHere(readers: Iterable<ReaderCopy>): boolean {
  for (const c of readers) if (c.here && c.hard > 0) return true;
  return false;
}
