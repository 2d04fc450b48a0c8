/**
 * Closes the handle of a Connection or queue that was garbage-collected without close(), as
 * Python closes a connection's file descriptor in `__del__`: its pipe end can then reach EOF, a
 * copy's fetched-ahead items go back to the queue, and the home forgets objects nobody can reach
 * (a pool task that receives a queue per call would otherwise leave one link per call behind).
 */
import type { Handle } from './runtime/handle.js';

const registry = new FinalizationRegistry<Handle>((h) => void h.close());

/**
 * How many handles this realm registered so far, on `globalThis`: a pool worker collects garbage
 * when idle once it grew (core's `worker/ipc-flush.ts`). A worker that allocates little may never
 * collect by itself, and each copy left to the collector holds a socket in both processes.
 */
const REGISTERED = Symbol.for('multiproc.ipc.collectable');

/** Closes `h` once `owner` is collected; call `forget(owner)` when it is closed explicitly. */
export function closeWhenCollected(owner: object, h: Handle): void {
  registry.register(owner, h, owner);
  const g = globalThis as Record<symbol, unknown>;
  g[REGISTERED] = ((g[REGISTERED] as number | undefined) ?? 0) + 1;
}

export function forget(owner: object): void {
  registry.unregister(owner);
}
