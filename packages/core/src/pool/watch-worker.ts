/**
 * How the tinypool adapter watches one worker it adopted: a child's spawn failure, heap abort,
 * corrupted channel, readiness and exit (read to the end of its channel and stderr), and a
 * thread's readiness, errors and exit (re-emitted to tinypool, which ignores a thread's exit).
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { describeError, describeThrown } from '@multiproc/shared';
import { CRASH_KEY, type CrashMessage } from '../internal/batch.js';
import { guardChannel } from '../internal/channel-guard.js';
import { thrownOrError } from '../internal/error-record.js';
import { StartOutput } from '../internal/load-failure.js';
import { ChildOutOfMemory, isOutOfMemory, poolThreadOutOfMemoryLine } from '../internal/out-of-memory.js';
import { forwardThreadOutput, writeForwarded } from '../internal/output.js';
import { recoverOnExit } from '../internal/owner-death.js';
import { osExitCode } from '../internal/runner.js';
import { startError } from '../internal/start-failure.js';
import { rescueOutput } from '../worker/output-board.js';
import type { Slot } from './slot.js';
import { adoptChild } from './worker-start.js';

/** The error the pool emits on a worker to make tinypool drop it (by identity, never by text). */
export class StopSignal extends Error {}

/** tinypool's worker object, as far as the adapter uses it. */
export type TinypoolWorker = {
  terminate(): Promise<unknown>;
  emit(event: string, ...args: unknown[]): boolean;
  setChannel?(channel: unknown): void;
  process?: ChildProcess;
  /** tinypool's 'exit' listener on a child, removed by its own terminate(). */
  onUnexpectedExit?: () => void;
  /** Set by tinypool's terminate() on a child: it then sends nothing more to it. */
  isTerminating?: boolean;
  thread?: Worker;
  threadId?: number;
};

/** What a thread's watcher asks of the adapter. */
export interface ThreadHooks {
  /** Whether the thread, now exiting, ended normally (owner death keeps its plain locks). */
  endedNormally(): boolean;
  /** The thread failed: tinypool will replace it. */
  left(): void;
}

export function watchChild(slot: Slot, child: ChildProcess): void {
  if (child.pid === undefined) {
    // The system refused the spawn: Node reports it as an 'error' on the next tick, never 'exit'.
    child.once('error', (error) => {
      slot.cause ??= startError('process', error);
      slot.exit(null, null);
    });
    return;
  }
  // V8 aborts a child whose heap is full (SIGABRT) after saying so on its stderr. A child that dies
  // while loading can only print why: its stderr is kept until it is ready.
  const startOutput = new StartOutput();
  const output = adoptChild(
    child,
    () => {
      slot.cause ??= new ChildOutOfMemory();
    },
    (text) => startOutput.add(text),
  );
  // A child that writes junk to its IPC channel would hang its call (or end this program): it is
  // killed, and the call it was running fails with WorkerCrashedError saying why.
  guardChannel(child, (error) => {
    slot.cause ??= error;
    slot.dying = true;
    child.kill('SIGKILL');
  });
  child.on('message', (message: { ready?: unknown; __tinypool_worker_message__?: unknown }) => {
    // The error it is dying of, sent just before Node prints it (crash-report.ts): the cause.
    const crash = (message as Partial<CrashMessage> | null)?.[CRASH_KEY];
    if (crash) slot.cause ??= thrownOrError(crash, 'process');
    if (message?.ready !== true || !message.__tinypool_worker_message__) return;
    startOutput.ready();
    if (slot.state.name === 'starting') slot.transition({ name: 'idle' });
  });
  // A child whose channel closed is dying: tinypool's next send to it fails as a worker 'error'.
  child.once('disconnect', () => {
    slot.dying = true;
  });
  child.once('exit', (code, signal) => {
    // What the child sent before it died is read until its channel closes; what it printed is read
    // now, from its pipes, which a program it started may hold open long after (see
    // internal/output.ts): its stderr's end is not the child's.
    const waits = [
      child.connected ? new Promise<void>((resolve) => child.once('disconnect', () => resolve())) : undefined,
      output?.childExited(),
    ].filter((w) => w !== undefined);
    // The error a child that never became ready printed is its cause (read once its stderr was read).
    const readCause = () => {
      slot.cause ??= startOutput.error();
    };
    const drained = waits.length === 0 ? undefined : Promise.all(waits).then(readCause);
    if (!drained) readCause();
    slot.exit(code, signal, drained);
  });
}

export function watchThread(slot: Slot, worker: TinypoolWorker, thread: Worker, on: ThreadHooks): void {
  // tinypool makes its threads without `stdout: true`: Node's pipe into process.stdout goes.
  forwardThreadOutput(thread);
  ignoreStrayMessages(thread);
  recoverOnExit(thread, on.endedNormally);
  thread.on('message', (message: { ready?: unknown }) => {
    // Why it is about to exit, when it says (worker/loop-watch.ts: a task that can never settle).
    const crash = (message as Partial<CrashMessage> | null)?.[CRASH_KEY];
    if (crash) slot.cause ??= thrownOrError(crash, 'thread');
    if (message?.ready === true && slot.state.name === 'starting') slot.transition({ name: 'idle' });
  });
  const threadId = thread.threadId; // -1 once it has exited
  // Runs before tinypool's own listener: the slot knows the worker is dying before tinypool
  // rejects its task and stops it.
  thread.prependListener('error', (error) => {
    if (error instanceof StopSignal) return;
    // An uncaught exception or unhandled rejection (a task's timer, its fire-and-forget promise,
    // also while the worker idles): printed as a child process's Node prints it, and as a thread
    // Process prints it. tinypool reports it only as a pool 'error' event, which nobody sees. A
    // worker that dies while starting is reported to the calls instead (WorkerStartError).
    if (slot.state.name !== 'starting') {
      if (isOutOfMemory(error)) writeForwarded(process.stderr, poolThreadOutOfMemoryLine(threadId));
      else printUncaught(error);
    }
    slot.dying = true;
    slot.cause ??= error;
    on.left();
  });
  thread.once('exit', (code) => {
    // What it printed last without a newline, when it was stopped: written now, never lost.
    rescueOutput(threadId);
    const crashed = slot.state.name !== 'stopping';
    slot.exit(osExitCode(code), null);
    // tinypool ignores a thread's exit; an 'error' makes it reject the task and replace the worker.
    if (crashed && !slot.dying) worker.emit('error', new StopSignal('exited'));
  });
}

/**
 * A thread's `parentPort` carries one message of tinypool's, `{ ready: true }` (its calls go on a
 * port of their own); tinypool treats any other as a broken worker (`Unexpected message on
 * Worker`), kills it and fails the call it ran, or not, by whichever of the two messages came
 * first. What a task posts there (code ported from piscina, which delivers it as an event) is
 * ignored instead, as a child's `process.send()` is: the listeners tinypool added when it created
 * the thread (before the adapter sees it) see `ready` messages only. `sendToCaller()` is the
 * documented channel from a task to its caller.
 */
function ignoreStrayMessages(thread: Worker): void {
  // Each filter is added before its listener goes: the 'message' listeners never drop to none,
  // which unrefs the thread's port, and the next one added refs it again (on Node 22 and 24 the
  // port then stayed ref'd, and a pool used and never closed kept its program alive for good).
  for (const listener of thread.listeners('message') as ((message: unknown) => void)[]) {
    thread.on('message', (message: { ready?: unknown } | null) => {
      if (message?.ready === true) listener(message);
    });
    thread.off('message', listener);
  }
}

/** Writes a worker's uncaught error to stderr: its stack, or the thrown value described. */
function printUncaught(error: unknown): void {
  const text = error instanceof Error ? describeError(error) : `Uncaught ${describeThrown(error)}`;
  // Dropped once the program's stderr is closed, as a child's forwarded stderr is.
  writeForwarded(process.stderr, `${text}\n`);
}
