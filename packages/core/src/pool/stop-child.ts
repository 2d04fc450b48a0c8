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
 * - A worker stopped politely ends once no timer, immediate or fs call its tasks left is pending, so
 *   what they left behind (a timer, a write) runs first; sockets and other handles do not hold it,
 *   its exit closes them (`worker/loop-watch.ts`).
 * - A closed pool's `join()` waits for that without a bound (`PoliteStop.unbounded`), as Python's
 *   `join()` waits for a worker's non-daemon threads (a worker left with an endless `setInterval`
 *   keeps `join()` waiting, which `NODE_DEBUG=multiproc` names after {@link GRACEFUL_EXIT_MS}); so
 *   does any polite stop of a worker whose tasks left non-daemon Processes running, which it joins
 *   before it exits (`worker/join-children.ts`). `terminate()` is not polite: it ends them, also
 *   while such a wait is on (`PoliteStop.onForced`).
 *   A thread also says so when asked to exit (`ThreadLink.joiningChildren`), which covers the
 *   Processes no batch reply told of (those a map chunk on its side lane started); a child can
 *   start them only inside a batch (`internal/bootstrap.ts`), whose reply tells.
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import type { ThreadLink } from './progress.js';

/**
 * How long a worker stopped politely gets to exit (ms) after it was asked to (an idle timeout, a
 * retirement); for a wait without a bound, when `NODE_DEBUG=multiproc` says it still waits.
 */
export const GRACEFUL_EXIT_MS = 1000;

/**
 * The pool's `terminate()`, as the polite stops still waiting see it. A callback, not a Promise that
 * stays pending for the pool's life: each stop takes its own back when it ends, so the stops of a
 * long-lived pool (a retirement every `maxTasksPerChild` tasks) leave nothing behind that would
 * hold their worker (a reaction on a pending Promise can never be removed).
 */
export class ForceSignal {
  #fired = false;
  readonly #waiting = new Set<() => void>();

  /** Calls `done` once `fire()` was called (at once if it was); returns what unsubscribes it. */
  subscribe(done: () => void): () => void {
    if (this.#fired) {
      done();
      return () => {};
    }
    this.#waiting.add(done);
    return () => this.#waiting.delete(done);
  }

  /** Calls, once, every callback subscribed and not taken back. */
  fire(): void {
    if (this.#fired) return;
    this.#fired = true;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const done of waiting) done();
  }
}

/** How a polite stop waits for the worker's exit. */
export interface PoliteStop {
  /** Waited for however long (a closed pool's `join()`, a worker joining its Processes). */
  readonly unbounded: boolean;
  /**
   * Calls `done` when `terminate()` cuts the wait short (at once if it did already); returns what
   * takes `done` back, called when the wait ends otherwise (see {@link ForceSignal}).
   */
  onForced(done: () => void): () => void;
  /** Called once when an unbounded wait has lasted {@link GRACEFUL_EXIT_MS}. */
  lingering(): void;
}

/**
 * Stops `child`: politely first when `graceful`, then through `terminate` (tinypool's forced
 * path), keeping the program alive until the child has exited.
 */
export async function stopChild(
  child: ChildProcess,
  graceful: boolean,
  terminate: () => Promise<unknown>,
  stop: PoliteStop,
): Promise<unknown> {
  child.ref();
  if (graceful && child.connected && !hasExited(child)) {
    child.disconnect();
    if (!hasExited(child))
      await exitOrBound(
        stop,
        (done) => child.once('exit', done),
        () => false,
      );
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
  stop: PoliteStop,
): Promise<unknown> {
  // threadId reads -1 once the thread has exited. A thread that answered it joins its Processes
  // first is waited for, however long.
  if (thread.threadId >= 0 && link.askToExit()) {
    await exitOrBound(
      stop,
      (done) => thread.once('exit', done),
      () => link.joiningChildren(),
    );
  }
  return terminate();
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Resolves once the worker has exited (`onExit` registers the callback), on `stop.onForced`, or, for a
 * bounded stop, after {@link GRACEFUL_EXIT_MS} unless `moreTime()` says it is joining its Processes.
 */
function exitOrBound(
  stop: PoliteStop,
  onExit: (done: () => void) => void,
  moreTime: () => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    let unforced: (() => void) | undefined;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unforced?.();
      resolve();
    };
    const timer = setTimeout(() => {
      if (stop.unbounded) stop.lingering();
      else if (!moreTime()) done();
    }, GRACEFUL_EXIT_MS);
    onExit(done);
    if (!settled) unforced = stop.onForced(done);
  });
}
