/**
 * What a pool call's encoded arguments (or a map chunk's items) reserved for the worker they were
 * meant for: the copy of each queue and pipe end among them, a port for a thread and a reservation
 * at the object's home for a child process. Such a copy counts as a handle until the worker closes
 * it, so one that no worker will ever decode must be given back, or a pipe's other end never sees
 * EOF (see `Entry.drop` for when the dispatcher knows that).
 *
 * The release is ipc's own (`internal/runtime/carried.ts`, which also gives back what a dropped
 * queue item carries), reached through `globalThis[Symbol.for('multiproc.ipc.dropEncoded')]`:
 * ipc's index exports its public API only. ipc installs it before it encodes its first copy in a
 * realm, so where it is missing nothing was reserved.
 */
const DROP_KEY = Symbol.for('multiproc.ipc.dropEncoded');

/** Gives back the copies `value` (an `encodeValue()` result's value) carries. */
export function dropEncoded(value: unknown): void {
  const drop = (globalThis as Record<symbol, unknown>)[DROP_KEY];
  if (typeof drop !== 'function') return;
  try {
    drop(value);
  } catch {
    // Best effort: the call's own outcome is what its caller sees.
  }
}
