/**
 * How a pool stops one of its child processes. tinypool's own `terminate()` sends SIGTERM and
 * SIGKILLs the child 1 s later if it is still there; that stays the one forced path (terminate,
 * timeout, abort, retire). Two gaps around it are closed here:
 *
 * - An idle child is unref'd (tinypool's doing, so an idle pool lets the program end). While it is
 *   being stopped, its exit is what `join()`/`terminate()` wait for: the child is ref'd again, or
 *   the program could end first with those awaits unsettled (exit code 13).
 * - A closed pool's `join()` ends its children politely, without a signal: it closes their IPC
 *   channel, on which every child exits at once (`worker/child-guard.ts`), whatever SIGTERM
 *   handlers a task installed (Python's pool sends its workers a sentinel). Only a child still
 *   there after {@link GRACEFUL_EXIT_MS} gets the forced path.
 */
import type { ChildProcess } from 'node:child_process';

/** How long a child of a closed pool gets to exit after its channel is closed (ms). */
export const GRACEFUL_EXIT_MS = 1000;

/**
 * Stops `child`: politely first when `graceful`, then through `terminate` (tinypool's forced
 * path), keeping the program alive until the child has exited.
 */
export async function stopChild(
  child: ChildProcess,
  graceful: boolean,
  terminate: () => Promise<unknown>,
): Promise<unknown> {
  child.ref();
  if (graceful && child.connected && !hasExited(child)) {
    child.disconnect();
    await exitedWithin(child, GRACEFUL_EXIT_MS);
  }
  return terminate();
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once `child` has exited, or after `ms`. */
function exitedWithin(child: ChildProcess, ms: number): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      child.off('exit', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    child.once('exit', done);
  });
}
