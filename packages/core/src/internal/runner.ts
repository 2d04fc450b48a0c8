/**
 * One interface over the two ways a worker runs: a `node:worker_threads` Worker ('thread' context)
 * or a `child_process.fork` child ('process' context). `Process` (`started-process.ts`) is written
 * against this interface only; `thread-runner.ts` and `child-runner.ts` hold what differs.
 */
import { type AtLeastTimeout, setTimeoutAtLeast } from '@multiproc/shared';
import type { WorkerStartError } from '../errors.js';
import type { WorkerIdentity } from '../identity.js';

/** How a worker ended, in Python's terms: `exitCode` is negative (-N) when signal N ended it. */
export interface ExitInfo {
  readonly exitCode: number;
  readonly signal: string | null;
  /** Set when the worker never started (the system refused it): `exitCode` is then 1. */
  readonly startError?: WorkerStartError;
}

/**
 * A thread's exit code as a process's would read: Node gives a worker's `process.exit(code)` back
 * unchanged (-1, 256), while the OS keeps a process's low 8 bits (255, 0), as Python reports them.
 * Negative codes are kept for "killed by signal", so a thread's own code must never be one.
 */
export function osExitCode(code: number): number {
  return code & 0xff;
}

/** The first message a Process worker receives: what to run and who it is. */
export interface StartMessage {
  readonly kind: 'mp:start';
  readonly module: string;
  readonly taskName: string;
  readonly args: unknown[];
  readonly encoded: boolean;
  readonly identity: WorkerIdentity;
  /**
   * For a warm spare only, what of the parent's state changed since the spare was made; applied
   * before the target's module is imported. Absent when nothing changed (the usual case).
   */
  readonly inherit?: InheritedState;
  /**
   * Threads only: the host's own output reaches descriptor 1 synchronously, so the worker writes
   * there directly too (`worker/direct-output.ts`), and what it prints is out before what it sends.
   */
  readonly directOutput?: boolean;
}

/** The parent's `process.env` changes (and, for a child, working directory) a warm spare takes. */
export interface InheritedState {
  /** Variables set or changed since the spare was made, and those since deleted. */
  readonly env?: { readonly set: Readonly<Record<string, string>>; readonly unset: readonly string[] };
  /** The parent's working directory, when it changed (children only: threads share it). */
  readonly cwd?: string;
}

/** What a warm spare is started with: modules to import ahead, before any start message. */
export interface SpareMessage {
  readonly kind: 'mp:spare';
  readonly preload: readonly string[];
  /** As {@link StartMessage.directOutput}, for the spare's whole life. */
  readonly directOutput?: boolean;
}

/** What a child tells the host once Node has booted in it (child-runner.ts). */
export const READY_MESSAGE = { kind: 'mp:ready' } as const;

/** What a spare tells the host when a module it was told to preload failed to import. */
export interface PreloadFailedMessage {
  readonly kind: 'mp:preload-failed';
  readonly module: string;
  /** The import's error, as `name: message`. */
  readonly error: string;
}

/** Whether `message` from a spare is a {@link PreloadFailedMessage}. */
export function isPreloadFailed(message: unknown): message is PreloadFailedMessage {
  return (message as { kind?: unknown } | null)?.kind === 'mp:preload-failed';
}

/** A running worker, whichever the context. */
export interface Runner {
  readonly pid: number;
  /** The worker thread's id; `undefined` for a child process. */
  readonly threadId: number | undefined;
  /** Resolves once the worker has exited and its output has been forwarded. */
  readonly exited: Promise<ExitInfo>;
  /**
   * Asks the worker to stop: SIGTERM for a child, `worker.terminate()` for a thread. A child may
   * handle SIGTERM and carry on: `Process.terminate()` follows with `kill()` after
   * {@link TERMINATE_GRACE_MS}.
   */
  terminate(): void;
  /** Stops the worker at once: SIGKILL for a child, `worker.terminate()` for a thread. */
  kill(): void;
  /**
   * SIGINT for a child, which may handle it and run on; a thread, which gets no signals, is
   * stopped with `worker.terminate()` and reports -2 (`Process.interrupt()`).
   */
  interrupt(): void;
  /** Lets the program exit while this worker still runs (daemon workers). */
  unref(): void;
  /** Keeps the program alive until this worker ends again (a daemon being joined). */
  ref(): void;
}

/** Starts a worker running `message`, passing `transfer` along where the context allows it. */
export type StartRunner = (message: StartMessage, transfer: readonly object[]) => Runner;

/**
 * How long `Process.terminate()` lets a child that got SIGTERM run before it sends SIGKILL (ms).
 * The pool's forced stop (tinypool's `terminate()`, see `pool/stop-child.ts`) uses the same 1 s,
 * so a child handling SIGTERM gets the same time to clean up under a Process as under a Pool.
 */
export const TERMINATE_GRACE_MS = 1000;

/** Resolves `true` once `exited` settles, or `false` after `ms` if it has not; the timer is cleared. */
export async function endsWithin(exited: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: AtLeastTimeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeoutAtLeast(() => resolve(false), ms);
  });
  try {
    return await Promise.race([exited.then(() => true as const), late]);
  } finally {
    timer?.clear();
  }
}
