/**
 * Who am I: the main program, or a worker this library started (thread or child process)?
 * Mirrors Python's `current_process()`, `parent_process()` and `if __name__ == '__main__'`.
 */

import { processAuthkey, setProcessAuthkey } from '@multiproc/ipc';
import { definePythonNames, describeValue, ProcessError, ValidationError } from '@multiproc/shared';
import { tooManyArguments } from './internal/arity.js';

// node:worker_threads (with the stream modules it loads) and node:os are read on first use, not at
// import: a program's main thread that imports the package has not loaded them yet (issue #18),
// and every worker multiproc starts answers isMain() from its identity alone.
const threads = (): typeof import('node:worker_threads') => process.getBuiltinModule('node:worker_threads');

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
  /** The parent's authentication key, hex (Python passes `authkey` to its children the same way). */
  readonly authkey?: string;
}

const IDENTITY_KEY = Symbol.for('multiproc.workerIdentity');

/** Marks this realm as a multiproc worker; the worker entry calls it before importing user code. */
export function setWorkerIdentity(identity: WorkerIdentity): void {
  const { authkey, ...rest } = identity;
  if (authkey) setProcessAuthkey(Buffer.from(authkey, 'hex'));
  (globalThis as any)[IDENTITY_KEY] = rest;
}

/** This realm's authentication key as hex, for a worker it starts to inherit (internal). */
export function inheritedAuthkey(): string {
  return Buffer.from(processAuthkey()).toString('hex');
}

/**
 * A copy of `key` as bytes, the forms `setProcessAuthkey()` takes (internal).
 * @throws {ValidationError} for an empty key or one that is neither a string nor a Uint8Array.
 */
export function authkeyBytes(key: unknown, what: string): Uint8Array {
  const bytes =
    typeof key === 'string' ? new TextEncoder().encode(key) : key instanceof Uint8Array ? key : null;
  if (!bytes || bytes.length === 0) {
    throw new ValidationError(`${what} must be a non-empty string or Uint8Array, got ${describeValue(key)}.`);
  }
  return Uint8Array.from(bytes);
}

/** This realm's identity when it is a multiproc worker, else `undefined` (internal). */
export function getWorkerIdentity(): WorkerIdentity | undefined {
  return (globalThis as any)[IDENTITY_KEY];
}

/**
 * `true` only in the program's own main thread; `false` in every worker multiproc starts (thread or
 * process) and in any other worker thread. Python: `if __name__ == '__main__':`.
 * @example
 * import { defineTasks, isMain, Pool } from '@multiproc/core';
 * export const tasks = defineTasks(import.meta.url, { square: (x: number) => x * x });
 * if (isMain()) { // false in the workers, which import this module again
 *   const pool = new Pool({ processes: 2 });
 *   console.log(await pool.map(tasks.square, [1, 2, 3])); // [ 1, 4, 9 ]
 *   pool.close();
 *   await pool.join();
 * }
 */
export function isMain(): boolean {
  if (arguments.length > 0) throw tooManyArguments('isMain', arguments.length);
  return getWorkerIdentity() === undefined && threads().isMainThread;
}

/**
 * The number of CPUs the program may use. Python: `multiprocessing.cpu_count()`.
 * @example
 * const pool = new Pool({ processes: Math.max(1, cpuCount() - 1) });
 */
export function cpuCount(): number {
  if (arguments.length > 0) throw tooManyArguments('cpuCount', arguments.length);
  return process.getBuiltinModule('node:os').availableParallelism();
}

// A name given with `currentProcess().name = ...`, per realm (thread) like the identity: on
// globalThis, as the pool worker entry carries its own copy of this module.
const NAME_KEY = Symbol.for('multiproc.processName');

/** What `currentProcess().name` reads in this realm (internal). */
export function ownName(): string {
  const renamed = (globalThis as any)[NAME_KEY];
  if (typeof renamed === 'string') return renamed;
  return (
    getWorkerIdentity()?.name ?? (threads().isMainThread ? 'MainProcess' : `Thread-${threads().threadId}`)
  );
}

/** The name a worker this realm starts reports as its parent's: as read now (internal). */
export function nameForChildren(): string {
  const renamed = (globalThis as any)[NAME_KEY];
  return typeof renamed === 'string' ? renamed : (getWorkerIdentity()?.name ?? 'MainProcess');
}

// `currentProcess().daemon = true` in the main program, per realm (Python allows it there; the
// program may then start no workers). On globalThis, as the name above.
const DAEMON_KEY = Symbol.for('multiproc.mainDaemon');

/** Whether the main program made itself a daemon with `currentProcess().daemon = true` (internal). */
export function mainIsDaemon(): boolean {
  return (globalThis as any)[DAEMON_KEY] === true;
}

function setOwnDaemon(daemon: unknown): void {
  const me = getWorkerIdentity();
  if (me) {
    // Python: `AssertionError: process has already started` (a worker's Process has started).
    throw new ProcessError(
      `currentProcess().daemon cannot be set in ${me.name}: the process has already started (Python: ` +
        'AssertionError). Set daemon before start(): new Process({ target, daemon }).',
    );
  }
  if (typeof daemon !== 'boolean') {
    throw new ValidationError(`currentProcess().daemon must be true or false, got ${describeValue(daemon)}.`);
  }
  (globalThis as any)[DAEMON_KEY] = daemon;
}

function setOwnName(name: unknown): void {
  if (typeof name !== 'string') {
    throw new ValidationError(
      `currentProcess().name must be a string, got ${describeValue(name)} (Python: name must be a string).`,
    );
  }
  (globalThis as any)[NAME_KEY] = name;
}

/** What {@link currentProcess} describes. Python: the `Process` object `current_process()` returns. */
export interface ProcessInfo {
  /**
   * `'MainProcess'` in the main program; the `Process`'s or pool worker's name in a worker.
   * Assignable, as in Python (`currentProcess().name = 'worker-a'`, a logging idiom): every later
   * `currentProcess().name` in this process (or worker thread) reads it, and workers it starts
   * after report it as their `parentProcess().name`. The `Process` object in the parent keeps its
   * own name. Assigning anything but a string throws `ValidationError` (Python: an `AssertionError`).
   */
  name: string;
  /** The OS process id (for a thread, the pid of the process hosting it). */
  readonly pid: number;
  /** Alias of {@link ProcessInfo.pid}, as in Python. */
  readonly ident: number;
  /** The worker thread's id, `0` in a process's main thread. */
  readonly threadId: number;
  /**
   * Whether it is a daemon: ended when its parent exits. Assignable in the main program only, as in
   * Python (`currentProcess().daemon = true`): a daemon may not have children, so creating a
   * `Process` or `Pool` there then throws `ContextError`. Assigning it in a worker throws
   * `ProcessError` (Python: `AssertionError`, "process has already started"); assigning anything but
   * a boolean throws `ValidationError`.
   */
  daemon: boolean;
  /** Always `null`: the code asking is still running. Python: `exitcode`. */
  readonly exitCode: null;
  /** Always `true`: the code asking is still running. Python: `is_alive()`. */
  isAlive(): boolean;
  /**
   * The program's authentication key (32 random bytes in the main program, inherited by every worker
   * multiproc starts): the default `authkey` of managers. Reading gives a copy; assigning a non-empty
   * string or Uint8Array replaces it for this program and the workers it starts after (throws
   * `ValidationError` otherwise). Same as `processAuthkey()`/`setProcessAuthkey()` of
   * `@multiproc/ipc`. Python: `current_process().authkey`.
   */
  authkey: Uint8Array;
}

/** What {@link parentProcess} describes. Python: the object `parent_process()` returns. */
export interface ParentProcessInfo {
  /** The parent's OS process id (for a thread started by a thread, the hosting process's). */
  readonly pid: number;
  /** Alias of {@link ParentProcessInfo.pid}, as in Python. */
  readonly ident: number;
  /** The parent's name: `'MainProcess'`, or the worker that started this one. */
  readonly name: string;
  /**
   * Whether the parent still runs. A worker thread's parent always does while the worker runs (a
   * thread ends with its parent); a child process's parent does while it is still the child's OS
   * parent, and a child is ended when its parent ends without joining it (terminated, killed,
   * crashed), so this reads `true` for as long as the worker runs, where Python's orphan sees
   * `False`. Python: `is_alive()`.
   */
  isAlive(): boolean;
}

const alive = (): boolean => true;

/**
 * Describes the process (or worker thread) this code runs in. Python: `current_process()`.
 * Its `name` and `authkey` can be assigned (see {@link ProcessInfo}).
 * @throws {ValidationError} from assigning `name` anything but a string, or `daemon` anything but a
 *   boolean.
 * @throws {ProcessError} from assigning `daemon` in a worker (it has started; Python: `AssertionError`),
 *   and from its hidden `start()`, `join()`, `terminate()`, `kill()` and `close()`, which a `Process`
 *   has: this one is the code's own (Python's `join()` raises "can only join a child process").
 * @example
 * const me = currentProcess();
 * console.log(me.name, me.isAlive(), me.exitCode); // 'MainProcess' true null
 * console.log(me.authkey.length); // 32
 * currentProcess().name = 'worker-a';
 * console.log(currentProcess().name); // 'worker-a'
 */
export function currentProcess(): ProcessInfo {
  if (arguments.length > 0) throw tooManyArguments('currentProcess', arguments.length);
  const me = getWorkerIdentity();
  const info: ProcessInfo = {
    get name(): string {
      return ownName();
    },
    set name(name: string) {
      setOwnName(name);
    },
    pid: process.pid,
    ident: process.pid,
    threadId: threads().threadId,
    get daemon(): boolean {
      return me?.daemon ?? mainIsDaemon();
    },
    set daemon(daemon: boolean) {
      setOwnDaemon(daemon);
    },
    exitCode: null,
    isAlive: alive,
    get authkey(): Uint8Array {
      return processAuthkey();
    },
    set authkey(key: Uint8Array) {
      setProcessAuthkey(key);
    },
  };
  // As on a Process: Python's spellings name ours (hidden, not enumerable).
  definePythonNames(info, { is_alive: 'isAlive()', exitcode: 'exitCode' });
  // Python's current_process() is a Process whose start() and join() refuse (AssertionError): here
  // they, terminate(), kill() and close() throw saying why, rather than a TypeError (hidden too).
  for (const [method, why] of OWN_PROCESS_REFUSALS) {
    Object.defineProperty(info, method, {
      value: () => {
        throw new ProcessError(
          `currentProcess().${method}(): ${ownName()} is the process or worker this code runs in, not one ` +
            `it started: ${why} Call ${method}() on the Process objects this code started (activeChildren() lists them).`,
        );
      },
    });
  }
  return info;
}

const OWN_PROCESS_REFUSALS: readonly (readonly [string, string])[] = [
  ['start', "it is already running (Python: AssertionError 'cannot start a process twice')."],
  ['join', "it cannot wait for its own end (Python: AssertionError 'can only join a child process')."],
  ['terminate', 'to end it, return from it (or call process.exit(code)).'],
  ['kill', 'to end it, return from it (or call process.exit(code)).'],
  ['close', 'it is running, and what it holds is freed when it ends.'],
];

/**
 * The parent of this worker, or `null` in the main program. Python: `parent_process()`. Its
 * enumerable fields are `{ pid, name }`, so it structured-clones (a task may return it); `ident`
 * and `isAlive()` are there too, not enumerable.
 * @example
 * const parent = parentProcess(); // in a worker
 * if (parent) console.log(parent.name, parent.pid, parent.isAlive()); // 'MainProcess' 1234 true
 */
export function parentProcess(): ParentProcessInfo | null {
  if (arguments.length > 0) throw tooManyArguments('parentProcess', arguments.length);
  const parent = getWorkerIdentity()?.parent;
  if (!parent) return null;
  const { pid, name } = parent;
  // In a child process, the parent is the process that forked it: once that ends, ppid changes.
  const hosted = pid === process.pid;
  // `ident` and `isAlive()` are not enumerable: the object is `{ pid, name }` data to structured
  // clone, so a task may return it (a function field could not be sent).
  const info = { pid, name } as ParentProcessInfo;
  Object.defineProperties(info, {
    ident: { value: pid },
    isAlive: { value: () => hosted || process.ppid === pid },
  });
  definePythonNames(info, { is_alive: 'isAlive()' });
  return info;
}
