/**
 * Workers for the tests: the built `multiproc-worker` command in a process of its own, or the same
 * worker started in the test process with `startWorker()` (cheaper, when no process has to die).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWorker, type WorkerHandle, type WorkerOptions } from '../dist/index.js';

export const CLI = fileURLToPath(new URL('../dist/worker/cli.js', import.meta.url));
export const TASKS = fileURLToPath(new URL('./fixtures/tasks.mjs', import.meta.url));
export const SECRET = 'test-secret-0123456789abcdef';

/** Fast failure detection for tests: a dead worker's job moves on within about 2 s. */
export const FAST = ['--lock-duration', '1000', '--stalled-interval', '300', '--ttl', '1500'];

/**
 * `stop()`'s bound for a test that asserts an orderly exit: none of its own. A SIGKILL would fail
 * that test anyway, and before its own limit could kill a healthy worker that a load held up (the
 * stops of stop-while-starting took 0.7-3.7 s at a load of 26-33 on 2 cores, 10 s is not far off);
 * the test's limit bounds the wait, and its cleanup (or this process's exit) kills what is left.
 */
export const ORDERLY = Number.POSITIVE_INFINITY;

/** Every worker process started here: killed when the test process exits, whatever a test left. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A worker's status lines, and a wait for one of them. */
export class StatusLines {
  readonly lines: string[] = [];
  readonly #waiters = new Set<() => void>();
  #ended: string | undefined;

  push(line: string): void {
    this.lines.push(line);
    for (const wake of this.#waiters) wake();
  }

  /** No line will come any more (`why` goes into the error of a wait still pending). */
  end(why: string): void {
    this.#ended = why;
    for (const wake of this.#waiters) wake();
  }

  /** Resolves with the first line (from the start) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = this.lines.find((l) => pattern.test(l));
        if (line !== undefined) return done(() => resolve(line));
        if (this.#ended !== undefined) {
          done(() => reject(new Error(`${this.#ended} before ${pattern}:\n${this.lines.join('\n')}`)));
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`no line ${pattern} within ${timeoutMs} ms:\n${this.lines.join('\n')}`)),
          ),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every status line so far. */
  readonly lines: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /**
   * SIGTERM (or `signal`) and wait for the exit; SIGKILL after `killAfterMs` (10 s: a cleanup hook's
   * stop stays inside its 15 s limit). A test that asserts an orderly exit passes {@link ORDERLY}.
   */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | null>;
}

/**
 * Starts `multiproc-worker` (with the fixture tasks unless `args` give `--tasks`) and waits for
 * `connected`; `node` runs it (another Node version's binary, say).
 */
export async function startWorkerProcess(
  redisUrl: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  node = process.execPath,
): Promise<WorkerProcess> {
  const { worker, connected } = launchWorkerProcess(redisUrl, args, env, node);
  await connected;
  return worker;
}

/**
 * Starts `multiproc-worker` as {@link startWorkerProcess} does, without waiting: its status lines
 * can be watched while it starts. `connected` rejects if it exits first (with its lines).
 */
export function launchWorkerProcess(
  redisUrl: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  node = process.execPath,
): { worker: WorkerProcess; connected: Promise<string> } {
  const tasks = args.includes('--tasks') ? [] : ['--tasks', TASKS];
  const child = spawn(node, [CLI, '--redis', redisUrl, ...tasks, '--concurrency', '2', ...FAST, ...args], {
    env: { ...process.env, MULTIPROC_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const log = new StatusLines();
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    buffered += text;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) log.push(line);
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      log.end(`the worker exited (${code}): ${stderr}`);
      resolve(code);
    }),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = Number.isFinite(killAfterMs)
        ? setTimeout(() => child.kill('SIGKILL'), killAfterMs)
        : undefined;
      await exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  };
  const worker = {
    child,
    pid: child.pid!,
    lines: log.lines,
    waitFor: (p: RegExp, ms?: number) => log.waitFor(p, ms),
    exited,
    stop,
  };
  const connected = log.waitFor(/ connected /, 60_000);
  connected.catch(() => {}); // reported to whoever awaits it
  return { worker, connected };
}

/** A worker in this process (`startWorker()`), with the fixture tasks and fast failure detection. */
export async function startWorkerHere(
  redisUrl: string,
  options: Partial<WorkerOptions> = {},
): Promise<{ handle: WorkerHandle; log: StatusLines }> {
  const log = new StatusLines();
  const handle = await startWorker({
    tasks: [TASKS],
    connection: redisUrl,
    secret: SECRET,
    concurrency: 1,
    lockDuration: 1000,
    stalledInterval: 300,
    ttl: 1500,
    log: (line) => log.push(line),
    ...options,
  });
  void handle.stopped.then(() => log.end('the worker stopped'));
  return { handle, log };
}
