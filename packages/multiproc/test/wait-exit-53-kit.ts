// Runner and expectations for wait-exit-53.test.ts (the whole matrix, full tier) and
// wait-exit-53-ci.test.ts (its cheap representative cases, CI tier).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExpectStatic } from 'vitest';
import { CONTEXTS } from './report-helpers.ts';

const PROGRAM = fileURLToPath(new URL('./fixtures/wait-exit-53-program.mjs', import.meta.url));
/** Generous against load: alone, every case ends within ~0.3 s of its `LAST` line. */
export const ENDS_WITHIN_MS = 5_000;
/** A program still running after this is killed with its group: a hang. */
const LIMIT_MS = 20_000;

/** The cheap representative cases the CI tier runs (wait-exit-53-ci.test.ts). */
export const CI_CASES = [
  'in-worker:event-wait-none thread',
  'in-worker:lock-acquire-returned thread',
  'in-worker:barrier-wait-killed thread',
  'pool-task-stuck-event thread',
  'queue-get-killed process',
  'manager-lock-acquire-returned process',
];

const POOL_OUTCOMES: Record<string, [live: string, ended: string]> = {
  apply: ['resolved 300', 'WorkerCrashedError'],
  'apply-async-get': ['resolved 300', 'WorkerCrashedError'],
  'apply-async-wait': ['resolved waited', 'resolved waited'],
  map: ['resolved [300,300]', 'WorkerCrashedError'],
  imap: ['resolved [300,300]', 'WorkerCrashedError'],
};

/** What the wait of case `name` settles with. */
export function expected(name: string): string {
  if (name === 'everything-once-live') return 'done';
  if (name === 'pool-task-stuck-event') return 'LockError 1';
  const m = /^(.*)-(live|returned|exit|terminated|killed|none)$/.exec(name);
  if (!m) throw new Error(`no expectation for ${name}`);
  const [, api, how] = m as unknown as [string, string, string];
  const live = how === 'live';
  const pool = /^pool-(.*)$/.exec(api);
  if (pool) {
    const [ok, crashed] = POOL_OUTCOMES[pool[1]!]!;
    if (live) return ok;
    if (how === 'exit') return crashed;
    return pool[1] === 'apply-async-wait' ? 'resolved waited' : 'PoolClosedError';
  }
  switch (api) {
    case 'parent-sets-event':
      return 'resolved 0';
    case 'join':
      return `resolved ${{ live: 0, returned: 0, exit: 3, terminated: -15, killed: -9 }[how]}`;
    case 'queue-get':
    case 'simple-queue-get':
    case 'manager-queue-get':
    case 'pipe-recv':
      return live ? 'resolved late' : 'EOFError';
    case 'pipe-recv-bytes':
      return live ? 'resolved 3' : 'EOFError';
    case 'wait-queue':
      return live ? 'resolved 1' : 'EOFError';
    case 'joinable-join':
      return live ? 'resolved undefined' : 'EOFError';
    case 'pipe-poll':
      return how === 'none' ? 'EOFError' : 'resolved true';
    case 'pipe-iterate':
      return live ? 'resolved ["late"]' : 'resolved []';
    case 'pipe-wait-conn':
    case 'pipe-wait-conn-ms':
      return how === 'none' ? 'EOFError' : 'resolved 1';
    // A holder that failed (exit, terminate, kill) gives a lock back; one that returned does not,
    // as in Python; an RLock comes back either way (and the main thread may take its own again).
    case 'lock-acquire':
    case 'semaphore-acquire':
    case 'manager-lock-acquire':
      return how === 'returned' || how === 'none' ? 'LockError' : 'resolved true';
    case 'rlock-acquire':
      return 'resolved true';
    case 'event-wait':
    case 'manager-event-wait':
    case 'condition-wait':
    case 'condition-wait-for':
      return live ? 'resolved true' : 'LockError';
    case 'barrier-wait':
      return live ? 'resolved number' : 'BrokenBarrierError';
    case 'barrier-waiting-party':
      return 'BrokenBarrierError';
    default:
      throw new Error(`no expectation for ${name}`);
  }
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  afterLastMs: number | null;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function runCase(which: string, context: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PROGRAM, which, context], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid!;
    let stdout = '';
    let stderr = '';
    let lastAt: number | null = null;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (lastAt === null && /^LAST$/m.test(stdout)) lastAt = performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => killGroup(pgid), LIMIT_MS);
    // 'close': after the pipes ended, so every line is read.
    child.on('close', (code, signal) => {
      const endedAt = performance.now();
      clearTimeout(timer);
      killGroup(pgid);
      resolve({ code, signal, stdout, stderr, afterLastMs: lastAt === null ? null : endedAt - lastAt });
    });
  });
}

function listCases(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROGRAM, 'list'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`list: ${code}`)),
    );
  });
}

const names = await listCases();
/** The same waits inside a worker: those a worker can make (no pool of its own needed). */
const inWorker = names.filter((n) => !n.startsWith('pool-') && /-(live|returned|killed|none)$/.test(n));
/** Every case, in both contexts. */
export const all = CONTEXTS.flatMap((context) => [
  ...names.map((n) => [n, context] as const),
  ...inWorker.map((n) => [`in-worker:${n}`, context] as const),
]);

/** Runs one case and checks its outcome, its exit code and how soon it ended. */
export async function checkCase(which: string, context: string, expect: ExpectStatic): Promise<void> {
  const run = await runCase(which, context);
  const inner = which.startsWith('in-worker:') ? which.slice('in-worker:'.length) : null;
  const lines = run.stdout.split('\n').filter((l) => /^(AFTER|INNER|LAST)/.test(l));
  expect(lines, run.stderr).toEqual(
    inner === null
      ? [`AFTER ${expected(which)}`, 'LAST']
      : [`INNER ${expected(inner)}`, 'AFTER exitCode 0', 'LAST'],
  );
  expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({ code: 0, signal: null });
  expect(run.stderr).not.toMatch(/unsettled top-level await/i);
  expect(run.afterLastMs).toBeLessThan(ENDS_WITHIN_MS);
}
