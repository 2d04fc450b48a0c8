/**
 * Worker side, child processes only: what every child this library forks (a `Process` child, a
 * pool worker, a warm spare) does first, before it imports any user code.
 *
 * 1. Its stdout and stderr pipes are made blocking (when first used). A forked child's pipes are
 *    non-blocking, so a child that logs and then calls `process.exit()` lost the tail (10 to 128 of
 *    300 lines here).
 * 2. It never outlives its parent, daemon or not, whatever it runs (Python's children can):
 *    - the IPC channel's `'disconnect'` (the parent died, or closed it: a closed pool's `join()`
 *      ends its workers so) exits at once with code 0, while the event loop is free; so does a
 *      send that finds the channel already gone (`EPIPE`), instead of dying of an unhandled
 *      'error' event with a trace on the user's stderr;
 *    - something outside this child SIGKILLs it when the parent is gone, which also ends a child
 *      stuck in synchronous code or in a long import: the parent program's reaper (one `sh` per
 *      program, see `internal/reaper.ts`) when {@link REAPED_BY_ENV} names the parent; otherwise
 *      a watchdog thread here, which checks `process.ppid` every {@link WATCH_INTERVAL_MS}. A
 *      child that forks covers its own children the same way, so a killed program takes its
 *      whole tree with it, level by level.
 * 3. A message it sends its parent (a task's result, a map chunk's, a `sendToCaller()` value) is
 *    in the pipe once `process.send()` returns: libuv wrote what the pipe took at once and queued
 *    the rest, which a child that then calls `process.exit()` never wrote. A big result was cut
 *    off so; and once small messages had filled the pipe (a parent reads ~64 KiB at a time), the
 *    ones after them, and the result behind those, waited in that queue: a finished call read as
 *    a crash, and what the task had sent its caller was lost. Python's `send()` writes
 *    synchronously too.
 */
import { ContextError } from '@multiproc/shared';

/** Set in a child's environment by a parent whose reaper covers it: the parent's pid. */
export const REAPED_BY_ENV = 'MULTIPROC_REAPED_BY';

/** How often the watchdog looks at the parent pid. */
const WATCH_INTERVAL_MS = 250;
/**
 * Exit code of a child whose channel closed: a planned end when its parent closed it (a pool's
 * `join()`); when the parent died, nobody reads it.
 */
const CHANNEL_CLOSED_EXIT_CODE = 0;

// Runs in the watchdog thread: plain CommonJS, no imports of this package (it must start fast).
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL');
}, workerData.intervalMs);
`;

type HandleWithBlocking = { _handle?: { setBlocking?(blocking: boolean): void } };

function makeBlocking(stream: NodeJS.WriteStream): void {
  (stream as unknown as HandleWithBlocking)._handle?.setBlocking?.(true);
}

const opened: NodeJS.WriteStream[] = [];

/**
 * Makes `process[name]` blocking when something first reads it (`console.log` does, through the
 * same property): a child that prints nothing never creates the stream, which costs a pipe socket
 * each, ~1.3 ms of CPU for the two (issue #18).
 */
function blockingOnFirstUse(name: 'stdout' | 'stderr'): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  const open = (stream: NodeJS.WriteStream): NodeJS.WriteStream => {
    makeBlocking(stream);
    opened.push(stream);
    return stream;
  };
  if (!own?.get || !own.configurable) {
    open(process[name]);
    return;
  }
  const get = own.get;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable,
    get() {
      // Node's own getter from here on: it returns the stream it made once.
      Object.defineProperty(process, name, own);
      return open(get.call(process));
    },
  });
}

/** The output streams of this child that something has used: only they can hold output. */
export function openedOutput(): readonly NodeJS.WriteStream[] {
  return opened;
}

let guarded = false;
let reaped = false;
let channelClosed: (code: number) => void = (code) => process.exit(code);

/**
 * Replaces how this child exits when its channel closes: a pool worker first joins the non-daemon
 * Processes its tasks started (`join-children.ts`). Should the parent have died instead, the
 * watchdog or the reaper still ends this child.
 */
export function onChannelClosed(exit: (code: number) => void): void {
  channelClosed = exit;
}

/**
 * Whether this realm is a forked child's main thread (else a worker thread), answered on Node
 * without loading `node:worker_threads`, which in a child pulls in ~25 stream and worker modules
 * (issue #18): a Node worker thread never has `process.send`, not even inside a child. Deno gives
 * its worker threads a `process.send`, so other runtimes ask `node:worker_threads`.
 */
/**
 * Throws a `ContextError` when a program's main thread imports a worker entry (`entry`, its export
 * path): multiproc starts its workers with it, and a program never imports it (it would read a
 * start message that is not there and fail with a `TypeError` of our internals).
 */
export function refuseMainProgram(entry: string): void {
  if (isForkedChild() || !process.getBuiltinModule('node:worker_threads').isMainThread) return;
  throw new ContextError(
    `${entry} is the entry multiproc starts its workers with, not a module to import: ` +
      "import Process or Pool from '@multiproc/core' (or the umbrella package) instead.",
  );
}

export function isForkedChild(): boolean {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno !== undefined || versions.bun !== undefined) {
    return process.getBuiltinModule('node:worker_threads').isMainThread;
  }
  return typeof process.send === 'function';
}

type ChannelWrite = (
  this: ChannelHandle,
  req: unknown,
  data: Uint8Array | string,
  ...rest: unknown[]
) => unknown;
interface ChannelHandle {
  writeQueueSize: number;
  setBlocking(blocking: boolean): unknown;
  writeBuffer?: ChannelWrite;
  writeUtf8String?: ChannelWrite;
}

/**
 * Makes the IPC channel write each message whole before `process.send()` returns, small ones too:
 * the pipe is blocking during that one write (not while reading, where libuv would wait for more),
 * so nothing waits in libuv's queue for a turn of the event loop that an exiting child never has.
 * Only when nothing is queued before it: behind a queue, the write waits for the event loop anyway.
 * Two `ioctl`s a message cost less than the noise of a pool's round trip (5000 `apply` calls, 50,000
 * `sendToCaller()` values, a `map` of 100,000 items: within run-to-run spread). Node keeps the
 * channel's handle under a symbol only; without it, sends stay as they were.
 */
function writeMessagesWhole(): void {
  const key = Object.getOwnPropertySymbols(process).find((s) => s.description === 'kChannelHandle');
  const handle = key && (process as unknown as Record<symbol, ChannelHandle | undefined>)[key];
  if (!handle || typeof handle.setBlocking !== 'function') return;
  for (const method of ['writeBuffer', 'writeUtf8String'] as const) {
    const write = handle[method];
    if (typeof write !== 'function') continue;
    handle[method] = function (this: ChannelHandle, req, data, ...rest) {
      if (this.writeQueueSize > 0) return write.call(this, req, data, ...rest);
      this.setBlocking(true);
      try {
        return write.call(this, req, data, ...rest);
      } finally {
        this.setBlocking(false);
      }
    };
  }
}

/**
 * Makes this forked child's output blocking, its messages written whole, and ties its life to
 * its parent's. Idempotent.
 */
export function guardChildProcess(): void {
  if (guarded || typeof process.send !== 'function') return;
  guarded = true;
  blockingOnFirstUse('stdout');
  blockingOnFirstUse('stderr');
  writeMessagesWhole();
  const ppid = process.ppid;
  process.once('disconnect', () => channelClosed(CHANNEL_CLOSED_EXIT_CODE));
  process.on('error', onChannelError);
  // Spelt out (REAPED_BY_ENV) so the environment audit of the reliability suite sees the read.
  const reapedBy = process.env.MULTIPROC_REAPED_BY;
  // Not for user code, nor for this child's own children (their parent is this child).
  delete process.env.MULTIPROC_REAPED_BY;
  reaped = reapedBy === String(ppid);
  if (reaped) return;
  startWatchdog(ppid);
}

/** Whether this child's parent program's reaper ends it when that program ends (`internal/reaper.ts`). */
export function reapedByParent(): boolean {
  return reaped;
}

// What a send without a callback reports (on `process`, as an 'error' event) when the channel is
// gone: the parent closed its end (a closed pool's join()) or ended, and this child has not read
// the end of the channel yet (it was busy), so Node still thought it connected.
const CHANNEL_GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_IPC_CHANNEL_CLOSED', 'ERR_IPC_DISCONNECTED']);

/**
 * A send that found the channel gone (tinypool's entry answers with `process.send(message)`, which
 * reports a failure only as an 'error' event on `process`) ends this child as the channel's
 * 'disconnect' would: it is what the parent asked for or, if the parent died, nobody is left to
 * tell, and a Node trace on the user's stderr says nothing useful. A task the parent was running
 * here still fails there with WorkerCrashedError, because the child exits. Any other 'error' event
 * is thrown, as Node does with an 'error' nobody listens to.
 */
function onChannelError(error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CHANNEL_GONE.has(code)) process.exit(CHANNEL_CLOSED_EXIT_CODE);
  throw error;
}

/** The fallback: a thread that SIGKILLs this child once its parent pid changes. */
function startWatchdog(ppid: number): void {
  // node:worker_threads (~25 stream and worker modules) only when a watchdog is needed (issue #18).
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  let watchdog: InstanceType<typeof Worker>;
  try {
    watchdog = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { ppid, intervalMs: WATCH_INTERVAL_MS },
      stdout: true,
      stderr: true,
      env: {},
      execArgv: [],
    });
  } catch {
    // No thread to spare (ERR_WORKER_INIT_FAILED, EAGAIN): the child still exits when its IPC
    // channel closes, which covers a parent that ends; only one frozen alive goes unnoticed.
    return;
  }
  // The watchdog must neither keep this child alive nor take it down if it fails to start.
  watchdog.unref();
  watchdog.on('error', () => {});
}
