/**
 * An object that lives at home and has copies in other workers, without I/O: the life of its
 * copies (see home-copy.ts), shared by every kind of such object. A kind (the queue and pipe
 * {@link HomeProtocol}; later, managed objects) extends it with what its copies do, through the
 * hooks below, and handles its own frames; the lifecycle frames (R_RESERVE, R_UNRESERVE, R_SYNC,
 * R_CLOSE) are handled here.
 *
 * How copies come to exist: a copy for another thread is `attach`ed at once (it has a port); a copy
 * for another process is `reserve`d with a token (and, when the sender tracks the receiving
 * worker, a `holder` reservation keeps waits alive), then `claim`ed when it connects, or
 * `release`d when its worker ends first. A claim after its release is refused: the worker is gone.
 */
import type { CopyPhase, Endpoint, HomeActions, HomeCopy } from './home-copy.js';
import { type Item, isDecoded } from './item.js';
import { Op } from './ops.js';

const RELEASED = 'released';

export abstract class HomeObject<C extends HomeCopy, E extends Endpoint<C>> {
  readonly endpoints: readonly E[];
  protected readonly out: HomeActions;
  readonly #tokens = new Map<string, C | typeof RELEASED>();

  constructor(out: HomeActions, endpoints: readonly E[]) {
    this.out = out;
    this.endpoints = endpoints;
  }

  /** No handle of any endpoint is left anywhere: the runtime may forget this object. */
  get unused(): boolean {
    return this.endpoints.every((e) => !e.local && e.copies.size === 0);
  }

  /** The home thread's own handle of `end` opens (every endpoint starts with one). */
  openLocal(end: number): void {
    const e = this.endpoints[end]!;
    e.local = true;
    this.counted(e, 1);
  }

  /** Closes the home thread's own handle of `end`. */
  closeLocal(end: number): void {
    const e = this.endpoints[end]!;
    if (!e.local) return;
    e.local = false;
    this.localClosed(e);
    this.counted(e, -1);
    this.updateHolds();
  }

  /** A copy connected over a link of its own (another thread): open at once (`init` wires it first). */
  attach(end: number, init?: (c: C) => void): C {
    const c = this.newCopy(this.endpoints[end]!, 'open', false);
    init?.(c);
    this.#add(c);
    this.opened(c);
    return c;
  }

  /**
   * Holds a handle for a copy on its way to a process; `holder`: its worker's end will be reported;
   * `keeper`: nobody will claim it (copies are made from it later).
   */
  reserve(end: number, token: string, holder: boolean, keeper = false): void {
    if (this.#tokens.has(token)) return; // it connected first (or its worker already ended)
    const c = this.newCopy(this.endpoints[end]!, 'reserved', holder);
    c.keeper = keeper;
    c.token = token;
    this.#tokens.set(token, c);
    this.#add(c);
    this.updateHolds();
  }

  /**
   * The copy holding `token` connected: its reservation opens (null: refused, it was released).
   * `init` wires it before it opens, so what opening sends it (EOF, H_ALONE) reaches it.
   */
  claim(end: number, token: string, init?: (c: C) => void): C | null {
    const known = this.#tokens.get(token);
    if (known === RELEASED) return null;
    if (known) {
      if (known.phase !== 'reserved') return null;
      this.#unsponsor(known);
      known.phase = 'open';
      init?.(known);
      this.opened(known);
      if (known.end.held) this.out.hold(known.end, true);
      return known;
    }
    const c = this.newCopy(this.endpoints[end]!, 'open', false); // came before its reservation
    init?.(c);
    this.#tokens.set(token, c);
    this.#add(c);
    this.opened(c);
    return c;
  }

  /**
   * The worker a copy went to has ended: unless it connected, it is gone; if it did, what it sent
   * still arrives, but nothing it waited for can complete any more (`holderEnded`).
   */
  release(token: string): void {
    const c = this.#tokens.get(token);
    this.#tokens.set(token, RELEASED);
    if (!c || c === RELEASED) return;
    if (c.phase === 'reserved') this.gone(c);
    else if (c.phase !== 'gone') this.holderEnded(c);
  }

  /**
   * Releases `token` unless a copy claimed it: the reservation was carried by an item dropped
   * untaken, or taken by a thread that died (runtime/carried.ts); a claimed copy is its holder's.
   */
  releaseReserved(token: string): void {
    const c = this.#tokens.get(token);
    if (c === undefined || c === RELEASED || c.phase === 'reserved') this.release(token);
  }

  /** The worker the copy holding `token` went to is being stopped: see {@link holderEnding}. */
  ending(token: string): void {
    const c = this.#tokens.get(token);
    if (c && c !== RELEASED) this.holderEnding(c);
  }

  /**
   * The worker holding `c` is being stopped (killed or terminated; it has not ended yet): serve it
   * nothing more. What it holds stays until its link closes.
   */
  holderEnding(_c: C): void {}

  /** The copy's link is gone: it closed, or its thread or process died. */
  linkClosed(c: C): void {
    if (c.phase !== 'gone' && c.phase !== 'reserved') this.gone(c);
    // Its holder ended, and the workers it started with it: nobody will report their ends.
    if (c.sponsored) for (const r of [...c.sponsored]) this.release(r.token!);
  }

  /** Handles a lifecycle frame from `c`; false for any other op (the kind handles those). */
  protected lifecycleFrame(c: C, op: number, a: number, body: Item): boolean {
    switch (op) {
      case Op.R_CLOSE:
        if (c.phase !== 'open') return true;
        c.phase = 'closing';
        this.closing(c);
        return true;
      case Op.R_RESERVE: {
        this.out.listen();
        const token = textOf(body);
        const known = this.#tokens.has(token);
        this.reserve(c.end.index, token, a === 1);
        const r = this.#tokens.get(token);
        if (a === 1 && !known && r && r !== RELEASED) {
          r.sponsor = c;
          (c.sponsored ??= new Set()).add(r);
        }
        return true;
      }
      case Op.R_UNRESERVE:
        this.release(textOf(body));
        return true;
      case Op.R_SYNC:
        if (this.syncWaits(c)) c.syncs.push(a);
        else this.out.send(c, Op.H_SYNCED, a, 0);
        return true;
      default:
        return false;
    }
  }

  /** Answers the syncs held while `syncWaits(c)` was true. */
  protected answerSyncs(c: C): void {
    for (const seq of c.syncs.splice(0)) this.out.send(c, Op.H_SYNCED, seq, 0);
  }

  /** The copy is gone (its close is complete, it died, or it was released unconnected). */
  protected gone(c: C): void {
    const was: CopyPhase = c.phase;
    c.phase = 'gone';
    if (was === 'open' || was === 'closing') {
      this.left(c);
      // Its link still carries the R_UNRESERVE of workers it started (see home-copy.ts).
      if (c.sponsored) this.out.linger(c);
      else this.out.end(c);
    } else this.#unsponsor(c);
    c.end.copies.delete(c);
    this.counted(c.end as E, -1, c);
    if (c.end.held) this.out.hold(c.end, true);
    this.updateHolds();
  }

  // Copies of an endpoint keep the program alive while a local wait they could end is pending.
  protected updateHolds(): void {
    for (const e of this.endpoints) {
      const on = this.waitsOn(e);
      if (on !== e.held) {
        e.held = on;
        this.out.hold(e, on);
      }
    }
  }

  // A reservation is claimed or gone: its sponsor, closed, ends its link once it sponsors none.
  #unsponsor(r: C): void {
    const s = r.sponsor;
    if (!s) return;
    r.sponsor = null;
    s.sponsored!.delete(r);
    if (s.sponsored!.size > 0) return;
    s.sponsored = null;
    if (s.phase === 'gone') this.out.end(s);
  }

  #add(c: C): void {
    c.end.copies.add(c);
    this.added(c);
    this.counted(c.end as E, 1);
    if (c.end.held) this.out.hold(c.end, true);
  }

  /** `c` (reserved, or open at once) joined its endpoint's copies. */
  protected added(_c: C): void {}

  protected abstract newCopy(e: E, phase: CopyPhase, holder: boolean): C;
  /** `c` opened: start serving it. */
  protected abstract opened(c: C): void;
  /** `c` asked to close (R_CLOSE): take back what it holds, then call `gone(c)`. */
  protected abstract closing(c: C): void;
  /** `c` is gone for good: drop what it waited for, take back what it held. */
  protected abstract left(c: C): void;
  /** The worker holding the connected copy `c` has ended (its link may still bring frames). */
  protected abstract holderEnded(c: C): void;
  /** A handle of `e` (the home thread's or the copy `c`) came (+1) or went (-1). */
  protected abstract counted(e: E, delta: number, c?: C): void;
  /** The home thread's handle of `e` closed: end its waits. */
  protected abstract localClosed(e: E): void;
  /** Whether a local wait that copies of `e` could end is pending. */
  protected abstract waitsOn(e: E): boolean;
  /** Whether an R_SYNC from `c` must wait (something it gave back is not complete yet). */
  protected abstract syncWaits(c: C): boolean;
}

/** The text of a token frame (a port passes it as a string; a stream as STRING_KIND + UTF-8). */
export function textOf(body: Item): string {
  if (typeof body === 'string') return body;
  return isDecoded(body) ? String(body.value) : new TextDecoder().decode(body.subarray(1));
}
