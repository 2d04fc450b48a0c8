/**
 * Thin wrappers over `Atomics.wait` / `Atomics.waitAsync` plus deadline arithmetic, so every
 * primitive measures time and treats `timeout` the same way.
 */

import { LockError, ValidationError } from '../errors.js';
import { describeValue } from '../options.js';
import { resolveTimeout } from '../timeout.js';
import { assertMayBlock, atomicsWait } from './browser-limits.js';
import { hasCrossed, hasEscaped, isUnsentOnly } from './crossed.js';
import {
  claimWaitRuleVerdict,
  giveWaitRuleTurn,
  gotWorkSince,
  type LoopStock,
  takeLoopStock,
  waitRuleTicket,
} from './loop-work.js';

/** What a futex wait ended with, as reported by `Atomics.wait`. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

type WaitAsyncFn = (
  array: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

// `Atomics.waitAsync` is ES2024: typed here because the package's lib target is ES2023.
const atomicsWaitAsync = (Atomics as unknown as { waitAsync?: WaitAsyncFn }).waitAsync;

/** Milliseconds on a monotonic clock (available in Node and in browser workers). */
export function now(): number {
  return performance.now();
}

/**
 * The deadline of a timeout of 0 or less: a call that tries once and never asked to wait, so it
 * answers as it would on any thread, also where this thread may not block (a page's main thread).
 * Earlier than every time, so every "is the time up" comparison says yes.
 */
export const NO_WAIT = Number.NEGATIVE_INFINITY;

/**
 * Turns a `timeout` option (ms) into an absolute deadline on {@link now}'s clock.
 * `undefined`/`null`/`Infinity` wait forever; 0 or a negative timeout tries once ({@link NO_WAIT}).
 */
export function deadlineOf(timeoutMs: number | null | undefined, what = 'timeout'): number {
  if (timeoutMs === undefined || timeoutMs === null || timeoutMs === Number.POSITIVE_INFINITY) {
    return Number.POSITIVE_INFINITY;
  }
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
    throw new ValidationError(`${what} must be a number of milliseconds, got ${describeValue(timeoutMs)}.`);
  }
  return timeoutMs <= 0 ? NO_WAIT : now() + timeoutMs;
}

/**
 * Async waits of this thread pending, by the shared memory they wait on. A futex wakes its sleepers
 * in order, async ones too: a wake-up that goes to an async wait of a thread that is blocked (in
 * `waitSync` on the same memory: `const p = lock.acquire(); lock.acquireSync()`) waits until that
 * thread runs again, and the blocked wait, which it was meant for, would sleep on. So such a
 * blocking wait sleeps in slices of {@link SLICE_MS} and looks again (its callers loop anyway).
 */
const asyncWaits = new Map<ArrayBufferLike, number>();
const SLICE_MS = 2;

function trackAsync<T>(array: Int32Array, woken: Promise<T>): Promise<T> {
  const buffer = array.buffer;
  asyncWaits.set(buffer, (asyncWaits.get(buffer) ?? 0) + 1);
  const done = () => {
    const n = asyncWaits.get(buffer)! - 1;
    if (n === 0) asyncWaits.delete(buffer);
    else asyncWaits.set(buffer, n);
  };
  woken.then(done, done);
  return woken;
}

/**
 * Throws `LockError` for a blocking wait that can never end: unbounded, on memory that never
 * crossed to another thread (crossed.ts), so that only this thread could ever release, set or
 * notify it, and this thread is the one about to block (Python would block forever). The async
 * waits get the same verdict once the event loop runs dry (see the deadlock rule below). Called
 * by each blocking wait before it counts itself as a waiter, so a refused call leaves nothing behind.
 */
export function assertCanEnd(array: Int32Array, deadline: number): void {
  if (canEnd(array, deadline)) return;
  if (isUnsentOnly(array.buffer)) throw new LockError(UNSENT_MESSAGE);
  throw new LockError(
    'This blocking wait can never end: what it waits for was never sent to another thread, so only ' +
      'this thread could release or set it, and this thread is the one blocked (a deadlock; Python ' +
      'would block forever). Release or set it first, give a timeout, or use the async form (await ' +
      'acquire(), await wait()) so that this thread can run what releases it.',
  );
}

/**
 * Memory handed only to pool calls still queued in this thread: a pool posts a call at once only to a
 * worker that is up and free, and only a call with no `signal` and no `timeout`; otherwise (a new
 * pool's workers are starting, every worker is busy, the call can be aborted: it goes a microtask
 * after it is made) this thread's event loop posts it, which a blocking wait stops. Python's pool
 * sends from a thread. The message names each of those causes, and what makes the wait work.
 */
const UNSENT_MESSAGE =
  'This blocking wait can never end: what it waits for was handed only to pool calls that have not ' +
  "left this thread yet, and the pool posts them when this thread's event loop runs, which this wait " +
  "blocks. A call waits so while the pool's workers are still starting or all busy, and a call made " +
  'with a signal or a timeout always goes a microtask after it is made (so that an abort right after ' +
  'it finds it unposted). Use the async form (await ev.wait(), await lock.acquire()); or let the ' +
  'loop run first: await null after a call made with a signal or a timeout, or await a first call ' +
  '(await pool.apply()) while the workers start; or give the wait a timeout.';

/** Whether a blocking wait on `array` until `deadline` could end: see {@link assertCanEnd}. */
export function canEnd(array: Int32Array, deadline: number): boolean {
  return deadline !== Number.POSITIVE_INFINITY || hasCrossed(array.buffer);
}

/** Blocks this thread while `array[index] === value`, at most until `deadline`. */
export function waitSync(array: Int32Array, index: number, value: number, deadline: number): WaitResult {
  const ms = deadline === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : deadline - now();
  if (ms > 0) beforeBlocking();
  if (ms > SLICE_MS && asyncWaits.has(array.buffer)) {
    const r = atomicsWait(array, index, value, SLICE_MS);
    return r === 'timed-out' ? 'ok' : r; // a wake-up that may have gone astray: the caller looks again
  }
  if (ms > 0) return onTime(atomicsWait(array, index, value, ms), deadline);
  // The time is up: a call that asked to wait still fails where it may not (see assertMayBlock).
  if (deadline !== NO_WAIT) assertMayBlock();
  return 'timed-out';
}

/**
 * A futex wait's timeout may end before its deadline on {@link now}'s clock (`Atomics.waitAsync`
 * by up to about 1 ms): that is a wake-up to look again, never the caller's timeout, which is
 * measured on that clock (every caller loops until its word changed or its deadline passed).
 */
function onTime<R extends WaitResult>(r: R, deadline: number): R | 'ok' {
  return r === 'timed-out' && now() < deadline ? 'ok' : r;
}

const BEFORE_BLOCKING = Symbol.for('multiproc.beforeBlocking');

/**
 * Tells whoever installed the hook `Symbol.for('multiproc.beforeBlocking')` that this thread is
 * about to block: `@multiproc/ipc` warns once when this thread serves a manager others use (its
 * requests wait until this thread's event loop runs again).
 */
function beforeBlocking(): void {
  const hook = (globalThis as Record<symbol, unknown>)[BEFORE_BLOCKING];
  if (typeof hook === 'function') hook();
}

let notEqualStreak = 0;

// The longest delay setTimeout accepts; the timer only holds the event loop open.
const KEEP_ALIVE_MS = 0x7fff_ffff;
const noop = () => {};

/**
 * Waits without blocking the event loop while `array[index] === value`, at most until `deadline`.
 * A long run of immediate `'not-equal'` results (the word keeps changing under contention) would
 * otherwise be a microtask loop that starves timers and I/O, so every 64th one yields a macrotask.
 * Node does not count a pending `Atomics.waitAsync` as work: a thread whose only job is waiting
 * would exit mid-wait. So unless `keepAlive` is false, a timer holds the event loop open meanwhile.
 */
export async function waitAsync(
  array: Int32Array,
  index: number,
  value: number,
  deadline: number,
  keepAlive = true,
): Promise<WaitResult> {
  const ms = deadline === Number.POSITIVE_INFINITY ? undefined : deadline - now();
  if (ms !== undefined && ms <= 0) return 'timed-out';
  if (atomicsWaitAsync === undefined) return pollWait(array, index, value, ms);
  // Whole ms: a fractional timeout is cut to whole ms (0.4 would end at once), then onTime() below.
  const r = atomicsWaitAsync(array, index, value, ms === undefined ? ms : Math.ceil(ms));
  if (!r.async) {
    if (r.value === 'not-equal' && ++notEqualStreak % 64 === 0) await yieldMacrotask();
    return r.value;
  }
  notEqualStreak = 0;
  const woken = trackAsync(array, ms === undefined ? r.value : r.value.then((v) => onTime(v, deadline)));
  if (!keepAlive) return woken;
  if (ms === undefined && mayBeStuck(array)) return untilWokenOrStuck(woken, array, index, value);
  const timer = setTimeout(noop, KEEP_ALIVE_MS);
  try {
    return await woken;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The deadlock rule for a program's main thread (the contract's "a pending wait keeps the program
 * alive while something live could still satisfy it; when nothing can any more, it rejects"):
 * an unbounded wait holds no timer there. Worker threads that are ref'd keep the loop running by
 * themselves; when the loop runs dry (`beforeExit`) with waits pending, the verdict waits until
 * every `'beforeExit'` listener of that turn ran (a microtask after the emit), and then:
 * - a wait whose word changed meanwhile (a listener set the event, released the lock: its wake-up
 *   is a task Node has not run yet) stays, and a timer gives the loop the turn that delivers it;
 * - if the loop got new work during the turn (a listener scheduled a timer, a request: the same
 *   rule as loop-work.ts, by `process.getActiveResourcesInfo()`; the turns the other wait rules
 *   gave, such as ipc's for a queue's get, aside), or another wait rule ended its waits in this
 *   turn, every wait stays: Node runs that work and emits `'beforeExit'` again once the loop is dry;
 * - if a thread this library started still runs (a daemon, unref'd: the hook
 *   `Symbol.for('multiproc.threadsAlive')` that core installs says so), a short timer looks again
 *   later;
 * - else nothing is left that could ever wake them, and each rejects with {@link LockError}.
 * In a worker thread the rule holds for memory that did not escape it (crossed.ts: made there, sent
 * at most as arguments to workers it started), which only it and those workers could change. On
 * other memory the timer stays: its waits may be answered by the main thread, which ends the
 * worker when it exits.
 */
interface StuckWait {
  array: Int32Array;
  index: number;
  value: number;
  /** The word when the rule last looked: a change since then counts once (a wake-up on its way). */
  seen: number;
  /** When it started among every rule's waits (loop-work.ts): the oldest rule's waits end first. */
  ticket: number;
  reject: (e: Error) => void;
}
const stuckWaits = new Set<StuckWait>();
/** Which Node thread this is; `undefined` elsewhere (a browser, another runtime). */
let nodeThread: 'main' | 'worker' | undefined | null = null;
let watching = false;
let stock: LoopStock;
const RECHECK_MS = 50;

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  on?: (event: string, listener: () => void) => void;
  prependListener?: (event: string, listener: () => void) => void;
}

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

function whichNodeThread(): 'main' | 'worker' | undefined {
  if (nodeThread === null) {
    const wt = nodeProcess()?.getBuiltinModule?.('node:worker_threads') as
      | { isMainThread?: boolean }
      | undefined;
    nodeThread = wt === undefined ? undefined : wt.isMainThread === true ? 'main' : 'worker';
  }
  return nodeThread;
}

/** Whether an unbounded wait on `array` follows the deadlock rule (holds no timer), see above. */
function mayBeStuck(array: Int32Array): boolean {
  const thread = whichNodeThread();
  return thread === 'main' || (thread === 'worker' && !hasEscaped(array.buffer));
}

function untilWokenOrStuck(
  woken: Promise<'ok' | 'timed-out'>,
  array: Int32Array,
  index: number,
  value: number,
): Promise<WaitResult> {
  return new Promise<WaitResult>((resolve, reject) => {
    const wait: StuckWait = { array, index, value, seen: value, ticket: waitRuleTicket(), reject };
    stuckWaits.add(wait);
    if (!watching) {
      watching = true;
      const proc = nodeProcess();
      // The stock first, before every other listener: what they add to the loop is their work.
      proc?.prependListener?.('beforeExit', takeStock);
      proc?.on?.('beforeExit', onLoopDry);
    }
    void woken.then((r) => {
      stuckWaits.delete(wait);
      resolve(r);
    });
  });
}

function takeStock(): void {
  stock = takeLoopStock();
}

function onLoopDry(): void {
  if (stuckWaits.size === 0) return;
  // Decided now, before any verdict of this turn: a recheck is work for every other listener.
  const threadsAlive = (globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.threadsAlive')];
  if (typeof threadsAlive === 'function' && threadsAlive() === true) {
    setTimeout(noop, RECHECK_MS);
    return;
  }
  // A turn more (the one that delivers a wake-up on its way, or that the rejected callers get),
  // set now so that the program-wide verdicts see it as work; the other wait rules do not
  // (loop-work.ts).
  giveWaitRuleTurn(oldestTicket());
  queueMicrotask(verdict);
}

/** The ticket of the oldest pending wait (a Set iterates in insertion order). */
function oldestTicket(): number {
  for (const w of stuckWaits) return w.ticket;
  return Number.POSITIVE_INFINITY;
}

function verdict(): void {
  let moved = false;
  for (const w of stuckWaits) {
    const word = Atomics.load(w.array, w.index);
    if (word !== w.seen) moved = true;
    w.seen = word;
  }
  if (moved || stuckWaits.size === 0 || gotWorkSince(stock, true)) return;
  if (!claimWaitRuleVerdict(oldestTicket())) return;
  const waits = [...stuckWaits];
  stuckWaits.clear();
  for (const { reject } of waits) {
    reject(
      new LockError(
        'This wait can never end: nothing left in the program could release or set what it waits ' +
          'for (a deadlock; Python would block forever). Release it first, or give a timeout.',
      ),
    );
  }
}

function yieldMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// Fallback for engines without Atomics.waitAsync (Firefox before 145): poll on a timer.
async function pollWait(array: Int32Array, index: number, value: number, ms?: number): Promise<WaitResult> {
  const end = ms === undefined ? Number.POSITIVE_INFINITY : now() + ms;
  if (Atomics.load(array, index) !== value) return 'not-equal';
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (Atomics.load(array, index) !== value) return 'ok';
    if (now() >= end) return 'timed-out';
  }
}

/**
 * The deadline for a waiting method's timeout argument (ms, `{ timeout }`, or `{ block: false }`
 * where `block` is accepted), read by {@link resolveTimeout}; nothing given waits forever.
 * `acquire`: the argument of a lock's or semaphore's acquire, which takes `{ block: false }` (a
 * timeout given with it is ignored, as by Python's `multiprocessing` locks).
 */
export function deadlineFor(arg: unknown, method: string, acquire = false): number {
  if (arg === undefined) return Number.POSITIVE_INFINITY;
  return deadlineOf(resolveTimeout(arg, method, { block: acquire }).timeoutMs);
}
