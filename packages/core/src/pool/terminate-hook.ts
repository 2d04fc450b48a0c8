/**
 * What happens when tinypool stops one of the pool's workers: the adapter replaces each worker's
 * `terminate()` with {@link hookTerminate}, which records why it stops (idle, closed, terminated),
 * waits out a thread still loading on Node 20, and stops it politely or by force
 * (`stop-child.ts`). {@link endedNormally} then tells owner death how the worker ended.
 */

import { debugLog } from '../internal/debug-log.js';
import type { ThreadLink } from './progress.js';
import { type Slot, type StopReason, settleWithin } from './slot.js';
import { type ForceSignal, type PoliteStop, stopChild, stopThread } from './stop-child.js';
import type { TinypoolWorker } from './watch-worker.js';
import { LOADER_LEAKS_FDS, LOADING_MS, loadedOrExited } from './worker-start.js';

/** Where the pool is in its own end when tinypool stops a worker. */
export interface PoolEnd {
  /** `join()` or `terminate()` is destroying the pool. */
  readonly destroying: boolean;
  /** A closed pool's `join()`: children are asked to exit, not signalled. */
  readonly graceful: boolean;
  /** Fired when `terminate()` cuts a polite stop short. */
  readonly forced: ForceSignal;
  /** Numbers the pool in debug lines. */
  readonly poolId: number;
}

/** Replaces tinypool's `worker.terminate()` for the worker of `slot`; `end` is read at each call. */
export function hookTerminate(worker: TinypoolWorker, slot: Slot, end: () => PoolEnd): void {
  const child = worker.process;
  const thread = worker.thread;
  const forcedStop = worker.terminate.bind(worker);
  const terminate = () => {
    slot.forced = true;
    return forcedStop();
  };
  const loaded = thread && LOADER_LEAKS_FDS ? loadedOrExited(thread) : undefined;
  worker.terminate = () => {
    // A child that was never spawned has nothing to stop and will never emit 'exit'.
    if (child && child.pid === undefined) return Promise.resolve();
    const { destroying, graceful, forced, poolId } = end();
    const starting = slot.state.name === 'starting';
    const dead =
      slot.dying ||
      slot.state.name === 'exited' ||
      (child !== undefined && (child.exitCode !== null || child.signalCode !== null));
    // tinypool stops a worker on its own only when it idled out or the pool is destroyed.
    if (!dead) slot.stop(destroying ? (graceful ? 'closed' : 'terminated') : 'idle');
    // Node 20's module loader leaks the descriptor of a file it was reading when its thread is
    // terminated (not 22 or 24): a thread still loading is stopped once it has loaded.
    if (starting && loaded) return settleWithin(loaded, LOADING_MS).then(terminate);
    // A closed pool's join(), an idle timeout and a retirement (maxTasksPerChild) end a worker
    // politely: it ends normally, so the manager locks it holds stay taken (owner death; a thread's
    // shared ones: endedNormally), and its exit hooks run: a queue or pipe made there hands what it
    // holds to a copy elsewhere (ipc's bequest), which a forced stop would lose.
    const polite = graceful || (!destroying && (isStopping(slot, 'idle') || isStopping(slot, 'retired')));
    // A closed pool's join() waits, however long, until the timers the worker's tasks left behind
    // ran (worker/loop-watch.ts: open sockets do not hold it), as Python's join() waits for a worker's non-daemon threads; so does any
    // polite stop of a worker whose tasks left non-daemon Processes running. terminate() cuts it short.
    const stop: PoliteStop = {
      unbounded: graceful || slot.children,
      onForced: (done) => forced.subscribe(done),
      lingering: () => lingering(poolId, slot),
    };
    if (!child) {
      if (!polite || !thread || dead || slot.failed) return terminate();
      return stopThread(thread, slot.link as ThreadLink, terminate, stop);
    }
    // Nothing more goes to a child being stopped: tinypool relays a batch it posted just before
    // (a worker's start-up batch) through the child's channel later, on the next turn, and a send
    // on a closed channel emits an 'error' that tinypool's destroy() cannot take (issue #18).
    worker.isTerminating = true;
    // tinypool reads any exit before its own terminate() as a crash: not a polite one.
    if (polite && worker.onUnexpectedExit) child.off('exit', worker.onUnexpectedExit);
    return stopChild(child, polite, terminate, stop);
  };
}

/** The debug line for a worker whose polite stop is still waited for (`PoliteStop.lingering`). */
function lingering(poolId: number, slot: Slot): void {
  const who = slot.threadId === undefined ? `pid ${slot.pid}` : `thread ${slot.threadId}`;
  debugLog(
    'pool %d: worker %d (%s) has not exited yet: it ends once no timer or interval a task left behind is ' +
      'pending and its non-daemon Processes ended, and join() waits for that; terminate() stops it',
    poolId,
    slot.id,
    who,
  );
}

/**
 * Whether a worker that is exiting now ended normally: the pool retired it after its tasks
 * (`maxTasksPerChild`), idled it out, or a closed pool's `join()` ended it. A crash, an abort
 * (its running task was stopped), `terminate()` and a failed initializer are failures.
 */
export function endedNormally(slot: Slot): boolean {
  const state = slot.state;
  if (state.name !== 'stopping' || slot.failed) return false;
  return state.reason === 'retired' || state.reason === 'idle' || state.reason === 'closed';
}

/** Whether `slot` is being stopped for `reason`. */
function isStopping(slot: Slot, reason: StopReason): boolean {
  return slot.state.name === 'stopping' && slot.state.reason === reason;
}
