/**
 * Worker side, child processes only: what every child this library forks (a `Process` child, a
 * pool worker, a warm spare) does first, before it imports any user code.
 *
 * 1. Its stdout and stderr pipes are made blocking. A forked child's pipes are non-blocking, so a
 *    child that logs and then calls `process.exit()` lost the tail (10 to 128 of 300 lines here).
 * 2. It never outlives its parent, daemon or not, whatever it runs (Python's children can):
 *    - the IPC channel's `'disconnect'` (the parent died, or closed it: a closed pool's `join()`
 *      ends its workers so) exits at once with code 0, while the event loop is free;
 *    - something outside this child SIGKILLs it when the parent is gone, which also ends a child
 *      stuck in synchronous code or in a long import: the parent program's reaper (one `sh` per
 *      program, see `internal/reaper.ts`) when {@link REAPED_BY_ENV} names the parent; otherwise
 *      a watchdog thread here, which checks `process.ppid` every {@link WATCH_INTERVAL_MS}. A
 *      child that forks covers its own children the same way, so a killed program takes its
 *      whole tree with it, level by level.
 */
import { Worker } from 'node:worker_threads';

/** Set in a child's environment by a parent whose reaper covers it: the parent's pid. */
export const REAPED_BY_ENV = 'MULTIPROC_REAPED_BY';

/** How often the watchdog looks at the parent pid. */
const WATCH_INTERVAL_MS = 250;
/**
 * Exit code of a child whose channel closed: a planned end when its parent closed it (a pool's
 * `join()`); when the parent died, nobody reads it.
 */
const CHANNEL_CLOSED_EXIT_CODE = 0;

// Runs in the watchdog thread: plain CommonJS, no imports of this package (it must start fast).
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL');
}, workerData.intervalMs);
`;

type HandleWithBlocking = { _handle?: { setBlocking?(blocking: boolean): void } };

function makeBlocking(stream: NodeJS.WriteStream): void {
  (stream as unknown as HandleWithBlocking)._handle?.setBlocking?.(true);
}

let guarded = false;

/** Makes this forked child's output blocking and ties its life to its parent's. Idempotent. */
export function guardChildProcess(): void {
  if (guarded || typeof process.send !== 'function') return;
  guarded = true;
  makeBlocking(process.stdout);
  makeBlocking(process.stderr);
  const ppid = process.ppid;
  process.once('disconnect', () => process.exit(CHANNEL_CLOSED_EXIT_CODE));
  // Spelt out (REAPED_BY_ENV) so the environment audit of the reliability suite sees the read.
  const reapedBy = process.env.MULTIPROC_REAPED_BY;
  // Not for user code, nor for this child's own children (their parent is this child).
  delete process.env.MULTIPROC_REAPED_BY;
  if (reapedBy === String(ppid)) return;
  startWatchdog(ppid);
}

/** The fallback: a thread that SIGKILLs this child once its parent pid changes. */
function startWatchdog(ppid: number): void {
  const watchdog = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { ppid, intervalMs: WATCH_INTERVAL_MS },
    stdout: true,
    stderr: true,
    env: {},
    execArgv: [],
  });
  // The watchdog must neither keep this child alive nor take it down if it fails to start.
  watchdog.unref();
  watchdog.on('error', () => {});
}
