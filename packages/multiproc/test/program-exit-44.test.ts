// How programs END with multiproc objects left in every state, as users and public bug reports of
// Node's and Python's pools describe it ("never exits", "exits with code 13 / unsettled top-level
// await", "hangs at exit", "orphan workers after exit"). Each case is a whole program
// (fixtures/exit-44-program.mjs <case> <context>) run in a process group of its own, bounded, and
// its group killed afterwards. Two properties:
// (a) a program with nothing left to do ends soon after its last line (`LAST`), without close(),
//     join() or terminate(), and no process of its group outlives it;
// (b) a program awaiting something that will settle prints what comes after the await (`AFTER ...`)
//     and ends with code 0, never 13.
// CI runs the cases marked `ci` in both contexts; the full tier (MULTIPROC_TESTS=full) runs all.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { CONTEXTS, type Context } from './report-helpers.ts';

const FULL_TESTS = process.env.MULTIPROC_TESTS === 'full';
const PROGRAM = fileURLToPath(new URL('./fixtures/exit-44-program.mjs', import.meta.url));

/** Generous against CI's load: alone, every case ends within ~1.1 s of its `LAST` line. */
const ENDS_WITHIN_MS = 5_000;
/** How long the processes of a program's group may take to go once it ended (the reaper's grace). */
const GROUP_GONE_MS = 4_000;
/** A program still running after this is killed with its group. */
const LIMIT_MS = 20_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout's lines, a `PIDS [...]` line read as `PIDS`. */
  lines: string[];
  stderr: string;
  /** From the `LAST` (or `KILL ME`) line to the program's exit; null without one. */
  afterLastMs: number | null;
  /** The processes of the program's group still there {@link GROUP_GONE_MS} after it ended. */
  left: string[];
}

/** The live (not zombie) processes of process group `pgid`, as `pid:name`. */
function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) === pgid && state !== 'Z') {
        members.push(`${pid}:${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`);
      }
    } catch {
      // It ended while we looked.
    }
  }
  return members;
}

const killGroup = (pgid: number) => {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

/**
 * Runs `case` in `context` in a new process group. On a `KILL ME` line its main process (only) is
 * sent `signal`. Resolves once it ended and its group is empty (or {@link GROUP_GONE_MS} passed);
 * the group is killed in any case.
 */
function runCase(
  which: string,
  context: Context,
  { signal = 'SIGKILL', limitMs = LIMIT_MS } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PROGRAM, which, context], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid!;
    let stdout = '';
    let stderr = '';
    let lastAt: number | null = null;
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (lastAt === null && /^LAST$/m.test(stdout)) lastAt = performance.now();
      if (!killed && /^KILL ME$/m.test(stdout)) {
        killed = true;
        lastAt = performance.now();
        process.kill(pgid, signal as NodeJS.Signals);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => killGroup(pgid), limitMs);
    child.on('exit', async (code, sig) => {
      const endedAt = performance.now();
      clearTimeout(timer);
      const until = endedAt + GROUP_GONE_MS;
      while (groupMembers(pgid).length > 0 && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const left = groupMembers(pgid);
      killGroup(pgid);
      // Read what is still in the pipes (the exit can come before the last data event).
      await new Promise((r) => (child.stdout.readableEnded ? r(null) : child.stdout.once('end', r)));
      resolve({
        code,
        signal: sig,
        lines: stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (line.startsWith('PIDS ') ? 'PIDS' : line)),
        stderr,
        afterLastMs: lastAt === null ? null : endedAt - lastAt,
        left,
      });
    });
  });
}

interface Case {
  /** The lines the program prints, in order (`PIDS [...]` as `PIDS`). */
  lines: string[] | ((context: Context) => string[]);
  /** Exit code (default 0). */
  code?: number;
  /** Killed on purpose at its `KILL ME` line (then it ends by that signal). */
  killedWith?: NodeJS.Signals;
  ci?: boolean;
}

// (a) nothing left to do: ends at rest, no close()/join()/terminate().
const AT_REST: Record<string, Case> = {
  'pool-new': { lines: ['LAST'], ci: true },
  'pool-second-starting': { lines: ['LAST'] },
  'pool-idle': { lines: ['PIDS', 'LAST'] },
  'pool-crashed': { lines: ['CRASH WorkerCrashedError', 'LAST'], ci: true },
  // A chunk still running when its imap consumer left: nothing can read its result, so it holds
  // nothing (it held the program until it ended: a minute here, for ever for an endless task).
  'pool-imap-left-running': { lines: ['GOT 10', 'LAST'], ci: true },
  'pool-closed': { lines: ['LAST'] },
  'pool-closed-unused': { lines: ['LAST'] },
  'pool-recycling': { lines: ['PIDS', 'LAST'], ci: true },
  'pool-initializer': { lines: ['LAST'] },
  'pool-initializer-used': { lines: ['INIT true', 'LAST'] },
  'pool-min-idle-timeout': { lines: ['LAST'] },
  'pool-async-result-ready': { lines: ['LAST'] },
  'pool-imap-abandoned': { lines: ['LAST'] },
  'pool-imap-never-iterated': { lines: ['LAST'] },
  'pool-timed-out-call': { lines: ['TIMEOUT TimeoutError', 'LAST'] },
  'pool-aborted-call': { lines: ['ABORTED AbortError', 'LAST'] },
  'pool-terminate-unawaited': { lines: ['LAST'] },
  'warm-spare': { lines: ['LAST'], ci: true },
  'warm-spare-used': { lines: ['LAST'] },
  // Python: a daemon Process is terminated at exit (SIGTERM, then SIGKILL after 1 s if ignored).
  'process-daemon': { lines: ['PIDS', 'LAST'], ci: true },
  'process-daemon-ignores-term': { lines: ['PIDS', 'LAST'] },
  'process-joined-timeout-daemon': { lines: ['JOINED null', 'LAST'] },
  'process-ended-unjoined': { lines: ['LAST'] },
  'queue-empty': { lines: ['LAST'] },
  'queue-items': { lines: ['LAST'] },
  'queue-items-from-worker': { lines: ['QSIZE 3', 'LAST'] },
  'queue-copy-in-idle-pool': { lines: ['GOT 0', 'LAST'] },
  'pipe-copy-in-ended-process': { lines: ['LAST'] },
  'manager-started': { lines: ['LAST'] },
  'manager-proxies': { lines: ['LAST'], ci: true },
  'manager-proxy-in-worker': { lines: ['GOT v', 'LAST'] },
  'listener-open': { lines: ['LAST'] },
  'listener-client-open': { lines: ['LAST'] },
  'shared-objects': { lines: ['LAST'], ci: true },
  'shared-objects-in-worker': { lines: ['LAST'] },
  // Waits nothing can satisfy any more reject (never exit code 13), then the program ends.
  'stuck-queue-get': { lines: ['AFTER EOFError', 'LAST'] },
  'stuck-pipe-recv': { lines: ['AFTER EOFError true', 'LAST'] },
  'stuck-joinable-join': { lines: ['AFTER EOFError', 'LAST'] },
  'stuck-lock-acquire': { lines: ['AFTER LockError', 'LAST'] },
  'stuck-event-wait': { lines: ['AFTER LockError', 'LAST'] },
  'stuck-barrier-wait': { lines: ['AFTER BrokenBarrierError', 'LAST'] },
  'stuck-manager-queue-get': { lines: ['AFTER EOFError', 'LAST'] },
};

// (b) awaiting something that will settle: what follows the await runs, exit code 0.
const AWAITING: Record<string, Case> = {
  'pool-pending-call': { lines: ['AFTER 800', 'LAST'], ci: true },
  'pool-pending-first-call': { lines: ['AFTER true', 'LAST'] },
  'pool-pending-join': { lines: ['AFTER true 800', 'LAST'], ci: true },
  'pool-pending-after-crash': { lines: ['AFTER WorkerCrashedError 300', 'LAST'] },
  'pool-pending-recycling': { lines: ['AFTER 100,100,100', 'LAST'] },
  'pool-pending-initializer': { lines: ['AFTER true', 'LAST'] },
  'pool-pending-async-get': { lines: ['AFTER 500', 'LAST'] },
  'pool-pending-imap': { lines: ['AFTER 200,100,300', 'LAST'] },
  'pool-imap-left-then-join': { lines: ['GOT 10', 'AFTER joined', 'LAST'], ci: true },
  'pool-imap-left-then-calls': { lines: ['AFTER 100,200,300', 'LAST'] },
  'pool-timed-out-then-call': { lines: ['AFTER TimeoutError 500', 'LAST'] },
  'pool-beside-own-channel': { lines: ['HOOK false', 'LAST', 'MESSAGE late'] },
  // Calls nobody awaits: the program's end waits for them (their callbacks run).
  'pool-unawaited-callback': { lines: ['LAST', 'CALLBACK 500'] },
  'pool-unawaited-map-callback': { lines: ['LAST', 'CALLBACK 300,300,300'] },
  // Python joins a non-daemon Process at exit.
  'process-nondaemon': { lines: ['LAST', 'TARGET DONE'], ci: true },
  'process-pending-join': { lines: ['AFTER 0', 'LAST'] },
  'process-pending-join-daemon': { lines: ['AFTER 0', 'LAST'] },
  'process-left-pool-open': { lines: ['AFTER 0', 'LAST'] },
  'process-left-pool-busy': { lines: ['AFTER 0', 'LAST'] },
  'process-left-manager-open': { lines: ['AFTER 0', 'LAST'] },
  'pool-task-left-pool-open': { lines: ['AFTER returned', 'LAST'] },
  'process-big-item-unread': { lines: ['AFTER 0', 'LAST'] },
  'queue-pending-get': { lines: ['AFTER late', 'LAST'], ci: true },
  'simple-queue-pending-get': { lines: ['AFTER late', 'LAST'] },
  'pipe-pending-recv': { lines: ['AFTER late', 'LAST'] },
  'joinable-pending-join': { lines: ['AFTER joined', 'LAST'] },
  'queue-pending-get-pool': { lines: ['AFTER late', 'LAST'] },
  'manager-pending-call': { lines: ['AFTER true', 'LAST'] },
  'manager-pending-queue-get': { lines: ['AFTER late', 'LAST'] },
  'listener-pending-accept': { lines: ['AFTER hello', 'LAST'] },
  'lock-pending-acquire': { lines: ['AFTER true', 'LAST'], ci: true },
  'event-pending-wait': { lines: ['AFTER true', 'LAST'] },
  'condition-pending-wait': { lines: ['AFTER true', 'LAST'] },
};

// Ends that are not the loop running dry: process.exit(), an uncaught error, a kill of main alone.
const ABRUPT: Record<string, Case> = {
  'exit-busy-pool': { lines: ['PIDS'] },
  'exit-busy-process': { lines: ['PIDS'] },
  'throw-busy-pool': { lines: ['PIDS', 'LAST'], code: 1 },
  'killed-busy-pool': { lines: ['PIDS', 'KILL ME'], killedWith: 'SIGKILL' },
  'killed-busy-process': { lines: ['PIDS', 'KILL ME'], killedWith: 'SIGKILL', ci: true },
  'killed-busy-daemon': { lines: ['PIDS', 'KILL ME'], killedWith: 'SIGKILL' },
  'sigterm-busy-pool': { lines: ['PIDS', 'KILL ME'], killedWith: 'SIGTERM' },
};

const chosen = (cases: Record<string, Case>) =>
  Object.entries(cases).filter(([, c]) => FULL_TESTS || c.ci === true);

describe.concurrent.each(CONTEXTS)('how a program ends, %s context', (context) => {
  it.for(chosen({ ...AT_REST, ...AWAITING, ...ABRUPT }))(
    '%s',
    { timeout: 30_000 },
    async ([which, c], { expect }) => {
      const run = await runCase(
        which.startsWith('sigterm-') ? which.replace('sigterm-', 'killed-') : which,
        context,
        {
          signal: c.killedWith,
        },
      );
      const lines = typeof c.lines === 'function' ? c.lines(context) : c.lines;
      expect(run.lines, run.stderr).toEqual(lines);
      if (c.killedWith) expect(run.signal).toBe(c.killedWith);
      else
        expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({
          code: c.code ?? 0,
          signal: null,
        });
      if (run.afterLastMs !== null) expect(run.afterLastMs).toBeLessThan(ENDS_WITHIN_MS);
      expect(run.left).toEqual([]);
    },
  );

  // A listening socket: a client from anywhere could still connect, so `accept()` keeps the program
  // alive (Python blocks too) instead of ending it with code 13.
  it.runIf(FULL_TESTS)(
    'stuck-listener-accept: a pending accept() keeps the program running',
    {
      timeout: 30_000,
    },
    async ({ expect }) => {
      const run = await runCase('stuck-listener-accept', context, { limitMs: 3_000 });
      expect(run.lines).toEqual([]);
      expect(run.signal).toBe('SIGKILL');
    },
  );
});
