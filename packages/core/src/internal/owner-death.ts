/**
 * Owner-death recovery for the worker threads multiproc starts. When one ends, what only it could
 * release is given back however it ended (an RLock, a place among a condition's waiters or at a
 * barrier); what Python lets any thread release (a Lock, semaphore permits) is given back only
 * when it failed (uncaught error, non-zero exit, terminated, killed, out of memory), and stays
 * taken when it ended normally, so a worker may take a permit that another thread releases later.
 */
import type { Worker } from 'node:worker_threads';
import { abandonOwner, ownerIdOfThread } from '@multiproc/shared';

/**
 * Calls `abandonOwner()` for `worker` once it exits. `endedNormally(exitCode)` is asked then, before
 * any other 'exit' listener registered after this call runs.
 */
export function recoverOnExit(worker: Worker, endedNormally: (exitCode: number) => boolean): void {
  // threadId reads -1 once the worker has exited (then its 'exit' has been emitted already).
  if (worker.threadId < 0) return;
  const ownerId = ownerIdOfThread(worker.threadId);
  worker.once('exit', (code) => abandonOwner(ownerId, { endedNormally: endedNormally(code) }));
}
