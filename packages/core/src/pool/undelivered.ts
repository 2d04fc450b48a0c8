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
import type { Held } from './entry.js';
import type { Flight } from './outcome.js';

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

const END_KEY = Symbol.for('multiproc.ipc.endEncoded');

/**
 * The worker that decoded `value` (an `encodeValue()` result's value) has ended: the copies it
 * carries count as closed at once, not once that worker's links close, which can come after its
 * call settled (a pipe whose other end only that worker held then fails sends with
 * `BrokenPipeError` as the call rejects, as it does once a `Process` holding it was joined).
 */
export function endEncoded(value: unknown): void {
  const end = (globalThis as Record<symbol, unknown>)[END_KEY];
  if (typeof end !== 'function') return;
  try {
    end(value);
  } catch {
    // Best effort, as dropEncoded.
  }
}

/**
 * The worker `flight` was posted to has ended, having started its first `claimed` jobs: the copies
 * among those calls' arguments end now, before the calls settle (`Entry.holderEnded`). Jobs it did
 * not start may go to another worker with the same copies: they are left alone.
 */
export function startedJobsEnded(flight: Flight, claimed: number): void {
  const entries = (flight as Partial<Held>).entries;
  if (!entries) return;
  for (let job = 0; job < claimed && job < entries.length; job++) entries[job]?.holderEnded?.();
}
