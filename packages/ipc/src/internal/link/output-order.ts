/**
 * A child's printed lines come out before what it sends next (process context), as in Python,
 * where a child and its parent write to the same descriptor.
 *
 * Here a child's stdout and stderr are pipes that core reads and forwards a whole line at a time
 * (`core/src/internal/output.ts`), while what it puts or sends travels on a socket (a link's, or
 * a manager's: an `Event` set there answers this thread's wait). A child's line is in its pipe
 * before its send leaves, but one poll does not show both in order: libuv may run the socket's
 * callback before the pipe's (up to 6 of 20 pairs came out of order), and a poll that saw the
 * socket readable for earlier bytes did not see a line written after it, yet the socket's read,
 * later (this process held up by a loaded machine), takes the frames sent after that line too
 * (most pairs, with main held up 20 ms there).
 *
 * What does hold: once the frames that settle a wait were read, every line written before them is
 * in its pipe, so the next poll to begin reports that pipe readable (level-triggered), and libuv
 * runs all the callbacks of a poll before the check phase. So a wait that frames from a socket
 * settle is resolved in the check phase after the next poll phase (two `setImmediate` steps: the
 * first check phase ends the batch, the next one follows a poll that began after it), once the
 * pipes' callbacks have forwarded the line. This only while core forwards the output of a live
 * child of this thread (its count, `globalThis[Symbol.for('multiproc.childOutputForwarding')].live`).
 * A wait settled meanwhile by anything else is resolved after those, so waits still resolve in the
 * order they were settled.
 *
 * Costs one loop turn (two `setImmediate`s) per socket batch that settles a wait, shared by the
 * batches of a busy stream, and nothing without such a child. Reading each child's pipes
 * synchronously instead costs several times more (a `readSync` that throws EAGAIN per pipe).
 */

const FORWARDING_KEY = Symbol.for('multiproc.childOutputForwarding');

let fromSocket = 0;
/** Settled since the last check phase: resolved two check phases on, a poll phase between. */
let fresh: Array<() => void> = [];
/** Settled before the last check phase: resolved at the next one, after the poll between. */
let aged: Array<() => void> = [];
let ticking = false;

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

/** Once per check phase while waits are held: resolves the aged ones and ages the fresh ones. */
function tick(): void {
  const now = aged;
  aged = fresh;
  fresh = [];
  // Scheduled from the check phase, it runs in the next one: after a poll that begins after this.
  if (aged.length > 0) setImmediate(tick);
  else ticking = false;
  for (const resolve of now) resolve();
}

/** Whether a wait settled now may be resolved at once (no child's line can still be in its pipe). */
export function resolvesNow(): boolean {
  return !ticking && (fromSocket === 0 || !forwardsChildOutput());
}

/** Calls `resolve` now, or after the next poll phase when a child's line may still be in its pipe. */
export function resolveAfterOutput(resolve: () => void): void {
  if (resolvesNow()) {
    resolve();
    return;
  }
  if (!ticking) {
    ticking = true;
    setImmediate(tick);
  }
  fresh.push(resolve);
}
