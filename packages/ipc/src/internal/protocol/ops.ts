/**
 * The frames between a copy and its home: `op, a, b, body`. `R_*` go from a copy to the home,
 * `H_*` from the home to a copy. `a` and `b` are small integers (`a` unsigned, `b` signed), `body`
 * an item or a token. Every link keeps its frames in order; nothing is assumed across links.
 * The package's DESIGN.md draws the exchanges.
 */
export const Op = {
  /**
   * An item for the home's channel, admitted at once (sends, unbounded puts, putNowait, a thread
   * copy's put that took room); `a`: the room for it was taken already, 1 by a thread copy in the
   * shared count, 2 by an R_SLOT grant; `b` = 1: a JoinableQueue's thread copy counted its task.
   */
  R_PUT: 1,
  /** A put that waits for room: `a` = sequence, `b` = timeout ms or -1. Answered by H_PUT_DONE. */
  R_PUT_WAIT: 2,
  /** `a` more items for waiting gets (hard), `b` more items read ahead (soft). */
  R_DEMAND: 3,
  /** `a` more of the items pushed to this copy were consumed, in the order they came. */
  R_TAKEN: 4,
  /** This copy is closed: take back what it did not consume, then end the link. */
  R_CLOSE: 5,
  /** First frame on a socket: `a` = object id, `b` = endpoint, body = the reservation's token. */
  R_HELLO: 6,
  /**
   * Reserve a handle for a copy of this endpoint on its way to a process; body = token; `a` = 1:
   * its worker's end will be reported (R_UNRESERVE), so it keeps waits alive meanwhile.
   */
  R_RESERVE: 7,
  /**
   * One call of taskDone(): marks one of the queue's unfinished tasks done, whoever got its item.
   * `a` = sequence, answered by H_TASK_DONE `a` (0: on its way, for an item the copy got: answered
   * only if refused). `b` = 1: a thread copy's call left the shared count at 0 (it counted it
   * there): end the joins that are over.
   */
  R_TASK_DONE: 8,
  /**
   * Answer H_JOINED `a` once no task is unfinished; a thread copy's `b`: the shared count's zeros
   * when its join began (it ends once they move on). Body {@link JOIN_AT_HOME}: a copy in another
   * process was open then, so `b` says nothing (its puts may still be on their way): the join
   * begins at home, after its flush barrier, as a process copy's does.
   */
  R_JOIN: 9,
  /**
   * Take back every item pushed here and not reported taken, including those still on their way
   * (the worker flush hook, a get that timed out); epoch `a` starts (older H_DATA is stale); `b`
   * gets are still waiting here (their demand renewed in the new epoch).
   */
  R_GIVE_BACK: 10,
  /** A moved item pushed here and not used, going back in the order it came. */
  R_RETURN: 11,
  /** R_PUT of several JSON items, as one JSON array text. */
  R_PUT_RUN: 12,
  /** Port links only: R_PUT of one JSON-exact value as it is (structured clone), sent at once. */
  R_PUT_VALUE: 13,
  /** Answer H_SYNCED `a` once every frame before this one is applied (give-backs included). */
  R_SYNC: 14,
  /** The worker a reserved copy went to has ended: release it unless it connected; body = token. */
  R_UNRESERVE: 15,
  /** Push one item now if the home has one (`get({ block: false })`); answered by H_TRIED `a`. */
  R_TRY: 16,
  /**
   * Answer to H_RECALL: the oldest `a` items pushed here and not consumed will not be used (they
   * were read ahead); put them back. Moved ones among them came back first (R_RETURN). `b` gets
   * wait here: of the demand left, that much is for them, the rest read-ahead.
   */
  R_UNUSED: 17,
  /**
   * `a` of this copy's demand for waiting gets is read-ahead now (gets timed out): whatever is
   * pushed for it may not be used, and may come back.
   */
  R_SOFTEN: 18,
  /**
   * Queues: answer H_STATE (qsize, unfinished or places) now, then H_SYNCED `a`: a copy in another process
   * asks this synchronously for `qsize()`, `empty()` and `full()`.
   */
  R_STATE: 19,
  /** An item for this copy: `a` = epoch it was sent in, `b` = 1 for a waiting get, 0 read ahead. */
  H_DATA: 20,
  /** `a` = sequence of an R_PUT_WAIT, `b` = 1 when put, 0 when it timed out. */
  H_PUT_DONE: 21,
  /**
   * Every writer is gone and every item was delivered (what this copy holds came before). `a` =
   * this copy's give-backs (R_GIVE_BACK, R_UNUSED) the home had received: a copy that has sent
   * more since ignores it (what it gave back may come to it again; a new H_EOF follows).
   */
  H_EOF: 22,
  /**
   * `a` = items in the queue (at home or pushed and unconsumed), `b` = unfinished tasks (a
   * JoinableQueue) or places granted and not used (a plain queue, places.ts: room taken, for full()).
   */
  H_STATE: 23,
  /** Answer to R_JOIN `a`. */
  H_JOINED: 24,
  /** H_DATA of several JSON items, as one JSON array text. */
  H_DATA_RUN: 25,
  /** Port links only: H_DATA of one JSON-exact value, unserialized (the home keeps a copy). */
  H_DATA_VALUE: 26,
  /** Answer to R_SYNC `a`. */
  H_SYNCED: 27,
  /** Another consumer waits behind what you read ahead: return what you have not used (R_UNUSED). */
  H_RECALL: 28,
  /** Answer to R_TRY `a`: `b` = 1 when an item was pushed before this frame. */
  H_TRIED: 29,
  /**
   * Pipes: `a` = 1, this copy is the only one reading its channel: its read-ahead credit serves its
   * gets, which need no demand of their own; `a` = 0, others read it too: each waiting get asks.
   */
  H_ALONE: 30,
  /**
   * Pipes: every handle of the end that reads what this copy sends is closed (or its holder ended):
   * sending from now on fails (Python's BrokenPipeError). Sent before the H_EOF that the same close
   * may cause, so a copy that saw EOF knows its sends fail.
   */
  H_BROKEN: 31,
  /**
   * Bounded and joinable queues: take room for one item now (a JoinableQueue: and count its
   * task), if there is room and no put waits for it, then up to `b` places (places.ts); answered
   * by H_PUT_DONE `a`, `b` = the room granted (0: none). A copy in another process asks this
   * synchronously for `putNowait()` (a thread copy too while puts of its own wait), then sends the
   * item as R_PUT with `a` = 2, or gives the room back. `a` = 0: places only, asked on its way.
   */
  R_SLOT: 32,
  /** `a` slots of room granted to this copy will not be used (after it stopped waiting, or recalled). */
  R_UNSLOT: 33,
  /**
   * Answer to R_TASK_DONE `a`: `b` = 1 when a task was marked done, 0 when none was unfinished
   * (the call was one too many: Python's ValueError). A copy asks this synchronously; `a` = 0: a
   * call it sent on its way was refused (another holder marked more items done than it got).
   */
  H_TASK_DONE: 34,
  /**
   * The home's thread or process is ending: what this copy holds is its own now (it gives nothing
   * back: no home is left to take it), and the home's items left unread came before this frame
   * (pushed to one reading copy, its heir). EOF follows when the link closes, after them.
   */
  H_HEIR: 35,
  /**
   * In a will only (runtime/will.ts): `a` items the home had sent this copy after the ones before
   * this frame are lost (bytes written from the sender's memory, which the home does not keep).
   */
  H_LOST: 36,
  /**
   * Your R_CLOSE is complete, but reservations you made for workers your holder started are not
   * claimed yet: the link stays open (held by nothing) to carry their R_UNRESERVE, and its close
   * releases them (your holder ended, so did they). The home ends it once none is left.
   */
  H_CLOSED: 37,
  /**
   * A JoinableQueue's join asks (flush barrier, flush-barrier.ts): answer R_FLUSHED `a` after
   * everything this copy sent before it, so the items it put arrive first.
   */
  H_FLUSH: 38,
  /** Answer to H_FLUSH `a` (and every H_FLUSH before it): what this copy put came before it. */
  R_FLUSHED: 39,
  /**
   * Items lent to a thread copy (loan.ts) in its epoch `a` (one that crossed its give-back is the
   * home's again), as one JSON array text; `b` is its LOAN word as lent: (seq << 20) | count.
   */
  H_LOAN: 40,
  /**
   * In a will only (runtime/will.ts), first: `a` = the copy's consumed count (mod 2^32) as its home
   * last heard it; the H_DATA frames after it are what the home sent it after those, in order.
   */
  H_WILL: 41,
  /** The queue is nearly full: give back the places you hold (R_UNSLOT), as your loop next runs. */
  H_UNPLACE: 42,
} as const;

/** Called for each frame a link receives. */
/**
 * The body of a thread copy's R_JOIN that read a copy in another process in the shared count: the
 * zeros it read came before what that copy's puts on their way will add (flush-barrier.ts).
 */
export const JOIN_AT_HOME = 'home';

export type FrameHandler = (op: number, a: number, b: number, body: import('./item.js').Item) => void;
