/**
 * One rule, for every `'beforeExit'` listener of these packages that gives a verdict when the event
 * loop runs dry: did the other `'beforeExit'` listeners (or anything else) give the loop new work
 * during this turn? If one did (the deadlock rules of `@multiproc/shared` and `@multiproc/ipc` set a
 * timer to end or recheck a pending wait; a manager served here reads a request a turn later), the
 * program has not ended yet: Node runs that work and emits `'beforeExit'` again once the loop is
 * dry again, and the verdict waits until then. Used by shared's `wait.ts` (a lock or event wait
 * nothing can end), ipc's `waiter.ts` (a get or recv nothing can answer), and core's
 * `daemon-end.ts` (a daemon child's SIGTERM at program end) and `worker/loop-watch.ts` (a pool task
 * that can never settle, a closed pool's worker that may exit).
 *
 * The rule: {@link takeLoopStock} in a listener that runs before the others (added with
 * `process.prependListener`), then {@link ifLoopStaysDry} queues the verdict for a microtask, which
 * runs once the whole `'beforeExit'` emit has returned and before Node looks at the loop again. The
 * loop got work if `process.getActiveResourcesInfo()` then lists some kind of resource more often
 * than the stock did: a multiset of kinds, not a count, so a listener that drops one resource
 * (unref's or closes it) and adds another still counts as giving work.
 *
 * Node API: `process.getActiveResourcesInfo()` (Node 17.3+) names, one entry each, the requests in
 * flight (`FSReqCallback`, `WriteWrap`, ...), the handles that are ref'd (`TCPSocketWrap`,
 * `PipeWrap`, `ProcessWrap`, ...), the ref'd timers (`Timeout`) and the ref'd immediates
 * (`Immediate`). It is compared against the stock rather than against nothing because a ref'd
 * handle that is not active (a child's stdout pipe nobody reads) is listed while the loop is dry.
 *
 * The wait rules (shared's `wait.ts`, ipc's `waiter.ts`: each ends the waits of its own kind that
 * nothing can end) give the loop a turn each time it runs dry with such waits pending
 * ({@link giveWaitRuleTurn}): the rejected callers run in it, and the program-wide verdicts (core's)
 * take it for work, so they wait for the wait rules. The wait rules themselves do not take one
 * another's turns for work ({@link gotWorkSince} with `besidesWaitRules`), or a queue's get and a
 * lock's acquire pending together would each wait for the other for ever; instead at most one of
 * them ends its waits in a turn ({@link claimWaitRuleVerdict}), since its callers may then end the
 * others' (a `catch` that releases the lock), and the next ends its own at the next dry loop. The
 * one whose oldest pending wait started first goes first (each wait draws a {@link waitRuleTicket}
 * when it starts): the order does not depend on which kind of wait the program happened to use
 * first, long before (the order the rules' listeners were added in).
 *
 * Known limits:
 * - Work that Node does not list is not seen: an unref'd timer (`setTimeout().unref()`,
 *   `AbortSignal.timeout()`), an unref'd handle, a pending `Atomics.waitAsync`, a promise chain.
 *   A listener that means to keep the program running must schedule a ref'd timer (the listeners
 *   of this library do).
 * - Kinds are names, not identities: a listener that closes a listed handle and opens another of
 *   the same kind in the same turn goes unseen.
 * - Only what exists when the microtask runs counts: a microtask that another listener queued
 *   after the verdict's own (a promise continuation) and that schedules work then is not seen;
 *   the listeners of this library schedule their timers synchronously.
 * - A listener that runs before the stock is taken (one prepended later) has its work counted as
 *   part of the dry loop.
 * - Where the runtime lacks `getActiveResourcesInfo()` (not a supported Node), no work is ever
 *   seen: the verdict is given at every dry loop.
 */

/**
 * What `process.getActiveResourcesInfo()` listed at one moment (`undefined`: the runtime cannot tell).
 * @internal
 */
export type LoopStock = string[] | undefined;

function activeResources(): string[] | undefined {
  // `globalThis.process`: this package also runs in browsers, where there is no loop to look at.
  const proc = (globalThis as { process?: { getActiveResourcesInfo?: () => string[] } }).process;
  return proc?.getActiveResourcesInfo?.();
}

/**
 * What keeps the loop alive now, by kind. Take it before the other 'beforeExit' listeners run.
 * @internal
 */
export function takeLoopStock(): LoopStock {
  return activeResources();
}

/** What the wait rules of a realm share: on `globalThis`, as a realm may load this module twice. */
interface WaitRules {
  /** Turns given ({@link giveWaitRuleTurn}) whose timers have not run yet. */
  turns: number;
  /** Whether a wait rule ended its waits in this turn ({@link claimWaitRuleVerdict}). */
  claimed: boolean;
  /** The oldest pending wait's ticket of each rule that gave a turn in this turn (the lowest goes first). */
  bids: number[];
  /** The last {@link waitRuleTicket} drawn. */
  tickets: number;
}

function waitRules(): WaitRules {
  const realm = globalThis as Record<symbol, Partial<WaitRules> | undefined>;
  const rules = (realm[Symbol.for('multiproc.waitRules')] ??= {});
  // Filled field by field: a copy of this module from before a field was added may have made it.
  rules.turns ??= 0;
  rules.claimed ??= false;
  rules.bids ??= [];
  rules.tickets ??= 0;
  return rules as WaitRules;
}

/**
 * The next number in the order waits start in, across every wait rule of this realm: a wait rule
 * keeps the one its wait drew, and passes its oldest pending wait's to {@link giveWaitRuleTurn}.
 * @internal
 */
export function waitRuleTicket(): number {
  return ++waitRules().tickets;
}

/**
 * Gives the loop one more turn from a wait rule's `'beforeExit'` listener (a ref'd 0 ms timer):
 * the turn its rejected callers run in, or that delivers a wake-up on its way. The program-wide
 * verdicts take it for work; the other wait rules do not (`gotWorkSince(stock, true)`).
 * `oldest`: the {@link waitRuleTicket} of the rule's oldest pending wait, its place in this turn's
 * order ({@link claimWaitRuleVerdict}).
 * @internal
 */
export function giveWaitRuleTurn(oldest: number): void {
  const rules = waitRules();
  rules.turns++;
  rules.bids.push(oldest);
  setTimeout(() => {
    rules.turns--;
    rules.claimed = false;
    rules.bids.length = 0;
  }, 0);
}

/**
 * Claims the current turn for a wait rule about to end its waits: `false` if another wait rule
 * already ended its own in this turn, or if another rule that gave a turn in it has an older
 * pending wait than `oldest` (this one's, as given to {@link giveWaitRuleTurn}): it goes first,
 * and this one looks again at the next dry loop, as that one's callers may end these waits.
 * @internal
 */
export function claimWaitRuleVerdict(oldest: number): boolean {
  const rules = waitRules();
  if (rules.claimed || rules.bids.some((bid) => bid < oldest)) return false;
  rules.claimed = true;
  return true;
}

/**
 * Whether the loop has work that `stock` did not list: some kind of resource (a timer, an
 * immediate, a request, a ref'd handle) is listed more often now than in `stock`. `false` where the
 * runtime cannot tell. With `besidesWaitRules`, the turns the wait rules gave
 * ({@link giveWaitRuleTurn}) are not work.
 * @internal
 */
export function gotWorkSince(stock: LoopStock, besidesWaitRules = false): boolean {
  const now = activeResources();
  if (stock === undefined || now === undefined) return false;
  const left = new Map<string, number>();
  for (const name of stock) left.set(name, (left.get(name) ?? 0) + 1);
  if (besidesWaitRules) left.set('Timeout', (left.get('Timeout') ?? 0) + waitRules().turns);
  for (const name of now) {
    const n = left.get(name) ?? 0;
    if (n === 0) return true;
    left.set(name, n - 1);
  }
  return false;
}

/**
 * Calls `verdict` after every 'beforeExit' listener of this turn ran (in a microtask: it runs once
 * the emit returned), unless the loop got work since `stock` was taken ({@link gotWorkSince}).
 * Call it from a 'beforeExit' listener, with the stock taken at the start of the same turn.
 * @internal
 */
export function ifLoopStaysDry(stock: LoopStock, verdict: () => void): void {
  queueMicrotask(() => {
    if (!gotWorkSince(stock)) verdict();
  });
}
