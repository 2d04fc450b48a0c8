/**
 * A batch structured clone refused as it was posted to a worker goes there empty instead, so that
 * the worker answers it as any other: tinypool posts its queue to a worker only as that worker
 * answers (or starts), so a worker whose batch never reached it idled while calls waited, and it
 * was retired to get them going, a worker started again for each call refused (a hundred items
 * that cannot be sent in one `imap` of 100k items retired over 500 workers).
 */
import type { Flight, Outcome } from './outcome.js';

/**
 * Empties `flight`'s batch after structured clone refused it with `error` (it runs nothing, not
 * even the initializer: a later batch carries that) and posts it again through `post`, with
 * nothing to transfer but the slot's port a worker's first batch carries. True once posted: the
 * worker's answer then stands for `error` (see {@link unpostedError}). False, with the batch as it
 * was, when even that cannot be posted.
 */
export function postedEmpty(flight: Flight, error: unknown, post: (transfer: object[]) => void): boolean {
  const batch = flight.batch as { jobs: unknown[]; tasks: unknown[]; cancelled?: true; initArgs?: unknown };
  const { jobs, tasks, cancelled, initArgs } = batch;
  batch.jobs = [];
  batch.tasks = [];
  batch.cancelled = true;
  batch.initArgs = undefined;
  try {
    post(flight.batch.port ? [flight.batch.port] : []);
  } catch {
    Object.assign(batch, { jobs, tasks, cancelled, initArgs });
    return false;
  }
  unposted.set(flight, error);
  return true;
}

const unposted = new WeakMap<Flight, unknown>();

/** What became of `flight` if it went empty ({@link postedEmpty}): `unsent`, whatever its worker answered. */
export function unpostedOutcome(flight: Flight): Outcome | undefined {
  return unposted.has(flight) ? { kind: 'unsent', error: unposted.get(flight) } : undefined;
}
