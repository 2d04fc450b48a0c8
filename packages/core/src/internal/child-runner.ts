/** The 'process' context: a `child_process.fork` child running the process entry. */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { WorkerStartError } from '../errors.js';
import { guardChannel } from './channel-guard.js';
import { processOutOfMemoryLine } from './out-of-memory.js';
import { forwardChildOutput } from './output.js';
import { reapedEnv, reapWithProgram } from './reaper.js';
import {
  type ExitInfo,
  isPreloadFailed,
  type PreloadFailedMessage,
  READY_MESSAGE,
  type Runner,
  type SpareMessage,
  type StartMessage,
} from './runner.js';
import { childExecArgv, workerArgv, workerEnv } from './start-args.js';
import { workingDir } from './start-dir.js';
import { diedStarting, isStartFailure, killedFromOutside, startError } from './start-failure.js';
import { workerEntryPath } from './worker-entries.js';

function cwdOption(): { cwd?: string } {
  const cwd = workingDir();
  return cwd === undefined ? {} : { cwd };
}

// Children whose Node booted (they sent READY_MESSAGE): one that ends before never started.
const booted = new WeakSet<ChildProcess>();
// How long an ended child's channel may take to deliver its last messages (its ready message).
const CHANNEL_DRAIN_MS = 1000;

/** Resolves once `child`'s channel has delivered all it holds (closed), or after {@link CHANNEL_DRAIN_MS}. */
function channelDrained(child: ChildProcess): Promise<void> {
  if (!child.connected) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CHANNEL_DRAIN_MS);
    child.once('disconnect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Python's convention: a child ended by signal N has exit code -N. */
export function signalExitCode(signal: string): number {
  const n = (constants.signals as Record<string, number>)[signal];
  return n === undefined ? -1 : -n;
}

/**
 * Forks the process entry. A refusal Node reports at once (`ENOMEM`) throws; one it reports on
 * the next tick (`EAGAIN`, `ENOENT`) leaves a child without a pid (see {@link childRunner}).
 * @throws {WorkerStartError} when the system refuses the fork at once.
 */
function forkEntry(): ChildProcess {
  let child: ChildProcess;
  try {
    child = process.getBuiltinModule('node:child_process').fork(workerEntryPath('process'), workerArgv(), {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: childExecArgv(),
      env: workerEnv(reapedEnv(process.env)),
      // Not given when it was removed: the child inherits it as it is, as a bare fork() does
      // (Node would report the failed uv_cwd as a spawn error, ENOENT).
      ...cwdOption(),
    });
  } catch (error) {
    throw isStartFailure(error) ? startError('process', error) : error;
  }
  reapWithProgram(child);
  child.on('message', (message: unknown) => {
    if ((message as { kind?: unknown } | null)?.kind === READY_MESSAGE.kind) booted.add(child);
  });
  // A send that fails because the child already died surfaces through 'exit'.
  child.on('error', () => {});
  // Nothing travels from a Process's child to here on its channel: junk written there (which could
  // end this program) is dropped, with a warning, and the Process runs on.
  guardChannel(child, (error) =>
    process.emitWarning(error.message, { type: 'ProcessWarning', code: 'MP_CHANNEL_CORRUPTED' }),
  );
  return child;
}

function send(child: ChildProcess, message: StartMessage | SpareMessage): void {
  child.send(message, (err) => {
    if (err) child.kill('SIGKILL');
  });
}

/** Forks a child process for `message` (no transfer list across processes). */
export function startChild(message: StartMessage, _transfer: readonly object[]): Runner {
  const child = forkEntry();
  const runner = childRunner(child);
  send(child, message);
  return runner;
}

/** A child started ahead of need, waiting for its start message (see `warm.ts`). */
export interface ChildSpare {
  /** Set once the spare cannot be used: it failed to spawn, or it ended. */
  readonly failed: boolean;
  activate(message: StartMessage, transfer: readonly object[]): Runner;
  dispose(): void;
}

/**
 * Forks a spare child: it boots and preloads, unref'd, and runs whatever it is given later.
 * `onPreloadFailed` hears of each preload module that failed to import.
 */
export function startChildSpare(
  spare: SpareMessage,
  onPreloadFailed: (message: PreloadFailedMessage) => void,
): ChildSpare {
  const child = forkEntry();
  child.on('message', (message: unknown) => {
    if (isPreloadFailed(message)) onPreloadFailed(message);
  });
  send(child, spare);
  const handles = [child, child.channel, child.stdout, child.stderr] as Array<
    { ref?(): void; unref?(): void } | null | undefined
  >;
  for (const h of handles) h?.unref?.();
  return {
    get failed() {
      return child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
    },
    activate(message) {
      for (const h of handles) h?.ref?.();
      const runner = childRunner(child);
      send(child, message);
      return runner;
    },
    dispose() {
      child.kill('SIGKILL');
    },
  };
}

function childRunner(child: ChildProcess): Runner {
  let outOfMemory = false;
  // terminate()/kill()/interrupt() before the child was ready: an ending asked for, not a failed start.
  let stopped = false;
  const output = forwardChildOutput(child.stdout!, child.stderr!, () => {
    outOfMemory = true;
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    // No pid: the spawn failed. Node emits the system error next and never 'exit'.
    if (child.pid === undefined) {
      child.once('error', (error) =>
        resolve({ exitCode: 1, signal: null, startError: startError('process', error) }),
      );
      return;
    }
    // The child has ended at its 'exit', whoever still holds its pipes (a program it started with
    // its stdout): what it wrote is read then, and the Process ends (internal/output.ts).
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      const info = { exitCode: code ?? (signal ? signalExitCode(signal) : 1), signal };
      void output.childExited().then(async () => {
        if (outOfMemory) process.stderr.write(processOutOfMemoryLine(child.pid ?? -1));
        if (!booted.has(child)) await channelDrained(child);
        // A signal sent from outside (`process.kill(p.pid)`, Ctrl-C to the group) ended it: Python's
        // join() returns and exitcode is -N, whether or not the child had finished booting.
        if (booted.has(child) || stopped || killedFromOutside(signal)) return resolve(info);
        // It died before Node ran any of its JavaScript (SIGABRT: Node could not create its own
        // threads under a process limit): it never started, as the Pool reports it.
        const failure = diedStarting('process', info.exitCode, signal, undefined);
        resolve({ ...info, startError: failure as WorkerStartError });
      });
    };
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
    else child.once('exit', done);
  });
  return {
    pid: child.pid ?? -1,
    threadId: undefined,
    exited,
    terminate() {
      stopped = true;
      child.kill('SIGTERM');
    },
    kill() {
      stopped = true;
      child.kill('SIGKILL');
    },
    interrupt() {
      stopped = true;
      child.kill('SIGINT');
    },
    unref() {
      child.unref();
      child.channel?.unref();
      (child.stdout as any)?.unref?.();
      (child.stderr as any)?.unref?.();
    },
    ref() {
      child.ref();
    },
  };
}
