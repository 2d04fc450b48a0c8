// Runs a fixture program in its own process group, under limits (`prlimit --nproc`, `timeout`),
// and kills the whole group afterwards, so a runaway program cannot outlive its test.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { ExpectStatic } from 'vitest';
import { fixture } from './helpers.ts';

const started = new Set<ChildProcess>();

export interface GroupRun {
  readonly child: ChildProcess;
  /** Kills the program's whole group, if it is still there. */
  kill(): void;
  /** Resolves once `pattern` has appeared this many times on stdout. */
  until(pattern: RegExp, count?: number): Promise<string>;
  readonly done: Promise<{ stdout: string; stderr: string; code: number | null }>;
}

/**
 * How many more threads the program's group may start. RLIMIT_NPROC counts every thread of the
 * user, machine-wide (root outside a user namespace is exempt): a fixed limit of 400 made Node
 * abort at start-up (`uv_thread_create` failed) when CI ran every package's suite at once.
 */
const EXTRA_THREADS = 1000;

/** Threads the current user runs now, everywhere (`/proc/<pid>/status`). */
function userThreads(): number {
  const uid = process.getuid?.() ?? 0;
  let threads = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
      threads += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
    } catch {
      // The process ended while we looked.
    }
  }
  return threads;
}

/**
 * Starts `node fixtures/<name> ...args` in a new process group, killed after `limitS` seconds,
 * allowed {@link EXTRA_THREADS} threads beyond what the user runs already. The group is killed by
 * {@link killGroups}, or, given `onTestFinished` (a concurrent test's own, from its context), when
 * that test ends: `killGroups` in an `afterEach` would also kill the groups of the tests that run
 * beside it.
 */
export function runInGroup(
  name: string,
  args: string[] = [],
  limitS = 30,
  onTestFinished?: (kill: () => void) => void,
): GroupRun {
  return runNodeInGroup([fixture(name), ...args], limitS, onTestFinished, name);
}

/**
 * {@link runInGroup} with Node's whole command line given (`['--input-type=module', '-e', code]`),
 * run in `cwd`.
 */
export function runNodeInGroup(
  nodeArgs: string[],
  limitS = 30,
  onTestFinished?: (kill: () => void) => void,
  name = nodeArgs.join(' '),
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): GroupRun {
  const nproc = userThreads() + EXTRA_THREADS;
  const child = spawn(
    'prlimit',
    [`--nproc=${nproc}`, 'timeout', '-s', 'KILL', String(limitS), process.execPath, ...nodeArgs],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...options },
  );
  const kill = () => killGroup(child);
  if (onTestFinished) onTestFinished(kill);
  else started.add(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d) => {
    stdout += d;
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
  const until = (pattern: RegExp, count = 1) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hits =
          stdout.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))?.length ?? 0;
        if (hits >= count) {
          waiters.delete(check);
          resolve(stdout);
        }
      };
      waiters.add(check);
      check();
      void done.then(() => reject(new Error(`${name} ended before printing ${pattern}: ${stdout}${stderr}`)));
    });
  return { child, kill, until, done };
}

/** The permission-model flag this Node accepts (Node 20 and 22.12: `--experimental-permission`). */
export const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission')
  ? '--permission'
  : '--experimental-permission';

/**
 * Runs a program like {@link runNodeInGroup} (killed after 40 s) and checks that it printed exactly
 * `lines`, one a line, and exited with 0; a mismatch shows what it wrote to stderr.
 */
export async function expectPrints(
  expect: ExpectStatic,
  onTestFinished: (kill: () => void) => void,
  name: string,
  nodeArgs: string[],
  lines: string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  const { stdout, stderr, code } = await runNodeInGroup(nodeArgs, 40, onTestFinished, name, options).done;
  expect(stdout, stderr).toBe([...lines, ''].join('\n'));
  expect(code).toBe(0);
}

/** Kills every process group a test started (call it from `afterEach`). */
export function killGroups(): void {
  for (const child of started) killGroup(child);
  started.clear();
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/** Whether `pid` has exited: gone, or a zombie nobody reaped yet. */
export function hasExited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
