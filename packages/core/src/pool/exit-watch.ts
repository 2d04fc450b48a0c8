/**
 * Watches the workers tinypool starts, to cover two gaps of tinypool 2.2:
 *
 * - Its worker_threads runtime listens for 'error' but not 'exit': a task whose worker calls
 *   `process.exit()` would never settle. Here an unplanned thread exit is re-emitted as an 'error'
 *   carrying the exit code, which tinypool does handle: it rejects the tasks that worker held and
 *   starts a replacement.
 * - Its child_process runtime reports a dead child only as "Worker exited unexpectedly"; the exit
 *   code and signal are recorded here for `WorkerCrashedError`. Our listener runs after tinypool's
 *   own, so by the time the failed run's rejection is handled, its exit has been recorded.
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import type { Tinypool } from 'tinypool';
import { EXIT_MARKER } from '../internal/batch.js';
import { recoverOnExit } from '../internal/owner-death.js';

export interface ExitRecord {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: number;
}

// A crash's rejection is handled in the same turn as its exit; older records are not its cause.
const FRESH_MS = 2000;

type Watched = { terminate(): Promise<unknown>; process?: ChildProcess; thread?: Worker };

export class ExitWatch {
  readonly #seen = new WeakSet<object>();
  readonly #exits: ExitRecord[] = [];

  /** Starts watching workers tinypool added since the last scan (cheap: a few workers). */
  scan(tp: Tinypool): void {
    for (const worker of tp.threads as unknown as Watched[]) {
      if (this.#seen.has(worker)) continue;
      this.#seen.add(worker);
      // tinypool stopping a live worker (idle timeout, abort, destroy) is not a crash. It also
      // calls terminate() on a worker that already died, from inside that death's own handlers.
      // A child's exitCode is set before any 'exit' listener runs (tinypool's run first).
      let exited = false;
      const child = worker.process;
      const isDead = () =>
        exited || (child !== undefined && (child.exitCode !== null || child.signalCode !== null));
      let planned = false;
      const terminate = worker.terminate.bind(worker);
      worker.terminate = () => {
        if (!isDead()) planned = true;
        return terminate();
      };
      if (worker.process)
        this.#watchChild(
          worker.process,
          () => planned,
          () => (exited = true),
        );
      else if (worker.thread)
        this.#watchThread(
          worker.thread,
          () => planned,
          () => (exited = true),
        );
    }
  }

  #watchChild(child: ChildProcess, planned: () => boolean, markExited: () => void): void {
    child.once('exit', (code, signal) => {
      markExited();
      if (planned()) return;
      this.#exits.push({ code, signal, at: Date.now() });
      if (this.#exits.length > 64) this.#exits.shift();
    });
  }

  #watchThread(thread: Worker, planned: () => boolean, markExited: () => void): void {
    recoverOnExit(thread);
    let errored = false;
    thread.once('error', () => {
      errored = true;
    });
    thread.once('exit', (code) => {
      markExited();
      if (planned() || errored) return;
      thread.emit('error', new Error(`${EXIT_MARKER}:${code}`));
    });
  }

  /** The oldest recent child exit not yet attributed to a failed run. */
  take(): ExitRecord | undefined {
    const now = Date.now();
    while (this.#exits.length > 0 && now - this.#exits[0]!.at > FRESH_MS) this.#exits.shift();
    return this.#exits.shift();
  }
}
