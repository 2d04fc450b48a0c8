/**
 * `Process`: one target run in a worker thread ('thread' context) or a child process ('process'
 * context). Mirrors Python's `multiprocessing.Process`, with Promises for the waiting calls.
 */

import { processAuthkey, type WaitReadiness, waitable } from '@multiproc/ipc';
import { ClosedError, ProcessError, resolveTimeout, type Timeout } from '@multiproc/shared';
import { authkeyBytes, getWorkerIdentity } from './identity.js';
import { tooManyArguments } from './internal/arity.js';
import { assertMayStartWorkers } from './internal/bootstrap.js';
import { withProcessCallerStack } from './internal/caller-stack.js';
import { refuseToSend } from './internal/host-bound.js';
import { type Inspect, inspectSymbol } from './internal/inspect.js';
import { assertPermitted } from './internal/permission.js';
import { checkedSetting, checkTarget } from './internal/process-checks.js';
import { launchProcess } from './internal/process-launch.js';
import { processRepr, type ReprState, showProcess } from './internal/process-repr.js';
import { assertRuntimeSupports } from './internal/runtime.js';
import { StartedProcess } from './internal/started-process.js';
import { type ContextName, parseOptions } from './options.js';
import { type CheckedProcessOptions, processOptionsQuick, processOptionsSchema } from './process-options.js';
import { ProcessSentinel } from './process-sentinel.js';
import { getStartMethod } from './start-method.js';
import type { TaskFunction, TaskRef } from './task.js';

export type { CheckedProcessOptions, ProcessOptions } from './process-options.js';

type State = 'initial' | 'started' | 'stopped' | 'closed';

let childCounter = 0;
const liveChildren = new Set<Process>();
// Asked by @multiproc/shared when the main thread's loop runs dry with a lock or event wait
// pending: a live child (a daemon thread is unref'd) may still release it, so it waits on.
(globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.threadsAlive')] = () => liveChildren.size > 0;
// Asked by a pool worker that is ending in order (its pool's join(), a retirement, an idle timeout):
// the non-daemon Processes its tasks started keep it alive until they end (worker/join-children.ts).
(globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.nonDaemonChildren')] = (): Process[] =>
  [...liveChildren].filter((child) => !child.daemon);

/**
 * The `Process` objects this program started that are still running. Python: `active_children()`.
 * @example
 * import { activeChildren, defineTasks, isMain, Process } from '@multiproc/core';
 * export const tasks = defineTasks(import.meta.url, {
 *   nap: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
 * });
 * if (isMain()) {
 *   const p = new Process({ target: tasks.nap, args: [100] });
 *   p.start();
 *   console.log(activeChildren().length); // 1
 *   await p.join();
 *   console.log(activeChildren().length); // 0
 * }
 */
export function activeChildren(): Process[] {
  if (arguments.length > 0) throw tooManyArguments('activeChildren', arguments.length);
  return [...liveChildren];
}

/**
 * Runs a task in a worker thread or a child process. Mirrors Python's `multiprocessing.Process`.
 * Its worker ends once its target has returned or thrown (exit code 1, the error printed at once)
 * and the non-daemon Processes the target started have ended, as Python joins them. A target that
 * calls `process.exit()` ends them at once instead, daemon or not: Node runs nothing asynchronous
 * after it, so nothing can wait for them (`await child.join()` before calling it).
 * @throws {ValidationError} from the constructor for bad options, for a missing `target`, and for a
 * subclass that overrides `run()` (move its body into a task and pass that as `target`).
 * @throws {ContextError} from the constructor for a context this runtime cannot run (Bun, Deno).
 * @throws {WorkerEntryNotFoundError} from `start()` when the worker entry is missing (a bundled app).
 * @throws {WorkerStartError} when the system refuses the worker (`EAGAIN`: too many processes or
 * threads for this user): from `start()` when Node refuses at once (a thread it cannot create),
 * else from `join()`, which then rejects every time, with `exitCode` 1.
 * @example
 * const p = new Process({ target: tasks.greet, args: ['bob'] });
 * p.start();
 * await p.join();
 * console.log(p.exitCode); // 0
 */
export class Process<F extends TaskFunction = TaskFunction> {
  #name: string;
  #daemon: boolean;
  #authkey: Uint8Array = processAuthkey();
  readonly #context: ContextName;
  readonly #target: TaskRef<F>;
  readonly #args: unknown[];
  readonly #identity: number[];
  #state: State = 'initial';
  #started: StartedProcess | undefined;
  #sentinel: ProcessSentinel | undefined;

  constructor(options: CheckedProcessOptions<F>) {
    if (arguments.length > 1) throw tooManyArguments('new Process', arguments.length);
    checkTarget(this, options);
    const opts = parseOptions(processOptionsSchema, options, 'Process', processOptionsQuick);
    this.#target = opts.target as TaskRef<F>;
    this.#args = opts.args ?? [];
    this.#context = opts.context ?? getStartMethod();
    assertRuntimeSupports('Process', this.#context);
    this.#identity = [...(getWorkerIdentity()?.identity ?? []), ++childCounter];
    this.#name = opts.name || `Process-${this.#identity.join(':')}`; // '' too, as Python's `name or ...`
    this.#daemon = opts.daemon ?? getWorkerIdentity()?.daemon ?? false;
  }

  /** The name shown in logs and by `currentProcess().name` inside the worker. */
  get name(): string {
    return this.#name;
  }
  /**
   * Renames it, before or after `start()`, as in Python; a worker already started keeps reporting
   * the name it started with (it can rename itself with `currentProcess().name = ...`).
   * @throws {ValidationError} for anything but a string (Python: an `AssertionError`).
   */
  set name(value: string) {
    this.#name = checkedSetting('name', value);
  }

  /** Whether the process is ended when its parent exits. Set it before `start()`. */
  get daemon(): boolean {
    return this.#daemon;
  }
  /**
   * Makes it a daemon or not, before `start()`, as in Python.
   * @throws {ValidationError} for anything but `true` or `false`, as the `daemon` option does.
   * @throws {ProcessError} after `start()`.
   */
  set daemon(value: boolean) {
    checkedSetting('daemon', value);
    if (this.#state !== 'initial') throw new ProcessError('daemon can only be set before start().');
    this.#daemon = value;
  }

  /**
   * The key its worker gets as `currentProcess().authkey`: this program's key when the `Process` was
   * made, unless assigned before `start()` (reading gives a copy). Python: `authkey`.
   */
  get authkey(): Uint8Array {
    return this.#authkey.slice();
  }
  /** Gives its worker this key (a string or bytes). @throws {ValidationError} for an empty key or another type. */
  set authkey(key: string | Uint8Array) {
    this.#authkey = authkeyBytes(key, 'Process authkey');
  }

  /** The context this process runs in. */
  get context(): ContextName {
    return this.#context;
  }

  /** The OS process id (thread context: the hosting process's pid), or `null` before `start()`. */
  get pid(): number | null {
    this.#checkOpen();
    return this.#started?.runner.pid ?? null;
  }

  /** Alias of {@link pid}, as in Python. */
  get ident(): number | null {
    return this.pid;
  }

  /** The worker thread's id in thread context, else `null`. */
  get threadId(): number | null {
    this.#checkOpen();
    return this.#started?.runner.threadId ?? null;
  }

  /**
   * `null` while running or before start; then 0, 1 (target threw), the `process.exit()` code, 13
   * (the target's promise, or the task module's top-level await, never settled and nothing else was
   * pending), or -N for signal N. Set when the worker itself exits, even while a program a child
   * started still holds the child's stdout or stderr.
   */
  get exitCode(): number | null {
    this.#checkOpen();
    return this.#started?.exit?.exitCode ?? null;
  }

  /**
   * Starts the worker and returns at once.
   * @throws {ProcessError} when already started. {@link SerializationError} for an argument that cannot be sent.
   * {@link ContextError} under Node's permission model without `--allow-worker` (`'thread'`) or
   * `--allow-child-process` (`'process'`), for shared memory sent to a `'process'` context, and when called at the top
   * level of a module a worker is importing (the missing `if (isMain())` guard).
   * {@link WorkerStartError} when Node cannot create the thread or process at once (the process stays
   * unstarted, so `start()` may be called again); a refusal Node reports later (a child process's
   * `EAGAIN`) comes from `join()` instead (Python raises `OSError` from `start()` in both cases).
   */
  start(): void {
    if (arguments.length > 0) throw tooManyArguments('Process.start', arguments.length);
    this.#checkOpen();
    if (this.#state !== 'initial') throw new ProcessError(`${this.#name} cannot be started twice.`);
    assertMayStartWorkers('a Process');
    assertPermitted('a Process', this.#context);
    const launched = launchProcess({
      target: this.#target,
      args: this.#args,
      context: this.#context,
      name: this.#name,
      identity: this.#identity,
      daemon: this.#daemon,
      authkey: this.#authkey,
    });
    this.#started = new StartedProcess(launched, this.#name, this.#daemon, () => {
      if (this.#state === 'started') this.#state = 'stopped';
      liveChildren.delete(this);
    });
    this.#state = 'started';
    liveChildren.add(this);
  }

  /**
   * Waits until the process ends, or until the timeout passes (then `exitCode` is still `null`).
   * A child process has ended when it exits, after the output it wrote was forwarded, even while a
   * program it started still holds its stdout or stderr. Python: `join(timeout)`.
   * @param timeoutMs a number of ms or `{ timeout }`; nothing waits until the end; a negative one
   *   does not wait, as in Python.
   * @throws {ProcessError} when the process was never started.
   * @throws {WorkerStartError} when the worker could not start (see `start()`); `exitCode` is then 1,
   *   or, for a child that died before Node ran any of its JavaScript (SIGABRT under a process
   *   limit, 9 for an option in `NODE_OPTIONS` Node refuses), the code it ended with (`-6`, `9`).
   *   A child killed by a signal sent from outside (`process.kill(p.pid)`, Ctrl-C to its group:
   *   any signal but those of a failed boot, SIGABRT, SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE,
   *   SIGSYS, SIGXCPU, SIGXFSZ) did not fail to start, even before it was ready: `join()` resolves
   *   and `exitCode` is `-N`. Its `stack` ends with the frames of the code that awaited `join()`,
   *   below `Where the Process call was awaited:` (the error is born in the child's events).
   * @throws {ValidationError} for a timeout in another form.
   */
  async join(timeoutMs?: Timeout): Promise<void> {
    if (arguments.length > 1) throw tooManyArguments('Process.join', arguments.length);
    const ms = resolveTimeout(timeoutMs, 'Process.join()', { negativeIsZero: true }).timeoutMs;
    this.#checkOpen();
    if (!this.#started) throw new ProcessError(`${this.#name} cannot be joined before start().`);
    // An error born in the worker's events gains the frames of the code awaiting join() (caller-stack.ts).
    await this.#started.join(ms).catch(withProcessCallerStack);
  }

  /**
   * A handle that `wait()` from `@multiproc/ipc` reports ready once this process has ended, the
   * same object on every read. Python: `sentinel`. `wait()` also takes the `Process` itself.
   * @throws {ProcessError} before `start()` (Python raises `ValueError`).
   * @throws {ClosedError} after `close()`.
   * @example
   * import { defineTasks, isMain, Pipe, Process, wait } from '@multiproc/multiproc';
   * export const tasks = defineTasks(import.meta.url, {
   *   nap: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
   * });
   * if (isMain()) {
   *   const [conn, other] = Pipe();
   *   const p = new Process({ target: tasks.nap, args: [50] });
   *   p.start();
   *   const ready = await wait([conn, p.sentinel]); // nothing is sent on conn
   *   if (ready.includes(p.sentinel)) console.log('ended', p.exitCode); // ended 0
   *   conn.close();
   *   other.close();
   * }
   */
  get sentinel(): ProcessSentinel {
    this.#checkOpen();
    const started = this.#started;
    if (!started) throw new ProcessError(`${this.#name} has no sentinel before start().`);
    this.#sentinel ??= new ProcessSentinel(
      this.#name,
      () => started.exit !== undefined,
      started.runner.exited,
    );
    return this.#sentinel;
  }

  /** Lets `wait()` take the Process itself: ready once it has ended (see `sentinel`). */
  [waitable](): WaitReadiness {
    return this.sentinel[waitable]();
  }

  /** Whether the process has started and not yet ended. */
  isAlive(): boolean {
    if (arguments.length > 0) throw tooManyArguments('Process.isAlive', arguments.length);
    this.#checkOpen();
    return this.#state === 'started' && this.#started?.exit === undefined;
  }

  /**
   * Stops the process and resolves once it has ended. Python: `terminate()` (which returns at once;
   * `await` it here to know it has ended). A child gets SIGTERM and `exitCode` becomes -15; one
   * that handles SIGTERM and is still running 1000 ms later is killed
   * with SIGKILL (`exitCode` -9), the pool's forced path, so this never hangs. A child that exits
   * by itself within the grace keeps its own exit code (0 after a SIGTERM handler's clean exit).
   * A thread is stopped with `worker.terminate()`, which code cannot ignore; `exitCode` -15. One
   * blocked in native code (a synchronous child process, a blocking read) stops only once that
   * call returns: after 2000 ms this resolves with it still alive (`exitCode` null), and `join()`
   * waits for its end. Does nothing once the process has ended.
   * @throws {ProcessError} (a rejection) before `start()`: nothing to stop yet, as in Python.
   * @throws {ClosedError} after `close()`.
   * @example
   * const p = new Process({ target: tasks.serve, context: 'process' });
   * p.start();
   * await p.terminate();
   * console.log(p.exitCode); // -15 (or -9 if it ignored SIGTERM for 1 s)
   */
  async terminate(): Promise<void> {
    if (arguments.length > 0) throw tooManyArguments('Process.terminate', arguments.length);
    await this.#startedFor('terminate()').terminate().catch(withProcessCallerStack);
  }

  /** SIGKILL for a child, `worker.terminate()` for a thread; `exitCode` -9. @throws {ProcessError} before `start()`. */
  kill(): void {
    if (arguments.length > 0) throw tooManyArguments('Process.kill', arguments.length);
    this.#startedFor('kill()').kill();
  }

  /**
   * Sends SIGINT to the process, as Ctrl-C would, and returns at once. Python: `interrupt()` (3.14).
   * A child without a `process.on('SIGINT')` listener dies of it: `exitCode` becomes -2 (Python's
   * child raises `KeyboardInterrupt` and exits with 1, or gets -2 under `SIG_DFL`). A child whose
   * target listens for SIGINT runs its listener and carries on, as a Python child that handles it:
   * the listener decides if and how it ends (`process.exit(0)`: `exitCode` 0), and nothing forces
   * it later (`await p.terminate()` does). A listener counts only once the target has installed
   * it: sent before, SIGINT ends the child. A thread gets no signals (Node delivers them to the
   * main thread only; a thread's SIGINT listener never runs): it is stopped as `terminate()` stops
   * it, `exitCode` -2. Does nothing once it has ended.
   * @throws {ProcessError} before `start()`, as `terminate()`: there is nothing to interrupt yet.
   * @throws {ClosedError} after `close()`.
   * @example
   * import { defineTasks, isMain, Process } from '@multiproc/core';
   * export const tasks = defineTasks(import.meta.url, {
   *   nap: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
   * });
   * if (isMain()) {
   *   const p = new Process({ target: tasks.nap, args: [60_000], context: 'process' });
   *   p.start();
   *   p.interrupt();
   *   await p.join();
   *   console.log(p.exitCode); // -2
   * }
   */
  interrupt(): void {
    if (arguments.length > 0) throw tooManyArguments('Process.interrupt', arguments.length);
    this.#startedFor('interrupt()').interrupt();
  }

  /**
   * Frees the process object. Every later call throws `ClosedError`.
   * @throws {ProcessError} when the process is still running.
   */
  close(): void {
    if (arguments.length > 0) throw tooManyArguments('Process.close', arguments.length);
    if (this.#state === 'closed') return;
    if (this.#started && !this.#started.exit) {
      throw new ProcessError(
        `Cannot close ${this.#name} while it is running: join() or terminate() it first.`,
      );
    }
    this.#state = 'closed';
  }

  /**
   * A one-line description with Python's repr fields: name, pid once started, the parent's pid
   * (this program's), the state (`initial`, `started`, `stopped`, `closed`), the exit code once
   * stopped (a signal's name for a death by signal, as Python's `exitcode=SIGTERM`), and `daemon`.
   * @example
   * const p = new Process({ target: tasks.greet, args: ['bob'], name: 'greeter' });
   * console.log(String(p) === `<Process name='greeter' parent=${process.pid} initial>`); // true
   * p.start();
   * await p.join();
   * console.log(String(p)); // <Process name='greeter' pid=4243 parent=4242 stopped exitCode=0> with real pids
   */
  toString(): string {
    return processRepr(this.#repr());
  }

  /**
   * What `console.log(p)` shows: `Process { name: 'Process-1', pid: 4242, exitCode: null, alive: true }`
   * (`closed: true` instead once closed). Python: the repr `<Process name='Process-1' pid=4242 started>`.
   * @throws Nothing: it reads the state without the checks of `pid` and `exitCode`, also after `close()`.
   * @example
   * const p = new Process({ target: tasks.greet, args: ['bob'], name: 'greeter' });
   * console.log(p); // Process { name: 'greeter', pid: null, exitCode: null, alive: false }
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    return showProcess(this.#repr(), options, inspect);
  }

  #repr(): ReprState {
    return { name: this.#name, state: this.#state, started: this.#started, daemon: this.#daemon };
  }

  /** The started worker `method` stops; before start() a ProcessError, as Python's (`_popen` is None). */
  #startedFor(method: string): StartedProcess {
    this.#checkOpen();
    if (this.#started) return this.#started;
    throw new ProcessError(
      `${this.#name}.${method}: it was never started, nothing to stop: call start() first.`,
    );
  }

  #checkOpen(): void {
    if (this.#state === 'closed')
      throw new ClosedError(`${this.#name} is closed: read what you need (exitCode, pid) before close().`);
  }
}
refuseToSend(Process.prototype, 'Process');
