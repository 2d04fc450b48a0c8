/**
 * Worker side of a pool worker's event loop: what holds it open, and what it means when it runs dry.
 *
 * The pool's own channel (a thread's `parentPort`, tinypool's port and the slot's port; a child's
 * IPC channel) holds the loop only while the worker is idle, waiting for work. While a task runs
 * it does not: so when the loop runs dry (`'beforeExit'`) with a task running, nothing is left
 * that could settle it (no timer, no I/O, no port, socket or child process of its own, no other
 * task), and the worker reports that task as never settled and exits with code 13, as a `Process`
 * does (`internal/never-settled.ts`). A running task that waits on something live keeps the loop
 * running by that thing, and the channel's messages (a cancel, side chunks) still arrive then.
 * Exceptions: V8 does not count a pending `Atomics.waitAsync` as work, nor Node an unref'd timer
 * (`setTimeout(...).unref()`, `AbortSignal.timeout()`), yet either may settle the task later:
 * while one is pending, a timer looks again every {@link RECHECK_MS} instead of a verdict.
 *
 * Once its pool ends it normally (a closed pool's `join()`, an idle timeout, a retirement), the
 * worker lets go of the channel for good and exits as soon as no timer, immediate or file-system
 * call its tasks left is pending: those run first, as Python's worker joins its non-daemon threads.
 * Sockets, servers, watchers, ports and child processes it still holds do not keep it (a database
 * connection its initializer opened would otherwise hold a closed pool's `join()` forever): the
 * exit closes them, as a Python process's exit does, which waits for threads, not for sockets.
 */
import { CRASH_KEY, type CrashMessage } from '../internal/batch.js';
import { importingModule, taskEnded, taskStarted } from '../internal/bootstrap.js';
import { toErrorRecord } from '../internal/error-record.js';
import { ifLoopStaysDry, type LoopStock, takeLoopStock } from '../internal/loop-work.js';
import { NEVER_SETTLED_EXIT_CODE, TaskNeverSettled } from '../internal/never-settled.js';

/** A handle of the pool's channel: it holds the loop while ref'd. */
interface Holdable {
  ref(): void;
  unref(): void;
}

const held: Holdable[] = [];
/** Tasks running (tinypool batches and side chunks): while any runs, the channel lets go. */
let running = 0;
/** `Atomics.waitAsync` calls pending in this realm (see {@link countAtomicWaits}). */
let atomicWaits = 0;
/** Set once the pool ended this worker normally: called with 0 once its leftovers ran (see {@link end}). */
let ending: ((code: number) => void) | undefined;
/** Set once `ending` was called (it may still join non-daemon Processes before it exits). */
let ended = false;
let holding = true;
let watching = false;

/** How often a dry loop with a task running looks again while something unref'd may still settle it (ms). */
const RECHECK_MS = 100;

/** Ref's or unref's the channel as the worker's state asks (only on a change). */
function apply(): void {
  const hold = ending === undefined && running === 0;
  if (hold === holding) return;
  holding = hold;
  for (const handle of held) {
    if (hold) handle.ref();
    else handle.unref();
  }
  watch();
}

function watch(): void {
  if (watching) return;
  watching = true;
  process.prependListener('beforeExit', takeStock);
  process.on('beforeExit', onLoopDry);
}

/**
 * What keeps the loop alive as it ran dry, before any other 'beforeExit' listener ran: none of it
 * is work (a child's stdout pipe, ref'd but not active, is listed too).
 */
let dryStock: LoopStock = [];

function takeStock(): void {
  dryStock = takeLoopStock();
}

/** `handle` is part of the pool's channel: it holds the loop only while the worker idles. */
export function holdWhileIdle(handle: Holdable): void {
  held.push(handle);
  if (!holding) handle.unref();
}

/** A task starts running here (also for the bootstrap guard: tasks may start Processes and pools). */
export function taskBegins(): void {
  taskStarted();
  if (++running === 1) apply();
}

/** A task counted by {@link taskBegins} ended. */
export function taskEnds(): void {
  taskEnded();
  running = Math.max(0, running - 1);
  if (running === 0) apply();
}

/**
 * Starts watching: the channel (a child's IPC channel; a thread's `parentPort`, and the port
 * tinypool's entry starts right after it imported the pool entry: call this last in that entry's
 * top level) holds the loop only while no task runs.
 */
export function watchLoop(inChild: boolean): void {
  countAtomicWaits();
  trackUnrefTimers();
  if (inChild) {
    holdWhileIdle(process.channel!);
    return;
  }
  holdWhileIdle(process.getBuiltinModule('node:worker_threads').parentPort!);
  catchTinypoolPort();
}

/**
 * The pool ends this worker normally: it exits through `exit(0)` once no task runs and no timer,
 * immediate or fs call its tasks left is pending ({@link lookForLeftovers}), or its loop runs dry.
 */
export function endWhenDry(exit: (code: number) => void): void {
  if (ending) return;
  ending = exit;
  watch();
  apply();
  lookForLeftovers();
}

/** Calls `ending` once. */
function end(): void {
  if (ended || !ending) return;
  ended = true;
  ending(0);
}

/** How often an ending worker looks whether what its tasks left behind has run (ms). */
const LEFTOVER_POLL_MS = 20;

/**
 * What keeps an ending worker alive, as `process.getActiveResourcesInfo()` names it: ref'd timers
 * and immediates (the work Python's non-daemon threads would do) and file-system calls in flight
 * (a write Python would have made synchronously). Handles (sockets, servers, pipes, watchers,
 * child processes, ports) are not listed: the exit closes them.
 */
function isLeftover(name: string): boolean {
  return name === 'Timeout' || name === 'Immediate' || name.startsWith('FSReq');
}

/**
 * Ends the worker (the exit `endWhenDry` was given) once no task runs and nothing listed by
 * {@link isLeftover} is pending, even if sockets or other handles keep its loop alive. Its own
 * timer is unref'd, so neither lists it nor holds the loop; a loop that runs dry ends it first
 * (`onLoopDry`).
 */
function lookForLeftovers(): void {
  const timer = setTimeout(() => {
    if (running === 0 && !process.getActiveResourcesInfo().some(isLeftover)) end();
    else if (!ended) lookForLeftovers();
  }, LEFTOVER_POLL_MS) as unknown as Timer;
  timer.unref();
  // Not a timer a task waits on (mayStillSettle).
  unrefTimers.delete(timer);
}

/**
 * The loop ran dry. Other 'beforeExit' listeners may still give it work (ipc ends a wait nothing
 * can answer, which settles a task with EOFError; a manager served here reads a request a turn
 * later): each schedules a timer then, so the verdict waits for a microtask after them all and is
 * given only if none did (`internal/loop-work.ts`).
 */
function onLoopDry(): void {
  if (running === 0 && ending === undefined) return;
  ifLoopStaysDry(dryStock, () => {
    if (running === 0) {
      end();
      return;
    }
    if (mayStillSettle()) setTimeout(() => {}, RECHECK_MS);
    else neverSettled();
  });
}

/** Whether something Node does not count as work is pending: it may settle the running task yet. */
function mayStillSettle(): boolean {
  if (atomicWaits > 0) return true;
  for (const timer of unrefTimers) {
    if (timer._destroyed || timer.hasRef()) unrefTimers.delete(timer);
  }
  for (const ref of timeoutSignals) {
    const signal = ref.deref();
    // A collected signal's timer was cleared with it: nothing can hear it any more.
    if (!signal || signal.aborted) timeoutSignals.delete(ref);
  }
  return unrefTimers.size > 0 || timeoutSignals.size > 0;
}

/** Tells the host that the running task can never settle, and exits (the pool replaces this worker). */
function neverSettled(): void {
  const inChild = typeof process.send === 'function';
  const message: CrashMessage = {
    [CRASH_KEY]: toErrorRecord(
      new TaskNeverSettled(importingModule()),
      0,
      'error',
      inChild ? 'process' : 'thread',
    ),
  };
  try {
    // A thread's message is read before its 'exit' (Node drains the port first); a small one on a
    // child's idle channel is in the pipe when send() returns.
    if (inChild) process.send!(message);
    else process.getBuiltinModule('node:worker_threads').parentPort!.postMessage(message);
  } catch {
    // The channel is gone: the call still fails, by the exit code alone.
  }
  process.exit(NEVER_SETTLED_EXIT_CODE);
}

type WaitAsync = (...args: unknown[]) => { async: boolean; value: unknown };
/** A Node `Timeout`, as far as this file reads it (`_destroyed`: fired or cleared, Node's own flag). */
type Timer = { hasRef(): boolean; unref(): Timer; _destroyed?: boolean };

/** Timers unref'd in this realm and maybe still pending (pruned at each dry loop). */
const unrefTimers = new Set<Timer>();
/** `AbortSignal.timeout()` signals made in this realm: each has an unref'd timer until it aborts. */
const timeoutSignals = new Set<WeakRef<AbortSignal>>();

/**
 * Tracks the unref'd timers user code makes through the public API (`timeout.unref()`,
 * `AbortSignal.timeout()`): Node lists none of them (`getActiveResourcesInfo()` names ref'd
 * timers only), and a task awaiting one is not stuck. Other unref'd work (a socket or child
 * process the task unref'd, `timers/promises` with `ref: false`) is not seen: a task waiting on
 * that alone counts as never settling, as the target of a `Process` does.
 */
function trackUnrefTimers(): void {
  const probe = setTimeout(() => {}, 0) as unknown as Timer;
  clearTimeout(probe as never);
  const proto = Object.getPrototypeOf(probe) as Timer;
  const unref = proto.unref;
  proto.unref = function (this: Timer) {
    if (unrefTimers.size >= PRUNE_AT) mayStillSettle();
    unrefTimers.add(this);
    return unref.call(this);
  };
  const timeoutOf = AbortSignal.timeout;
  AbortSignal.timeout = function timeout(this: typeof AbortSignal, delay: number) {
    const signal = timeoutOf.call(this, delay);
    if (timeoutSignals.size >= PRUNE_AT) mayStillSettle();
    timeoutSignals.add(new WeakRef(signal));
    return signal;
  };
}

/** Unref'd timers kept before the list is pruned (fired or cleared ones are dropped then). */
const PRUNE_AT = 256;

/**
 * Counts the `Atomics.waitAsync` calls pending in this realm. Node does not count one as work: a
 * task awaiting one, woken later by another thread, would pass for never settled. This library's
 * own waits (`@multiproc/shared`, loaded before) hold a timer instead and are not counted.
 */
function countAtomicWaits(): void {
  const atomics = Atomics as unknown as { waitAsync?: WaitAsync };
  const original = atomics.waitAsync;
  // Frozen (node --frozen-intrinsics): no wait can be counted; a task awaiting one may pass for never settled.
  if (typeof original !== 'function' || Object.isFrozen(Atomics)) return;
  const done = (): void => {
    atomicWaits--;
  };
  atomics.waitAsync = {
    waitAsync(...args: unknown[]) {
      const result = original.apply(Atomics, args);
      if (result.async) {
        atomicWaits++;
        void (result.value as Promise<unknown>).then(done, done);
      }
      return result;
    },
  }.waitAsync;
}

/** Catches the port tinypool's thread entry starts next (its calls arrive there). */
function catchTinypoolPort(): void {
  const proto = process.getBuiltinModule('node:worker_threads').MessagePort.prototype as unknown as Record<
    string,
    unknown
  >;
  const own = Object.getOwnPropertyDescriptor(proto, 'start');
  const start = proto.start as (this: Holdable) => void;
  Object.defineProperty(proto, 'start', {
    configurable: true,
    writable: true,
    value(this: Holdable) {
      if (own) Object.defineProperty(proto, 'start', own);
      else delete proto.start;
      holdWhileIdle(this);
      return start.call(this);
    },
  });
}
