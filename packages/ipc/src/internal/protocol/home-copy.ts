/**
 * A copy as its home sees it, and what any home object emits. This is the part every object that
 * lives at home and has copies in other workers shares (a queue, a pipe, later a managed object):
 * see {@link HomeObject}.
 *
 * ```
 *   reserve(token) ──► reserved ──claim(token)──► open ──R_CLOSE──► closing ──taken back──► gone
 *   attach(port) ────────────────────────────────► open                                     ▲
 *   reserved ──release(token): its worker ended unconnected──────────────────────────────────┤
 *   open | closing ──linkClosed: the worker died or the link broke───────────────────────────┘
 *   reserved by a copy for its holder's worker ──that copy's link closed (its holder ended)──┘
 * ```
 * A reserved copy counts as a handle until it connects or its worker is reported ended, so a copy
 * that is never used still ends with its worker. A copy that made reservations for workers its
 * holder started (Process arguments, pool tasks) is their sponsor: a child never outlives its
 * parent, so the sponsor's link closing (its holder ended: returned, threw, exited, was killed)
 * releases those still unclaimed, whose ends nobody is left to report. A sponsor that closes
 * while some are unclaimed keeps its link (H_CLOSED instead of the link's end) until they are
 * claimed or released: the link still carries their R_UNRESERVE, and its close tells the home.
 */
import type { Item } from './item.js';

export type CopyPhase = 'reserved' | 'open' | 'closing' | 'gone';

/** A wait the protocol keeps for the runtime: a local get, put or join, a copy's put. */
export interface Wait {
  done: boolean;
}

/** The home side of one endpoint of an object (a queue, one end of a pipe). */
export interface Endpoint<C extends HomeCopy = HomeCopy> {
  readonly index: number;
  /** Whether the home thread's own handle of it is open. */
  local: boolean;
  readonly copies: Set<C>;
  /** Whether its copies keep the program alive (a local wait they could end is pending). */
  held: boolean;
}

/** What a home emits; the runtime turns these into link writes, promise settlements and refs. */
export interface HomeActions {
  /** Adds a frame to `copy`'s link (it leaves at the end of the turn, or sooner). */
  send(copy: HomeCopy, op: number, a: number, b: number, body?: Item): void;
  /** Sends a JSON-exact value at once, unserialized, if `copy`'s link can (then it is moved). */
  sendNow(copy: HomeCopy, op: number, a: number, b: number, value: unknown): boolean;
  /**
   * Writes a bytes item's frame (`bytes` with the bytes kind byte before it) at once, if `copy`'s
   * link can (a socket), and returns the item written: a private copy of `bytes`, the home's to
   * keep. Null when it cannot (put the bytes instead).
   */
  sendBytesNow(copy: HomeCopy, op: number, a: number, b: number, bytes: Uint8Array): Item | null;
  /** Ends `copy`'s link after every frame sent to it so far. */
  end(copy: HomeCopy): void;
  /**
   * `copy` is gone (its close is complete) but its link stays open, holding nothing alive, for the
   * R_UNRESERVE of workers its holder started: tell it so (H_CLOSED); {@link end} follows later.
   */
  linger(copy: HomeCopy): void;
  /** A wait is over: a get's item or EOF, a put's or join's `true`, a put's `false` (timed out). */
  settle(w: Wait, result: Item | symbol | boolean): void;
  /**
   * Starts the timer of a wait the home keeps for a copy; on expiry call the home's `expire(w)`.
   * `holds`: the timer keeps the program alive, and sets `w.stop` to a function that clears it (a
   * join's flush barrier, flush-barrier.ts); else it holds nothing (the copy holds its own link).
   */
  startTimer(w: Wait & { stop?: (() => void) | null }, ms: number, holds?: boolean): void;
  /**
   * Whether the copies of endpoint `end` keep this program alive (a local wait they could end is
   * pending); emitted when that changes, and when its copies change while it holds. Open copies
   * hold through their links, reserved ones with a `holder` through a timer of the runtime's.
   */
  hold(end: Endpoint, on: boolean): void;
  /** A copy is about to be sent to a process: copies must be able to connect. */
  listen(): void;
  /**
   * An item is dropped without being admitted or taken (a put refused or withdrawn): the queues
   * and pipe ends it carries are released (runtime/carried.ts). Optional: a test's actions skip it.
   */
  dropped?(item: Item): void;
  /** A copy reported `item` taken: the home keeps it no more (runtime/kept-bytes.ts reuses its memory). */
  taken?(item: Item): void;
}

export class HomeCopy {
  phase: CopyPhase;
  readonly end: Endpoint;
  /** The runtime's link to this copy. */
  link: unknown = null;
  /** A token-reserved copy whose worker's end will be reported keeps the program alive meanwhile. */
  readonly holder: boolean;
  /** A reservation made for copies made later (a pool's initargs): nobody claims it. */
  keeper = false;
  /** A copy in the home's own thread (a handle sent through a queue and got back here): its gets are local waits. */
  here = false;
  /** The token it was reserved with (a copy for another process), if any. */
  token: string | null = null;
  /** R_SYNC answers held until what the copy gave back is complete. */
  readonly syncs: number[] = [];
  /**
   * The unclaimed reservations this copy made for workers its holder started (R_RESERVE `a` = 1):
   * they end with its link, as those workers end with their parent. Null while there are none.
   */
  sponsored: Set<HomeCopy> | null = null;
  /** A reservation made by a copy for a worker its holder started: that copy. */
  sponsor: HomeCopy | null = null;

  constructor(end: Endpoint, phase: CopyPhase, holder: boolean) {
    this.end = end;
    this.phase = phase;
    this.holder = holder;
  }
}
