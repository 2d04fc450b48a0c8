/**
 * A blocking wait that also watches the threads whose share it waits for (thread-roster.ts): a
 * holder that ran out of memory (or was terminated) gives back nothing by itself, and the host that
 * started it cannot see its end while asleep here.
 */
import { abandonOwner } from '../owner.js';
import { holderThread, watchesThreads } from './thread-roster.js';
import { now, type WaitResult, waitSync } from './wait.js';

/**
 * How long a blocked wait sleeps before it looks whether its holders' threads still exist, and
 * between two looks. Coarse: a wait this long is rare, and a look costs a few system calls.
 */
export const WATCH_SLICE_MS = 100;

/**
 * `waitSync()` for a wait that the threads in `owners()` hold up. Where this thread knows a roster,
 * it sleeps at most {@link WATCH_SLICE_MS} at a time while one of them has a row; after a slice
 * that nothing ended, each of those threads found gone without its exit handlers having run is
 * given back for (a failure: `abandonOwner()`, which wakes the waiters). A slice that ends before
 * `deadline` returns `'ok'`, a spurious wake-up: its callers look at their word again and sleep on
 * (`'timed-out'` means the deadline passed, as from `waitSync()`). A wait
 * shorter than a slice, or where no roster is known (a browser, not Linux), is a plain
 * `waitSync()`: nothing is read.
 */
export function waitSyncWatching(
  w: Int32Array,
  index: number,
  value: number,
  deadline: number,
  owners: () => readonly number[],
): WaitResult {
  const sliceEnd = now() + WATCH_SLICE_MS;
  if (deadline <= sliceEnd || !watchesThreads()) return waitSync(w, index, value, deadline);
  const r = waitSync(w, index, value, sliceEnd);
  if (r !== 'timed-out') return r;
  let watched = false;
  for (const owner of owners()) {
    const state = holderThread(owner);
    if (state === 'gone') abandonOwner(owner);
    watched ||= state !== 'unknown';
  }
  // A slice that ended is a spurious wake-up. No holder has a row (the main thread holds it): sleep
  // on. A new holder changes the word, which ends this wait, and the caller's next one looks again.
  return watched ? 'ok' : waitSync(w, index, value, deadline);
}
