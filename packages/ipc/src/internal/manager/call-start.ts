/**
 * When a served call has taken its place among a connection's calls (server-conn.ts runs the next
 * frame of that connection only then).
 *
 * Calls from one connection (one thread or process) start in the order it sent them, as Python's
 * manager, which serves each connection in its own thread, runs them. A call whose answer waits for
 * another party (an acquire of a lock held elsewhere, a wait, a queue's blocking get) has started
 * once it is queued among the waiters: later calls of the connection then run (another async task
 * of the same thread may be the one that ends the wait, as another Python thread would). A call
 * whose answer is only put off by the manager's own bookkeeping has not started until it is
 * computed: an answer given after one more poll of the sockets (wait-list.ts, afterPoll), a
 * timeout-0 wait, a call that waits for a lease to come back (served-lease.ts). Such a call's
 * promise is marked here with the promise of its start.
 */

const starts = new WeakMap<Promise<unknown>, Promise<unknown>>();

/** Marks `p`, a call's answer, as started only once `started` settles (by default `p` itself). */
export function startsLater<T>(p: Promise<T>, started: Promise<unknown> = p): Promise<T> {
  starts.set(p, started);
  return p;
}

/** The start of a call that answered `r`, when it has not started yet; undefined when it has. */
export function startOf(r: unknown): Promise<unknown> | undefined {
  return r instanceof Promise ? starts.get(r) : undefined;
}

/**
 * The start of a call run later (a lease's queued call), whose answer is `answer` and whose run
 * returned `value`: settles once that call has started (see {@link startOf}), after `answer`'s own
 * handlers registered so far (so its answer is written before the connection's next frame runs).
 */
export function startedWith(answer: Promise<unknown>, value: unknown): Promise<unknown> {
  const later = startOf(value);
  if (later === undefined && value instanceof Promise) return Promise.resolve(); // a wait: queued
  const done = later === undefined || later === value ? answer : later;
  return done.then(
    () => undefined,
    () => undefined,
  );
}
