// A worker the system refuses (RLIMIT_NPROC's EAGAIN, a missing Node.js executable, a heap too
// small to boot) fails the call with WorkerStartError: never a hang, never an unhandled 'error'.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, TestRunner } from 'vitest';
import { fixture, runProgram } from './helpers.ts';

const NOBODY = 65534;
const AS_NOBODY = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];
const started = new Set<ChildProcess>();
afterEach(() => {
  for (const child of started) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group has ended.
    }
  }
});

/** Whether no process of the group `pgid` is left, a zombie included. */
function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Waits until every process an earlier run left behind is gone and reaped (10 s at most): a
 * program's reaper `sh` and its children outlive it, orphaned, until init reaps them, and
 * RLIMIT_NPROC counts them until then. Counted by {@link threadsOf} and reaped a moment later, they
 * left the next limit that much room: a pool meant to be refused started (one run in three after
 * a process pool's, where init reaps late).
 */
async function earlierRunsGone(): Promise<void> {
  const until = Date.now() + 10_000;
  for (const child of started) {
    while (child.pid && !groupGone(child.pid) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    started.delete(child);
  }
}

/** Threads `uid` runs now, everywhere: RLIMIT_NPROC counts them all. */
function threadsOf(uid: number): number {
  let threads = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid)
        threads += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
    } catch {
      // The process ended while we looked.
    }
  }
  return threads;
}

/**
 * Runs the fixture as an unprivileged user allowed `extra` threads beyond what that user runs. It is
 * SIGKILLed once the calling test's limit has passed, whole (should this test process die without
 * its afterEach): a fixed bound shorter than the 60 s test's (20 s) could kill a healthy program
 * that CI's load held up (a program has taken 28 times its CPU there) while the test had time left.
 */
async function underLimit(
  extra: number,
  args: string[],
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  await earlierRunsGone();
  const nproc = threadsOf(NOBODY) + extra;
  const child = spawn(
    'setpriv',
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      'prlimit',
      `--nproc=${nproc}`,
      'timeout',
      '-s',
      'KILL',
      String(Math.ceil((TestRunner.getCurrentTest()?.timeout ?? 60_000) / 1000)),
      process.execPath,
      fixture('spawn-limit.mjs'),
      ...args,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ stdout, stderr, code })));
}

/**
 * The limit applies only to an unprivileged user: these tests need root (to switch to one with
 * setpriv) and a Node.js binary that user may run (not one in root's npx cache, say).
 */
const canLimit =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('setpriv', [...AS_NOBODY, 'prlimit', '--nproc=1000', process.execPath, '-e', '0']).status === 0;

describe.skipIf(!canLimit)(
  'under RLIMIT_NPROC (skipped unless root, with setpriv, and a Node.js user 65534 can run)',
  () => {
    // Node itself needs 11 threads to start: with 12, it starts and no worker can.
    it.each([
      ['thread', 'pool'],
      ['thread', 'process'],
      ['process', 'pool'],
      ['process', 'process'],
    ])('a %s %s that cannot start any worker fails with WorkerStartError EAGAIN', async (context, kind) => {
      const { stdout, stderr, code } = await underLimit(12, [context, kind]);
      expect(stderr).not.toContain("Unhandled 'error'");
      expect(code).toBe(0);
      expect(stdout).toMatch(/^WorkerStartError EAGAIN: .*too many processes or threads/);
    });

    // What a process pool's run leaves for init to reap (its reaper `sh`, its children) must not
    // give the next limit room: a thread pool right after it started, one round in three.
    // Six programs, three of them process pools: 2.0 s of CPU (MULTIPROC_CPU_LOG), 8.7 s at a load of
    // 11, 13.5 s at 10-36 beside every other suite. CI has held a program for 28 times its CPU: 60 s.
    it('a thread pool refused right after a process pool ran still fails with WorkerStartError EAGAIN', {
      timeout: 60_000,
    }, async () => {
      for (let round = 0; round < 3; round++) {
        await underLimit(14, ['process', 'pool']);
        const { stdout } = await underLimit(12, ['thread', 'pool']);
        expect([round, stdout]).toEqual([round, expect.stringMatching(/^WorkerStartError EAGAIN: /)]);
      }
    });

    // Past 14 a child process may start and then hang in Node's own start-up, unable to create its
    // threads (not ours: it never becomes ready, and the pool waits for it).
    it.each([
      ['thread', [13, 14, 16]],
      ['process', [13, 14]],
    ] as const)(
      'a %s pool with a few threads to spare either runs or fails with WorkerStartError, and never hangs',
      async (context, extras) => {
        for (const extra of extras) {
          const { stdout, stderr, code } = await underLimit(extra, [context, 'pool']);
          expect(stderr).not.toContain("Unhandled 'error'");
          expect([extra, code]).toEqual([extra, 0]);
          expect(stdout).toMatch(/^(\[1,4,9\]|WorkerStartError \w+: )/);
        }
      },
    );
  },
);

describe('without limits', () => {
  it.each([
    ['pool', 'process'],
    ['process', 'process'],
  ])(
    'a %s whose child cannot spawn (Node.js executable missing) fails with WorkerStartError ENOENT',
    async (kind) => {
      const { stdout, stderr, code } = await runProgram('spawn-limit.mjs', ['process', kind], {
        MP_TEST_EXEC_PATH: '/nonexistent/node',
      });
      expect(stderr).not.toContain("Unhandled 'error'");
      expect(code).toBe(0);
      expect(stdout).toMatch(/^WorkerStartError ENOENT: .*\/nonexistent\/node/);
    },
  );

  // 0.5 s of CPU (Node's start, thread workers that run out of memory while booting) and under 1 s
  // of the pool's delays between refused starts: 2 s at a load of 11, 13.5 s at 10-36 beside every
  // other suite, 45% of core's 30 s. It gets the 60 s the program below gets.
  it('a thread pool whose workers cannot boot (heap too small) fails with WorkerStartError', {
    timeout: 60_000,
  }, async () => {
    const { stdout, code } = await runProgram('spawn-limit.mjs', ['thread', 'pool'], {
      MP_TEST_TINY_HEAP: '1',
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^WorkerStartError undefined: .*ERR_WORKER_OUT_OF_MEMORY.*resourceLimits/);
  });

  // The program's time is CPU (1.5-1.7 s: Node's start and up to six children's) and under 2 s of
  // the pool's delays between refused starts: 10-15 s at a load of 22 on 2 cores, 6.8 s in one CI
  // run, killed at 25 s in another. CI has held a program of the same kind (programs.test.ts) for 28
  // times its CPU time: this one gets the 60 s the programs there get.
  it('a process pool serves with its live workers, fails what waits once none is left, then recovers', {
    timeout: 60_000,
  }, async () => {
    const { stdout, stderr, code } = await runProgram('start-recovery.mjs', ['pool']);
    expect(stderr).not.toContain("Unhandled 'error'");
    // What it printed says which step a killed program was in.
    expect(code, `${stderr}\nstdout: ${stdout}`).toBe(0);
    const [first, during, after, created] = stdout.trim().split('\n');
    expect(first).toBe('[1,4]');
    const results = during!.split(',');
    for (const [i, r] of results.entries())
      expect(['WorkerStartError ENOENT', String((i + 1) ** 2)]).toContain(r);
    expect(results).toContain('WorkerStartError ENOENT');
    expect(after).toBe('[9,16]');
    // Every start is counted, refused ones too: a handful, never a respawn loop.
    expect(Number(created!.split(' ')[1])).toBeLessThan(30);
  });

  it('a warm spare that cannot spawn is dropped: the Process reports WorkerStartError from every join()', async () => {
    const { stdout, code } = await runProgram('start-recovery.mjs', ['warm']);
    expect(code).toBe(0);
    expect(stdout).toBe('WorkerStartError ENOENT,WorkerStartError ENOENT 1 false\nnext 0\n');
  });
});
