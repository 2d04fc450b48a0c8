/**
 * Closes the handle of a Connection or queue that was garbage-collected without close(), as
 * Python closes a connection's file descriptor in `__del__`: its pipe end can then reach EOF, a
 * copy's fetched-ahead items go back to the queue, and the home forgets objects nobody can reach
 * (a pool task that receives a queue per call would otherwise leave one link per call behind).
 */
import type { Handle } from './runtime/handle.js';

const registry = new FinalizationRegistry<Handle>((h) => {
  countSettled();
  void h.close();
});

/**
 * How many objects this realm registered so far whose collection frees something outside it (a
 * handle here, a manager's object for a proxy: manager/client-refs.ts), and how many of them were
 * collected or closed since, on `globalThis`: a pool worker collects garbage when idle once the
 * first grew, while the two differ (core's `worker/ipc-flush.ts`). A worker that allocates little
 * may never collect by itself, and each copy left to the collector holds a socket in both
 * processes (or, for a proxy, its object in the manager).
 */
const REGISTERED = Symbol.for('multiproc.ipc.collectable');
const SETTLED = Symbol.for('multiproc.ipc.collectableSettled');

/** Closes `h` once `owner` is collected; call `forget(owner)` when it is closed explicitly. */
export function closeWhenCollected(owner: object, h: Handle): void {
  registry.register(owner, h, owner);
  countCollectable();
}

export function forget(owner: object): void {
  if (registry.unregister(owner)) countSettled();
}

/** Counts one more object whose collection frees something outside this realm. */
export function countCollectable(): void {
  bump(REGISTERED);
}

/** Counts one of those collected (or closed explicitly). */
export function countSettled(): void {
  bump(SETTLED);
}

function bump(key: symbol): void {
  const g = globalThis as Record<symbol, unknown>;
  g[key] = ((g[key] as number | undefined) ?? 0) + 1;
}
