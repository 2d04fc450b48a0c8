/**
 * A child's printed lines come out before what it sends next (process context), as in Python,
 * where a child and its parent write to the same descriptor.
 *
 * Here a child's stdout and stderr are pipes that core reads and forwards a whole line at a time
 * (`core/src/internal/output.ts`), while what it puts or sends travels on a socket. A child writes
 * its line into the pipe (blocking) before its send reaches the socket, so the poll that sees the
 * socket readable sees the pipe readable too; but libuv may run the socket's callback first, and a
 * `get()` resolved there lets the program print before the child's line is forwarded (up to 6 of
 * 20 pairs did). So a wait that frames from a socket settle is resolved after the poll phase
 * (`setImmediate`, the check phase), once the pipes' callbacks have forwarded what was there, and
 * only while core forwards the output of a live child of this thread (its count,
 * `globalThis[Symbol.for('multiproc.childOutputForwarding')].live`). A wait settled meanwhile by anything
 * else is resolved after those, so waits still resolve in the order they were settled.
 *
 * Costs one `setImmediate` per socket batch that settles a wait, and nothing without such a child.
 */

const FORWARDING_KEY = Symbol.for('multiproc.childOutputForwarding');

let fromSocket = 0;
let deferred: Array<() => void> = [];

/** Runs `handle` (frames read from a socket) so that the waits it settles are resolved in order. */
export function handleSocketFrames(handle: () => void): void {
  fromSocket++;
  try {
    handle();
  } finally {
    fromSocket--;
  }
}

function forwardsChildOutput(): boolean {
  const forwarding = (globalThis as Record<symbol, unknown>)[FORWARDING_KEY] as { live: number } | undefined;
  return forwarding !== undefined && forwarding.live > 0;
}

function resolveDeferred(): void {
  const now = deferred;
  deferred = [];
  for (const resolve of now) resolve();
}

/** Calls `resolve` now, or after the poll phase when a child's line may still be in its pipe. */
export function resolveAfterOutput(resolve: () => void): void {
  if (deferred.length === 0) {
    if (fromSocket === 0 || !forwardsChildOutput()) {
      resolve();
      return;
    }
    setImmediate(resolveDeferred);
  }
  deferred.push(resolve);
}
