/** The 'process' context: a `child_process.fork` child running the process entry. */
import { fork } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { forwardLines } from './output.js';
import type { ExitInfo, Runner, StartMessage } from './runner.js';

const ENTRY = fileURLToPath(new URL('../worker/process-entry.js', import.meta.url));

/** Python's convention: a child ended by signal N has exit code -N. */
export function signalExitCode(signal: string): number {
  const n = (constants.signals as Record<string, number>)[signal];
  return n === undefined ? -1 : -n;
}

/** Forks a child process for `message` (no transfer list across processes). */
export function startChild(message: StartMessage, _transfer: readonly object[]): Runner {
  const child = fork(ENTRY, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: process.env,
    cwd: process.cwd(),
  });
  const output = Promise.all([
    forwardLines(child.stdout!, process.stdout),
    forwardLines(child.stderr!, process.stderr),
  ]);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      const info = { exitCode: code ?? (signal ? signalExitCode(signal) : 1), signal };
      void output.then(() => resolve(info));
    });
  });
  // A send that fails because the child already died surfaces through 'exit'.
  child.on('error', () => {});
  child.send(message, (err) => {
    if (err) child.kill('SIGKILL');
  });
  return {
    pid: child.pid ?? -1,
    threadId: undefined,
    exited,
    terminate() {
      child.kill('SIGTERM');
    },
    kill() {
      child.kill('SIGKILL');
    },
    unref() {
      child.unref();
      child.channel?.unref();
      (child.stdout as any)?.unref?.();
      (child.stderr as any)?.unref?.();
    },
  };
}
