/**
 * The host side of one started `Process`: its worker's runner, how it ended, and the ways to wait
 * for it and to stop it (join with a timeout, terminate with its grace, kill, interrupt). `Process`
 * (`process.ts`) keeps the public face: options, lifecycle state, argument checks and the docs.
 */
import { type Launched, logStarted } from './process-launch.js';
import { type ExitInfo, endsWithin, type Runner, TERMINATE_GRACE_MS } from './runner.js';

/** A worker `launchProcess()` started, from its start until after its end. */
export class StartedProcess {
  readonly runner: Runner;
  readonly #daemon: boolean;
  // Its queues and pipes serve it nothing more once it is being stopped (ipc).
  readonly #ending: () => void;
  #exit: ExitInfo | undefined;
  #joins = 0;

  /** `onExit` runs once the worker has ended, after this object knows it (`exit` is set). */
  constructor(launched: Launched, name: string, daemon: boolean, onExit: (info: ExitInfo) => void) {
    const { runner, receiverEnded, receiverEnding } = launched;
    this.runner = runner;
    this.#daemon = daemon;
    this.#ending = receiverEnding;
    if (daemon) runner.unref();
    const logExit = logStarted(name, runner, daemon);
    // Registered before any join() can await `exited`, so a join that wakes up finds `exit` set.
    void runner.exited.then((info) => {
      logExit(info);
      receiverEnded();
      this.#exit = info;
      onExit(info);
    });
  }

  /** How the worker ended; `undefined` while it runs. */
  get exit(): ExitInfo | undefined {
    return this.#exit;
  }

  /**
   * Waits until the worker ends, or `ms` passes (`Infinity`: no limit).
   * @throws {WorkerStartError} the worker's start failure, when it never started.
   */
  async join(ms: number): Promise<void> {
    if (!this.#exit) {
      // A pending join keeps the program alive while the worker runs, daemon or not (as Python's
      // blocking join does); a daemon goes back to not counting once nobody joins it.
      if (this.#daemon && this.#joins++ === 0) this.runner.ref();
      try {
        if (ms === Number.POSITIVE_INFINITY) await this.runner.exited;
        else await endsWithin(this.runner.exited, ms);
      } finally {
        if (this.#daemon && --this.#joins === 0 && !this.#exit) this.runner.unref();
      }
    }
    const startFailure = this.#exit?.startError;
    if (startFailure) throw startFailure;
  }

  /** `Process.terminate()`: SIGTERM (a thread: `worker.terminate()`), SIGKILL after the grace. */
  async terminate(): Promise<void> {
    const runner = this.runner;
    if (this.#exit) return;
    // A daemon is unref'd; the await below must keep the program alive until the end is seen.
    runner.ref();
    this.#ending();
    runner.terminate();
    if (await endsWithin(runner.exited, TERMINATE_GRACE_MS)) return;
    runner.kill();
    // A thread in native code (a synchronous child, a blocking read) ends once that call returns,
    // if ever: it is left alive (exitCode null), as after join(ms); join() waits for its end.
    if (runner.threadId === undefined) await runner.exited;
    else await endsWithin(runner.exited, TERMINATE_GRACE_MS);
  }

  /** `Process.kill()`: SIGKILL (a thread: `worker.terminate()`). */
  kill(): void {
    if (this.#exit) return;
    this.#ending();
    this.runner.kill();
  }

  /** `Process.interrupt()`: SIGINT for a child, which may handle it; a thread is stopped. */
  interrupt(): void {
    if (this.#exit) return;
    // A child that handles SIGINT runs on, and may still use its queues and pipes; a thread ends.
    if (this.runner.threadId !== undefined) this.#ending();
    this.runner.interrupt();
  }
}
