/**
 * What became of a batch whose tinypool `run()` rejected: never posted (no worker could start, the
 * pool is ending, or structured clone refused it), or posted to a worker that died or was stopped,
 * read from the worker's slot once it has exited, never from tinypool's error text.
 */
import { type Flight, NOTHING_RAN, type Outcome } from './outcome.js';

/** How long a call waiting for a dead worker's outcome keeps the program alive, at most (ms). */
const LAST_MESSAGES_HOLD_MS = 2000;

/**
 * The outcome of `flight`, which tinypool rejected with `error`. `destroying`: the pool is being
 * destroyed; `aborted`: the flights whose worker was stopped to abort them.
 */
export async function failedOutcome(
  flight: Flight,
  error: unknown,
  destroying: boolean,
  aborted: WeakSet<Flight>,
): Promise<Outcome> {
  const slot = flight.slot;
  if (!slot && flight.refused !== undefined) return { kind: 'refused', error: flight.refused };
  if (!slot) return destroying ? { kind: 'terminated' } : { kind: 'unsent', error };
  const state = slot.state.name;
  if (!slot.dying && state !== 'stopping' && state !== 'exited') {
    slot.unsent(flight);
    slot.answered(flight);
    return { kind: 'unsent', error };
  }
  // A call waits on this: the program must not end while the dead worker's last messages are
  // read (its channel is unref'd, and with no worker left, nothing else may hold the loop).
  const hold = setTimeout(() => {}, LAST_MESSAGES_HOLD_MS);
  const exited = await slot.exited;
  clearTimeout(hold);
  const jobs = slot.progressOf(flight)?.collect() ?? NOTHING_RAN;
  switch (exited.reason) {
    case 'crashed':
      return { kind: 'crashed', exitCode: exited.exitCode, signal: exited.signal, cause: slot.cause, jobs };
    case 'aborted':
      // tinypool may post the next batch to a worker it has not yet dropped: one that never
      // started there goes again elsewhere; only the aborted call's batch is 'aborted'.
      if (aborted.has(flight) || jobs.claimed > 0) return { kind: 'aborted' };
      return { kind: 'handedBack', jobs };
    case 'closed':
    case 'terminated':
      return { kind: 'terminated' };
    default: // retired (or idle): the worker had served its tasks and started none of these
      return { kind: 'handedBack', jobs };
  }
}
