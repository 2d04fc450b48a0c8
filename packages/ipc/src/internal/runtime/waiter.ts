/**
 * The promise behind every waiting call (get, recv, put, join, poll, wait), and the rule that
 * keeps such a call from vanishing: while something live could still answer it (a link to a live
 * copy, a live home, a reserved copy's running worker), that thing keeps the event loop alive. So
 * when the loop runs dry with a call still waiting, nothing can answer it any more: at
 * `beforeExit` every such call ends with {@link STUCK} (its method rejects with `EOFError`) instead
 * of the program ending on an unsettled await. Unless another `'beforeExit'` listener answers it
 * or gives the loop work (a timer that will): the verdict waits until every listener of that turn
 * ran (a microtask after the emit), and is not given if the loop got work meanwhile (the rule of
 * shared's loop-work.ts, by `process.getActiveResourcesInfo()`; the turns the other wait rules
 * gave, such as shared's for a lock's acquire, aside) or another wait rule ended its waits in this
 * turn: Node runs that work and emits `'beforeExit'` again once the loop is dry.
 *
 * One answerer holds nothing: a copy carried inside a value still on its way (a pipe end sent over
 * another pipe or put on a queue, then closed here), reserved for whoever takes that value. Its
 * taker is not known here; any live party may be it: a worker this program started (a daemon is
 * unref'd), or a program at the other end of an open link (a `Listener`'s client). While a wait
 * could be answered by such a copy and one of those lives, the verdict is put off and looked at
 * again after {@link RECHECK_MS} (as shared's lock waits and manager waits do for a live worker):
 * Python's `recv()` there blocks until the daemon sends. An item nobody takes releases its copies
 * (carried.ts), and a verdict follows once those parties are gone.
 */

import {
  type AtLeastTimeout,
  claimWaitRuleVerdict,
  giveWaitRuleTurn,
  gotWorkSince,
  type LoopStock,
  setTimeoutAtLeast,
  takeLoopStock,
  waitRuleTicket,
} from '@multiproc/shared';
import { openLinks } from '../link/link.js';
import { resolveAfterOutput, resolvesNow } from '../link/output-order.js';
import type { Wait } from '../protocol/home-copy.js';

/** What a wait ends with when nothing left in the program could answer it. */
export const STUCK: unique symbol = Symbol('multiproc.stuck');

const pending = new Set<Waiter<any>>();
let watching = false;

let stock: LoopStock;

function takeStock(): void {
  stock = takeLoopStock();
}

function onLoopDry(): void {
  if (pending.size === 0) return;
  // Decided now, before any verdict of this turn: a recheck is work for every other listener.
  if (carried > 0 && othersLive()) return void setTimeout(noop, RECHECK_MS);
  // A turn more for the verdict's outcome, set now so that the program-wide verdicts see it as
  // work; the other wait rules do not (shared's loop-work.ts).
  giveWaitRuleTurn(oldestTicket());
  queueMicrotask(abandonAll);
}

/** The ticket of the oldest pending wait (a Set iterates in insertion order). */
function oldestTicket(): number {
  for (const w of pending) return w.ticket;
  return Number.POSITIVE_INFINITY;
}

function abandonAll(): void {
  if (pending.size === 0 || gotWorkSince(stock, true) || !claimWaitRuleVerdict(oldestTicket())) return;
  // The turn given above lets the rejected callers run: Node emits 'beforeExit' again only
  // after a turn that had work, so a wait they start next meets this rule too.
  for (const w of [...pending]) w.abandon();
}

export class Waiter<T> implements Wait {
  done = false;
  readonly promise: Promise<T | typeof STUCK>;
  #resolve!: (r: T | typeof STUCK) => void;
  #timer: AtLeastTimeout | undefined;
  #settled = false;
  /** When it started among every wait rule's waits (shared's loop-work.ts): the oldest rule goes first. */
  readonly ticket = waitRuleTicket();
  readonly #onAbandon: (w: Waiter<T>) => void;

  /** `onAbandon` withdraws the wait from whoever holds it (it is then settled with STUCK). */
  constructor(onAbandon: (w: Waiter<T>) => void) {
    this.#onAbandon = onAbandon;
    this.promise = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    pending.add(this);
    if (!watching) {
      watching = true;
      // The stock first, before every other listener: what they add to the loop is their work.
      process.prependListener('beforeExit', takeStock);
      process.on('beforeExit', onLoopDry);
    }
  }

  /** Ends the wait with `r` (later calls do nothing). */
  settle(r: T | typeof STUCK): void {
    if (this.#settled) return;
    this.#settled = true;
    this.done = true;
    this.#timer?.clear();
    pending.delete(this);
    // The caller sees it after any line a child printed before sending what settled it (the test
    // first: no closure per wait on the common path).
    if (resolvesNow()) this.#resolve(r);
    else resolveAfterOutput(() => this.#resolve(r));
  }

  /** Calls `onExpiry` after `ms` unless settled first (a finite timeout). */
  expireAfter(ms: number | undefined, onExpiry: () => void): this {
    if (ms !== undefined && Number.isFinite(ms)) this.#timer = setTimeoutAtLeast(onExpiry, ms);
    return this;
  }

  abandon(): void {
    if (this.#settled) return;
    this.#onAbandon(this);
    this.settle(STUCK);
  }
}

/** How often a verdict put off for a carried copy looks again, in ms. */
const RECHECK_MS = 50;
const noop = (): void => {};
// Held endpoints (a local wait they could end is pending) with a copy carried in a value on its way.
let carried = 0;

/** A worker this library started still runs (core's hook), or a link to another party is open. */
function othersLive(): boolean {
  const hook = (globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.threadsAlive')];
  return (typeof hook === 'function' && hook() === true) || openLinks() > 0;
}

/** A held endpoint's reservation kinds: one whose worker's end will be reported, one carried in a value. */
export const FOR_WORKER = 1;
export const CARRIED = 2;

/**
 * Records the kinds of unconnected reservations that a held endpoint has now (`now`, a mask of
 * {@link FOR_WORKER} and {@link CARRIED}; 0 once nothing waits on it) instead of `was`; returns `now`.
 */
export function reservationsHeld(was: number, now: number): number {
  if ((now & FOR_WORKER) !== (was & FOR_WORKER)) keepAlive((now & FOR_WORKER) !== 0);
  if ((now & CARRIED) !== (was & CARRIED)) carried += now & CARRIED ? 1 : -1;
  return now;
}

/**
 * Keeps the program alive while any reason holds (a reserved copy whose worker runs and that a
 * local wait depends on): one ref'd timer for all of them.
 */
let reasons = 0;
let timer: NodeJS.Timeout | null = null;

function keepAlive(on: boolean): void {
  reasons += on ? 1 : -1;
  if (reasons > 0 && !timer) timer = setInterval(() => {}, 1 << 30);
  else if (reasons === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}
