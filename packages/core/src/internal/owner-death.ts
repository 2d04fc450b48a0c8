/**
 * Owner-death recovery for the worker threads multiproc starts: when one ends, however it ends,
 * what it still held of the shared primitives alive in this thread is given back (locks marked
 * abandoned, semaphore permits returned, barriers it waited at broken). A thread that has ended
 * cannot release anything itself, so waiting on it would be waiting forever.
 */
import type { Worker } from 'node:worker_threads';
import { abandonOwner, ownerIdOfThread } from '@multiproc/shared';

/** Calls `abandonOwner()` for `worker` once it exits. */
export function recoverOnExit(worker: Worker): void {
  // threadId reads -1 once the worker has exited (then its 'exit' has been emitted already).
  if (worker.threadId < 0) return;
  const ownerId = ownerIdOfThread(worker.threadId);
  worker.once('exit', () => abandonOwner(ownerId));
}
