/** `multiproc-worker` processes for the tests: the built command, run for real. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/worker/cli.js', import.meta.url));
export const TASKS = fileURLToPath(new URL('./fixtures/tasks.mjs', import.meta.url));
export const SECRET = 'test-secret-0123456789abcdef';

/** Fast failure detection for tests: a dead worker's job moves on within about 2 s. */
export const FAST = ['--lock-duration', '1000', '--stalled-interval', '300', '--ttl', '1500'];

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every status line so far. */
  readonly lines: string[];
  /** Resolves with the first line (from the start) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM (or `signal`) and wait for the exit; SIGKILL after 10 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `multiproc-worker` (with the fixture tasks unless `args` give `--tasks`) and waits for `connected`. */
export async function startWorkerProcess(
  redisUrl: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      '--redis',
      redisUrl,
      ...(args.includes('--tasks') ? [] : ['--tasks', TASKS]),
      '--concurrency',
      '2',
      ...FAST,
      ...args,
    ],
    { env: { ...process.env, MULTIPROC_SECRET: SECRET, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    buffered += text;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines.find((l) => pattern.test(l));
        if (line !== undefined) return done(() => resolve(line));
        if (child.exitCode !== null || child.signalCode !== null) {
          done(() => reject(new Error(`worker exited before ${pattern}: ${stderr}\n${lines.join('\n')}`)));
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`no line ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}\n${stderr}`)),
          ),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  };
  await waitFor(/ connected /, 60_000);
  return { child, pid: child.pid!, lines, waitFor, exited, stop };
}
