/**
 * Host side, 'process' context: what becomes of a daemon `Process`'s child when its program ends.
 * Python's exit function (`multiprocessing.util._exit_function`) calls `terminate()` (SIGTERM) on
 * every daemonic child still running, then joins them, so a child's SIGTERM handler can clean up.
 *
 * - The program ends by itself (its event loop ran out): at that `'beforeExit'`, each daemon child
 *   still running gets SIGTERM, and SIGKILL if it is still running {@link TERMINATE_GRACE_MS} later,
 *   as `Process.terminate()` does; the program ends once they have (their output forwarded). Not
 *   while another `'beforeExit'` listener keeps the loop running (the deadlock rule of
 *   `@multiproc/shared` and `@multiproc/ipc` does while a wait of this program is pending and a live
 *   child could still end it): the program has not ended yet (the rule of `loop-work.ts`).
 * - It calls `process.exit()`, throws, or is killed: no asynchronous code runs any more, so the
 *   program's reaper does the same after it has gone (`reaper.ts`, a `t pid` line); the program
 *   itself ends at once. The child, whose IPC channel then closes, waits for that SIGTERM instead of
 *   exiting at the close (`worker/process-entry.ts`).
 *
 * A thread-context daemon is not covered: Node ends a program's worker threads with it, as
 * `worker.terminate()` does, which no code can handle.
 */
import { ifLoopStaysDry, takeLoopStock } from './loop-work.js';
import { terminateFirstAtEnd } from './reaper.js';
import { endsWithin, type Runner, TERMINATE_GRACE_MS } from './runner.js';

const daemons = new Set<Runner>();
let listening = false;

/** Ends `runner`, a daemon `Process`'s child, with SIGTERM then SIGKILL when its program ends. */
export function endDaemonAtProgramEnd(runner: Runner): void {
  terminateFirstAtEnd(runner.pid);
  daemons.add(runner);
  void runner.exited.then(() => daemons.delete(runner));
  if (listening) return;
  listening = true;
  // First among the listeners, to see what the others schedule.
  process.prependListener('beforeExit', onLoopDry);
}

function onLoopDry(): void {
  if (daemons.size === 0) return;
  // After every other 'beforeExit' listener: one that scheduled work (a pending wait's recheck
  // timer, a round trip to a manager) keeps the program running; it has not ended yet.
  ifLoopStaysDry(takeLoopStock(), () => void Promise.all([...daemons].map(terminate)));
}

async function terminate(runner: Runner): Promise<void> {
  daemons.delete(runner);
  runner.terminate();
  if (await endsWithin(runner.exited, TERMINATE_GRACE_MS)) return;
  runner.kill();
  await endsWithin(runner.exited, TERMINATE_GRACE_MS);
}
