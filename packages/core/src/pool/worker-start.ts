/**
 * How a pool's workers are started, around tinypool 2.2: their environment, the guard that turns a
 * worker the system refused into a worker that fails, and the delay before the pool tries again.
 *
 * tinypool creates a worker synchronously inside `run()`, its constructor and its own error
 * handlers; a `new Worker()` that throws there (`ERR_WORKER_INIT_FAILED`, `EAGAIN` under
 * RLIMIT_NPROC) escaped from those handlers, or left tasks that never settled. Once the pool has
 * seen one worker, {@link guardWorkerStarts} wraps its runtime's `initialize()`: a creation that
 * throws leaves a stand-in that reports the error as an `'error'` on the next tick, the way Node
 * reports a child process it could not spawn, so every refused start takes one path: a worker that
 * fails before it is ready (`tinypool.ts`).
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { MAX_TIMEOUT_MS } from '@multiproc/shared';
import type { Options as TinypoolOptions } from 'tinypool';
import { inheritedAuthkey, ownName } from '../identity.js';
import { childDepth } from '../internal/bootstrap.js';
import { type ChildOutput, forwardChildOutput } from '../internal/output.js';
import { reapedEnv, reapWithProgram } from '../internal/reaper.js';
import { childExecArgv, threadExecArgv, workerArgv, workerEnv } from '../internal/start-args.js';
import { boundedYoungGeneration } from '../internal/thread-heap.js';
import { threadResourceLimits } from '../internal/thread-stack.js';
import { BUNDLED_ENTRY_NAMES } from '../internal/worker-entries.js';
import { POOL_DIRECT_ENV, writesOutputDirectly } from '../worker/direct-output.js';
import { StartQueue } from './start-queue.js';
import { unrefNextWorkerPort } from './starting-port.js';

export { workerPort } from './starting-port.js';

import type { AdapterConfig } from './tinypool.js';

/** After a refused start, the pool waits this long before it starts a worker again (ms)... */
export const START_RETRY_MS = 100;
/** ...doubling after each refusal in a row, up to this (ms). */
export const START_RETRY_MAX_MS = 5000;

/** After a worker killed from outside as it started, the pool waits this long before the next (ms)... */
export const OUTSIDE_RETRY_MS = 50;
/** ...doubling after each such kill in a row, up to this (ms): an out-of-memory killer's loop does not spin. */
export const OUTSIDE_RETRY_MAX_MS = 1000;

/** The delay before the next start, after `kills` workers in a row were killed from outside as they started. */
export function outsideRetryDelay(kills: number): number {
  return Math.min(OUTSIDE_RETRY_MS * 2 ** Math.max(0, kills - 1), OUTSIDE_RETRY_MAX_MS);
}

/** The delay before the next start, after `failures` refused starts in a row. */
export function startRetryDelay(failures: number): number {
  return Math.min(START_RETRY_MS * 2 ** Math.max(0, failures - 1), START_RETRY_MAX_MS);
}

// `Symbol.for`: one wrapper per tinypool worker class, also with two copies of this package (below).
const GUARDED = Symbol.for('multiproc.guardedInitialize');

type RuntimeWorker = {
  runtime?: string;
  initialize?: (options: unknown) => void;
  thread?: unknown;
  threadId?: number | undefined;
  process?: unknown;
  waitForExit?: Promise<unknown>;
  once?: (event: string, listener: (...args: unknown[]) => void) => unknown;
};

interface StartState {
  // Per pool (its env object, made once per pool by `poolEnv`): the workers it started so far.
  readonly started: WeakMap<object, number>;
  // Per pool (the same key): makes the env of a worker starting now (see `numbered`).
  readonly current: WeakMap<object, () => Record<string, string>>;
  // Per thread pool (the same key): its entry, which its threads start with (see `startThread`).
  readonly threadEntries: WeakMap<object, URL>;
  // The runtimes ('worker_threads', 'child_process') whose tinypool worker class is wrapped: every
  // worker of theirs starts with the env `numbered` makes (see `envOf`).
  readonly guardedRuntimes: Set<string | undefined>;
}
// On globalThis: two copies of this package in one program (a dependency with its own) share
// tinypool's worker classes, which one of them wraps; a pool of the other passed its env key to a
// wrapper that did not know it, and its workers started with an empty env.
const STATE_KEY = Symbol.for('multiproc.workerStarts');
const state: StartState = ((globalThis as { [STATE_KEY]?: StartState })[STATE_KEY] ??= {
  started: new WeakMap(),
  current: new WeakMap(),
  threadEntries: new WeakMap(),
  guardedRuntimes: new Set(),
});
const { started, current, threadEntries, guardedRuntimes } = state;

/**
 * Wraps the `initialize()` of `worker`'s class (once per class) so a refused creation never throws,
 * and its `once()` so a worker's error never throws out of tinypool's `destroy()` (see below).
 * `env` and `existing`: the pool's env and how many workers it has: the first workers of a class
 * started before it was wrapped, numbered by tinypool's ids (1, 2, ...), so the count goes on.
 */
export function guardWorkerStarts(worker: object, env?: object, existing = 0): void {
  const proto = Object.getPrototypeOf(worker) as RuntimeWorker & { [GUARDED]?: true };
  const initialize = proto?.initialize;
  if (!proto || proto[GUARDED] || typeof initialize !== 'function') return;
  proto[GUARDED] = true;
  guardedRuntimes.add((worker as RuntimeWorker).runtime);
  if (env) started.set(env, Math.max(started.get(env) ?? 0, existing));
  proto.initialize = function (this: RuntimeWorker, options: unknown) {
    try {
      const entry = this.runtime === 'worker_threads' ? threadEntries.get(envKey(options)) : undefined;
      if (entry) startThread(this, entry, numbered(options));
      else initialize.call(this, numbered(options));
    } catch (error) {
      standIn(this, error);
    }
    unrefNextWorkerPort(this);
  };
  // tinypool's destroy() waits for each worker's 'exit' with `events.once()`, which also listens
  // for 'error' and then calls `removeListener()`, which tinypool's worker classes lack: a worker
  // that failed while the pool was being joined (a thread dying as it loads) threw a TypeError out
  // of Node's event code and ended the program. The pool watches errors itself (`watch-worker.ts`),
  // and a thread's or child's 'exit' follows its error: destroy() waits for that alone.
  const once = proto.once;
  if (typeof once === 'function') {
    proto.once = function (this: RuntimeWorker, event, listener) {
      return event === 'error' ? this : once.call(this, event, listener);
    };
  }
}

/**
 * Starts a pool thread with the pool entry as its main module, as tinypool's `ThreadWorker`
 * starts it with its own entry (`initialize()`: the thread and its id): the pool entry then speaks
 * tinypool's protocol itself (`worker/thread-serve.ts`), one module graph instead of two (issue 18).
 */
function startThread(worker: RuntimeWorker, entry: URL, options: unknown): void {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const thread = new Worker(entry, options as ConstructorParameters<typeof Worker>[1]);
  worker.thread = thread;
  worker.threadId = thread.threadId;
}

function envKey(options: unknown): object {
  return (options as { env?: object } | null)?.env ?? {};
}

/**
 * `options` of a new worker with its number in the pool in its env (`MULTIPROC_POOL_WORKER`):
 * 1, 2, 3, ... never repeated, also for a worker that replaces another (Python numbers pool workers
 * so: `ForkPoolWorker-3`). tinypool's own worker id is its slot, which a replacement reuses. The
 * env is the program's as it is now, not as it was when the pool was made: a worker started later
 * (a replacement, one started on demand) sees what the program set since, as a Python pool worker
 * forked or spawned later does.
 */
function numbered(options: unknown): unknown {
  const env = (options as { env?: Record<string, string> } | null)?.env;
  if (typeof env !== 'object' || env === null) return options;
  const n = (started.get(env) ?? 0) + 1;
  started.set(env, n);
  // A fresh object of this start's own (see `envOf`): no further copy of the program's env.
  const now = current.get(env)?.() ?? { ...env };
  now.MULTIPROC_POOL_WORKER = String(n);
  return { ...(options as object), env: now };
}

/** Gives `worker` a thread or child that never ran and reports `error` on the next tick. */
function standIn(worker: RuntimeWorker, error: unknown): void {
  const handle = Object.assign(new EventEmitter(), {
    threadId: -1,
    pid: undefined,
    stdout: null,
    stderr: null,
    connected: false,
    exitCode: null,
    signalCode: null,
    postMessage() {},
    send: () => false,
    kill: () => false,
    ref() {},
    unref() {},
    terminate: () => Promise.resolve(1),
  });
  const threads = worker.runtime === 'worker_threads';
  if (threads) {
    worker.thread = handle;
    worker.threadId = -1;
  } else {
    worker.process = handle;
    worker.threadId = undefined;
    worker.waitForExit = Promise.resolve();
  }
  process.nextTick(() => {
    handle.emit('error', error);
    // A thread that fails to start also exits (Node's order); a child that failed to spawn does not.
    if (threads) handle.emit('exit', 1);
  });
}

/**
 * The environment of a pool's workers: the program's, plus who their parent is, plus (children
 * only) the reaper's variable, so a child skips its watchdog thread and a second V8 isolate at
 * start-up, as a `Process` child does (`internal/reaper.ts`). A new object each call, which the
 * caller may add to: `process.env` is read once (each read of it costs ~50 µs, issue #18).
 */
export function poolEnv(threads: boolean): Record<string, string> {
  const env = {
    ...(process.env as Record<string, string>),
    MULTIPROC_POOL_PARENT: JSON.stringify({
      pid: process.pid,
      // currentProcess()'s name and threadId, read without making its object (issue #18).
      name: ownName(),
      depth: childDepth(),
      // The thread the pool's tasks come from (pool-entry.ts: its manager connections say so).
      thread: process.getBuiltinModule('node:worker_threads').threadId,
      // The worker's currentProcess().authkey; pool-entry.ts takes it out of the environment.
      authkey: inheritedAuthkey(),
    }),
  };
  return workerEnv(threads ? env : (reapedEnv(env) as Record<string, string>));
}

/**
 * A pool's env (the key of its workers' count), whose workers get `poolEnv()` as it is when each
 * starts, and (threads) whether they write to the descriptors directly: the verdict of the pool's
 * making, for every thread it starts (`worker/direct-output.ts`).
 */
function envOf(threads: boolean, direct: boolean): Record<string, string> {
  const make = (): Record<string, string> => {
    const env = poolEnv(threads);
    if (threads) env[POOL_DIRECT_ENV] = direct ? '1' : '0';
    return env;
  };
  // tinypool hands this object to each worker it starts; once its worker class is wrapped, `numbered`
  // makes each worker's env as the worker starts, and this one is only the pool's key: the
  // program's env is not read for it (issue #18: `new Pool()` to its first thread).
  const env = guardedRuntimes.has(threads ? 'worker_threads' : 'child_process') ? {} : make();
  current.set(env, make);
  return env;
}

/** Whether terminating a thread that is still importing modules leaks a file descriptor (Node 20). */
export const LOADER_LEAKS_FDS = Number(process.versions.node.split('.')[0]) < 22;
/**
 * How long a pool waits for a starting thread to load before it terminates it anyway (ms): a
 * thread's start took over 2 s on a loaded 2-core machine, and was then cut mid-load.
 */
export const LOADING_MS = 5000;

/** Resolves once `thread` says it is ready (its modules are loaded) or exits. */
export function loadedOrExited(thread: Worker): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { ready?: unknown }) => {
      if (message?.ready === true) done();
    };
    const done = () => {
      thread.off('message', onMessage);
      thread.off('exit', done);
      resolve();
    };
    thread.on('message', onMessage);
    thread.once('exit', done);
  });
}

/**
 * Takes over a pool child's life, input and output as soon as the adapter sees it (in the turn
 * tinypool forked it): closes its stdin, lists it with the program's reaper (it was forked without
 * a watchdog thread of its own, see {@link poolEnv}), and forwards its output whole-line to the end. tinypool pipes a
 * child's output and unpipes it as soon as the child has exited, before its pipes are read to the
 * end, so its last lines were lost. `onOutOfMemory`: V8's out-of-memory message crossed its stderr;
 * `onStderr` sees its stderr text. Returns its forwarded output (none for a stand-in without
 * pipes), whose `childExited()` is for the child's 'exit'.
 */
export function adoptChild(
  child: ChildProcess,
  onOutOfMemory?: () => void,
  onStderr?: (text: string) => void,
): ChildOutput | undefined {
  reapWithProgram(child);
  // tinypool forks with `stdio: 'pipe'`: the child's stdin is a pipe nobody writes to or closes,
  // so a task reading it waited forever. Closed here, it reads as at its end at once, as a
  // `Process` child's (`'ignore'`: /dev/null) and Python's (`os.devnull`, bpo-5155) do.
  child.stdin?.destroy();
  const { stdout, stderr } = child;
  if (!stdout || !stderr) return undefined;
  stdout.unpipe(process.stdout);
  stderr.unpipe(process.stderr);
  const output = forwardChildOutput(stdout, stderr, onOutOfMemory, onStderr);
  // unpipe() paused them, and a 'data' listener does not resume an explicitly paused stream.
  stdout.resume();
  stderr.resume();
  return output;
}

/**
 * tinypool's options for a pool: its worker entry `entry`, the runtime of its context, its limits
 * and its queue. No worker is started at construction (`minThreads: 0`): a worker the system
 * refuses there would throw out of tinypool's constructor and orphan the ones before it; the
 * adapter's `StartPolicy.fill()` starts them.
 */
export function tinypoolOptions(config: AdapterConfig, entry: URL): TinypoolOptions {
  const limits = config.resourceLimits;
  const threads = config.context === 'thread';
  // Made before the first thread, which inherits it (see `worker/output-board.ts`); the main
  // thread's own output then goes through it too, when its threads write directly: not when the
  // program replaced its `process.stdout.write` or `stderr.write` (a capture, a logger), whose
  // replacement then sees the threads' lines, forwarded chunk by chunk (`watch-worker.ts`).
  const direct =
    threads && writesOutputDirectly(process.getBuiltinModule('node:worker_threads').isMainThread);
  const env = envOf(threads, direct);
  // A bundle's entry is left to tinypool's: its thread would start only if the bundle carries
  // tinypool's entries, and the program's first thread, which needs them, would otherwise be the
  // only one to say they are missing (its start failure absorbed by the threads that came up).
  const name = entry.pathname.slice(entry.pathname.lastIndexOf('/') + 1);
  const bundled = name.startsWith(BUNDLED_ENTRY_NAMES.pool);
  if (threads && !bundled) threadEntries.set(env, entry);
  return {
    filename: entry.href,
    runtime: threads ? 'worker_threads' : 'child_process',
    minThreads: 0,
    maxThreads: config.processes,
    // Never (Infinity) is the adapter's to keep (see `TinypoolAdapter.#adopt`): a longer timer fires at once.
    idleTimeout: Math.min(config.idleTimeout, MAX_TIMEOUT_MS),
    env,
    argv: workerArgv(),
    // A worker's start goes to that worker only (`start-queue.ts`).
    taskQueue: new StartQueue(),
    ...(threads
      ? {
          execArgv: threadExecArgv(),
          // With the program's own --stack-size unless the pool sets one (thread-stack.ts), and a
          // young generation that lets a worker out of memory end alone (thread-heap.ts).
          resourceLimits: threadResourceLimits(boundedYoungGeneration(limits)),
          // An idle thread waits on its event loop, not in tinypool's Atomics.wait (which holds it
          // until tinypool's next task): side chunks come on the slot's port (`side-lane.ts`).
          useAtomics: false,
        }
      : {
          serialization: 'advanced' as const,
          execArgv: [
            ...childExecArgv(),
            ...(limits?.maxOldGenerationSizeMb
              ? [`--max-old-space-size=${limits.maxOldGenerationSizeMb}`]
              : []),
            // Runs the pool entry instead of tinypool's entry, which tinypool still names as the
            // script: the child serves tinypool's protocol itself (`worker/child-serve.ts`). The
            // space keeps the build's marking of dynamic imports (for bundlers) out of this text.
            ...(bundled ? [] : ['-e', `import (${JSON.stringify(entry.href)})`]),
          ],
        }),
  };
}
