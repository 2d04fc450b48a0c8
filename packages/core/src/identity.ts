/**
 * Who am I: the main program, or a worker this library started (thread or child process)?
 * Mirrors Python's `current_process()`, `parent_process()` and `if __name__ == '__main__'`.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, threadId } from 'node:worker_threads';

/** What the worker entry records about the worker it runs in (internal). */
export interface WorkerIdentity {
  readonly name: string;
  /** Python's `_identity`: position among its parent's children, at each level of nesting. */
  readonly identity: readonly number[];
  readonly daemon: boolean;
  readonly context: 'thread' | 'process';
  readonly parent: { readonly pid: number; readonly name: string };
  /** Levels of workers above and including this one: 1 for a worker the main program started. */
  readonly depth?: number;
}

const IDENTITY_KEY = Symbol.for('multiproc.workerIdentity');

/** Marks this realm as a multiproc worker; the worker entry calls it before importing user code. */
export function setWorkerIdentity(identity: WorkerIdentity): void {
  (globalThis as any)[IDENTITY_KEY] = identity;
}

/** This realm's identity when it is a multiproc worker, else `undefined` (internal). */
export function getWorkerIdentity(): WorkerIdentity | undefined {
  return (globalThis as any)[IDENTITY_KEY];
}

/**
 * `true` only in the program's own main thread; `false` in every worker multiproc starts (thread or
 * process) and in any other worker thread. Python: `if __name__ == '__main__':`.
 * @example
 * if (isMain()) { const pool = new Pool(); ... }
 */
export function isMain(): boolean {
  return isMainThread && getWorkerIdentity() === undefined;
}

/** The number of CPUs the program may use. Python: `multiprocessing.cpu_count()`. */
export function cpuCount(): number {
  return availableParallelism();
}

/** What {@link currentProcess} and {@link parentProcess} describe. */
export interface ProcessInfo {
  /** `'MainProcess'` in the main program; the `Process`'s or pool worker's name in a worker. */
  readonly name: string;
  /** The OS process id (for a thread, the pid of the process hosting it). */
  readonly pid: number;
  /** The worker thread's id, `0` in a process's main thread. */
  readonly threadId: number;
  /** Whether it is a daemon: ended when its parent exits. */
  readonly daemon: boolean;
}

/**
 * Describes the process (or worker thread) this code runs in. Python: `current_process()`.
 * @example
 * console.log(currentProcess().name); // 'MainProcess'
 */
export function currentProcess(): ProcessInfo {
  const me = getWorkerIdentity();
  return {
    name: me?.name ?? (isMainThread ? 'MainProcess' : `Thread-${threadId}`),
    pid: process.pid,
    threadId,
    daemon: me?.daemon ?? false,
  };
}

/**
 * The parent of this worker (`{ pid, name }`), or `null` in the main program. Python: `parent_process()`.
 */
export function parentProcess(): {
  /** The parent's OS process id. */
  readonly pid: number;
  /** The parent's name: `'MainProcess'`, or the worker that started this one. */
  readonly name: string;
} | null {
  return getWorkerIdentity()?.parent ?? null;
}
