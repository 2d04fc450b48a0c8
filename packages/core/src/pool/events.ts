/**
 * What a Pool tells those who watch it: events (named like piscina's where they match) and,
 * with `NODE_DEBUG=multiproc`, one stderr line per worker start, exit, crash, retirement and
 * replacement (Python: `multiprocessing.log_to_stderr()`).
 */
import type { EventEmitter } from 'node:events';
import { debugLog } from '../internal/debug-log.js';
import type { Slot, SlotState } from './slot.js';

type ExitedState = Extract<SlotState, { name: 'exited' }>;

/** A worker of a pool, as the pool's events describe it. */
export interface PoolWorkerInfo {
  /** Numbers the workers of one pool from 1, in the order they were started. */
  readonly id: number;
  /** The worker's OS process id: the child's (`'process'` context) or this process's (`'thread'`). */
  readonly pid: number;
  /** The worker thread's id (`'thread'` context), else `undefined`. */
  readonly threadId: number | undefined;
}

/**
 * Why a worker stopped: `'crashed'` (it died on its own: threw at top level, called
 * `process.exit()`, was killed or ran out of memory), `'retired'` (it served `maxTasksPerChild`
 * tasks, or its initializer failed), `'aborted'` (it was stopped to cancel the call it was
 * running), `'idle'` (above `minProcesses` and idle for `idleTimeout`), `'closed'` (a closed
 * pool's `join()` ended it gracefully), `'terminated'` (the pool was terminated).
 */
export type WorkerExitReason = 'crashed' | 'retired' | 'aborted' | 'idle' | 'closed' | 'terminated';

/** A worker that stopped. */
export interface WorkerExitInfo extends PoolWorkerInfo {
  /** Its exit code, or `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it (`'SIGKILL'`), or `null`. */
  readonly signal: string | null;
  /** Why it stopped. */
  readonly reason: WorkerExitReason;
}

/** A worker that died on its own. */
export interface WorkerCrashInfo extends WorkerExitInfo {
  /** Always `'crashed'`. */
  readonly reason: 'crashed';
  /** What killed it, when the worker reported it: its uncaught error, or running out of memory. */
  readonly cause: unknown;
}

/**
 * The events of a {@link Pool} and their arguments:
 * - `'workerCreate'`: a worker was started (at first, on demand, or to replace one).
 * - `'workerDestroy'`: a worker stopped, for any reason, with its exit code and signal.
 * - `'crash'`: a worker died on its own (emitted before its `'workerDestroy'`). The call it was
 *   running, if any, rejects with `WorkerCrashedError`; the pool replaces the worker.
 * - `'drain'`: the pool ran out of work: nothing is queued and nothing is running.
 */
export interface PoolEvents {
  /** A worker was started (at first, on demand, or to replace one). */
  workerCreate: [worker: PoolWorkerInfo];
  /** A worker stopped, for any reason. */
  workerDestroy: [exit: WorkerExitInfo];
  /** A worker died on its own; emitted before its `'workerDestroy'`. */
  crash: [crash: WorkerCrashInfo];
  /** Nothing is queued and nothing is running. */
  drain: [];
}

/** Who hears about a pool's workers (the Pool, which emits the events). */
export interface PoolWatcher {
  /** Numbers the pool in debug lines. */
  readonly poolId: number;
  onWorkerCreate(worker: PoolWorkerInfo): void;
  onWorkerExit(exit: WorkerExitInfo | WorkerCrashInfo): void;
}

const log = debugLog;

/**
 * Tells the watcher, and the debug log, about a worker that was started (`state` 'starting',
 * with the worker it replaces), is retiring, or exited.
 */
export function announce(watcher: PoolWatcher, slot: Slot, state: SlotState, replaces?: Slot): void {
  const line = (text: string) => log('pool %d: %s %s', watcher.poolId, describe(slot), text);
  const worker = { id: slot.id, pid: slot.pid, threadId: slot.threadId };
  if (state.name === 'starting') {
    line(`started${replaces ? `, replacing worker ${replaces.id}` : ''}`);
    watcher.onWorkerCreate(worker);
  } else if (state.name === 'stopping' && state.reason === 'retired') {
    line(`retiring after ${slot.tasks} task${slot.tasks === 1 ? '' : 's'}`);
  } else if (state.name === 'exited') {
    const { exitCode, signal, reason } = state;
    const how = exitHow(slot, state);
    if (reason === 'crashed') {
      line(`crashed (${how})${slot.cause ? `: ${String(slot.cause)}` : ''}`);
      watcher.onWorkerExit({ ...worker, exitCode, signal, reason, cause: slot.cause });
    } else {
      watcher.onWorkerExit({ ...worker, exitCode, signal, reason });
    }
    line(`exited (${how}, ${reason})`);
  }
}

/**
 * How a worker exited, in debug lines: a thread the pool ended with `worker.terminate()` exits with
 * code 1, which Node gives every terminated thread (a thread never asked to exit politely because
 * it never ran a batch, one that did not exit within the grace, a `terminate()`d pool's): that is
 * no exit code of its own.
 */
function exitHow(slot: Slot, { exitCode, signal, reason }: ExitedState): string {
  if (signal) return `signal ${signal}`;
  const stopped = slot.forced && !slot.dying && reason !== 'crashed';
  if (stopped && slot.threadId !== undefined) return 'stopped by the pool with worker.terminate()';
  return `code ${exitCode}`;
}

/** How a worker is named in debug lines. */
function describe(worker: PoolWorkerInfo): string {
  return worker.threadId === undefined
    ? `worker ${worker.id} (pid ${worker.pid})`
    : `worker ${worker.id} (thread ${worker.threadId})`;
}

/** Emits `event` on `pool`; a listener that throws does so on its own turn, never inside the pool's bookkeeping. */
export function tell<K extends keyof PoolEvents>(
  pool: EventEmitter<PoolEvents>,
  event: K,
  ...args: PoolEvents[K]
): void {
  try {
    (pool.emit as (event: K, ...args: PoolEvents[K]) => boolean)(event, ...args);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
