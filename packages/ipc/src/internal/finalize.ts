/**
 * Closes the handle of a Connection or queue that was garbage-collected without close(), as
 * Python closes a connection's file descriptor in `__del__`: its pipe end can then reach EOF, a
 * copy's fetched-ahead items go back to the queue, and the home forgets objects nobody can reach
 * (a pool task that receives a queue per call would otherwise leave one link per call behind).
 */
import type { Handle } from './runtime/handle.js';

const registry = new FinalizationRegistry<Handle>((h) => void h.close());

/** Closes `h` once `owner` is collected; call `forget(owner)` when it is closed explicitly. */
export function closeWhenCollected(owner: object, h: Handle): void {
  registry.register(owner, h, owner);
}

export function forget(owner: object): void {
  registry.unregister(owner);
}
