/**
 * The manager behind `getContext('process')`'s primitives: one per thread, started on first use.
 */
import { SyncManager } from './manager.js';

let defaultManager: SyncManager | null = null;

/**
 * The manager behind the process-safe primitives of `getContext('process')` (`ctx.Lock()`,
 * `ctx.Value()`, …): started in this program on first use, on a private Unix socket, and shut down
 * when the program exits. It never keeps the program alive by itself: a wait without a timeout
 * keeps it alive only while a live child, pool worker or connected program could end it, and
 * rejects (`LockError`, `BrokenBarrierError`, `EOFError`) once none is left.
 * @returns the same manager on every call (in this thread).
 * @example
 * const lock = processManager().Lock(); // what getContext('process').Lock() returns
 * console.log(await lock.acquire()); // true
 */
export function processManager(): SyncManager {
  if (!defaultManager) {
    const m = SyncManager.startNow();
    process.once('exit', () => void m.shutdown());
    defaultManager = m;
  }
  return defaultManager;
}
