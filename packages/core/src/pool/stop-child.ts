/**
 * How a pool stops one of its workers, a child process or a thread. tinypool's own `terminate()` sends SIGTERM and
 * SIGKILLs the child 1 s later if it is still there; that stays the one forced path (terminate,
 * timeout, abort). Two gaps around it are closed here:
 *
 * - An idle child is unref'd (tinypool's doing, so an idle pool lets the program end). While it is
 *   being stopped, its exit is what `join()`/`terminate()` wait for: the child is ref'd again, or
 *   the program could end first with those awaits unsettled (exit code 13).
 * - A closed pool's `join()`, an idle timeout and a retirement (`maxTasksPerChild`) end a child politely, without a signal: they close
 *   its IPC channel, on which every child exits at once with code 0 (`worker/child-guard.ts`),
 *   whatever SIGTERM handlers a task installed (Python's pool sends its workers a sentinel), so
 *   the child ends normally (the manager locks it holds stay taken). Only a child still there
 *   after {@link GRACEFUL_EXIT_MS} gets the forced path.
 * - A thread stopped so (`stopThread`) is asked to `process.exit(0)` itself on its slot's port:
 *   `worker.terminate()` ends it without running its exit hooks, so the managers whose locks it
 *   holds would never hear that it ended normally.
 * - A worker whose tasks left non-daemon Processes running (`hasChildren`) joins them before it
 *   exits (`worker/join-children.ts`): its polite stop then waits for its exit without a bound,
 *   as a program waits for its non-daemon children. `terminate()` is not polite: it ends them.
 *   A thread also says so when asked to exit (`ThreadLink.joiningChildren`), which covers the
 *   Processes no batch reply told of (those a map chunk on its side lane started); a child can
 *   start them only inside a batch (`internal/bootstrap.ts`), whose reply tells.
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import type { ThreadLink } from './progress.js';

/** How long a child of a closed pool gets to exit after its channel is closed (ms). */
export const GRACEFUL_EXIT_MS = 1000;

/**
 * Stops `child`: politely first when `graceful`, then through `terminate` (tinypool's forced
 * path), keeping the program alive until the child has exited. `hasChildren`: its polite exit is
 * waited for until its non-daemon Processes have ended, however long.
 */
export async function stopChild(
  child: ChildProcess,
  graceful: boolean,
  terminate: () => Promise<unknown>,
  hasChildren = false,
): Promise<unknown> {
  child.ref();
  if (graceful && child.connected && !hasExited(child)) {
    child.disconnect();
    await exitedWithin(child, hasChildren ? Number.POSITIVE_INFINITY : GRACEFUL_EXIT_MS);
  }
  return terminate();
}

/**
 * Stops an idle `thread` that ends normally: it exits by itself when it can be asked to (see
 * `ThreadLink.askToExit`), else, or if it is still there after {@link GRACEFUL_EXIT_MS}, through
 * `terminate`.
 */
export async function stopThread(
  thread: Worker,
  link: ThreadLink,
  terminate: () => Promise<unknown>,
  hasChildren = false,
): Promise<unknown> {
  // threadId reads -1 once the thread has exited.
  if (thread.threadId >= 0 && link.askToExit()) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        thread.off('exit', done);
        resolve();
      };
      // A thread that answered it joins its Processes first is waited for, however long.
      const timer = hasChildren
        ? undefined
        : setTimeout(() => {
            if (!link.joiningChildren()) done();
          }, GRACEFUL_EXIT_MS);
      thread.once('exit', done);
    });
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
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    child.once('exit', done);
  });
}
