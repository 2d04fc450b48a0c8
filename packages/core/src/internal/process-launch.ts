/**
 * How a `Process` starts its worker: encodes the arguments, builds the start message, and hands it
 * to a warm spare or to a new thread or child, and logs its start and exit. The `Process` object
 * keeps the state; this file owns what crosses to the worker.
 */
import { encodeValue } from '@multiproc/shared';
import { nameForChildren } from '../identity.js';
import type { ContextName } from '../options.js';
import type { TaskRef } from '../task.js';
import { runOnSpare } from '../warm.js';
import { childDepth } from './bootstrap.js';
import { startChild } from './child-runner.js';
import { refusedAt } from './clone-refusal.js';
import { endDaemonAtProgramEnd } from './daemon-end.js';
import { debugLog } from './debug-log.js';
import { ERRORS_AS_VALUES } from './error-record.js';
import { assertSerializable } from './process-checks.js';
import type { ExitInfo, Runner, StartMessage } from './runner.js';
import { startThread } from './thread-runner.js';

/** What a `Process` starts: its target and arguments, and who it is. */
export interface LaunchSpec {
  target: TaskRef;
  args: unknown[];
  context: ContextName;
  name: string;
  identity: number[];
  daemon: boolean;
  /** The worker's `currentProcess().authkey` (the `Process`'s `authkey`). */
  authkey: Uint8Array;
}

/** A started worker, and the call that accounts for the queues and pipes among its args once it ends. */
export interface Launched {
  runner: Runner;
  receiverEnded: () => void;
  /** Call when the worker is being stopped (kill, terminate): its queues and pipes serve it no more. */
  receiverEnding: () => void;
}

/**
 * Starts the worker of one `Process`.
 * @throws {SerializationError} for an argument that cannot be sent.
 * @throws {ContextError} for shared memory sent to a `'process'` context.
 * @throws {WorkerStartError} when Node cannot create the thread or process at once.
 */
export function launchProcess(spec: LaunchSpec): Launched {
  const { context, daemon } = spec;
  // Copies of queues and pipes among the args are accounted for when this worker ends, used or not.
  // An error among them arrives as a pool task's argument does (its class, own fields, `errors`).
  const {
    value: args,
    transfer,
    encoded,
    receiverEnded,
    receiverEnding,
  } = encodeValue(spec.args, context, 'args', {
    ...ERRORS_AS_VALUES,
    tracksReceiver: true,
  });
  const message: StartMessage = {
    kind: 'mp:start',
    module: spec.target.module,
    taskName: spec.target.taskName,
    args,
    encoded,
    identity: {
      name: spec.name,
      identity: spec.identity,
      daemon,
      context,
      parent: { pid: process.pid, name: nameForChildren() },
      depth: childDepth(),
      authkey: Buffer.from(spec.authkey).toString('hex'),
    },
  };
  try {
    if (context === 'process') assertSerializable(message, spec.args);
    // A daemon thread must not read its output (that would keep the program alive): no spare.
    const spare = daemon && context === 'thread' ? undefined : runOnSpare(context, message, transfer);
    const runner = spare ?? (context === 'process' ? startChild : startThread)(message, transfer);
    if (daemon && context === 'process') endDaemonAtProgramEnd(runner);
    return { runner, receiverEnded, receiverEnding };
  } catch (err) {
    receiverEnded();
    if ((err as Error)?.name === 'DataCloneError') {
      throw refusedAt(
        spec.args,
        'args',
        err,
        'Only structured-cloneable values (and multiproc objects) can be sent.',
      );
    }
    throw err;
  }
}

/**
 * Logs a started worker (`NODE_DEBUG=multiproc`) and returns the logger of its exit, which the
 * `Process` calls first thing once the worker has ended.
 */
export function logStarted(name: string, runner: Runner, daemon: boolean): (info: ExitInfo) => void {
  const where = runner.threadId != null ? `thread ${runner.threadId}` : `pid ${runner.pid}`;
  debugLog('process %s (%s): started%s', name, where, daemon ? ', daemon' : '');
  return (info) => {
    const how = info.signal ? `signal ${info.signal}` : `code ${info.exitCode}`;
    debugLog('process %s (%s): exited (%s)%s', name, where, how, info.startError ? ', never started' : '');
  };
}
