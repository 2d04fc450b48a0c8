// Whole programs run as child processes: what a user sees on stdout/stderr and how they exit.
// Each program is independent of the others and mostly waits for Node to start, so they run side
// by side (describe.concurrent, at most vitest's maxConcurrency at once).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { isRunning, runProgram } from './helpers.ts';

// The programs here need 0.5-1.4 s of CPU each (`/usr/bin/time`, process context: 0.5 s a Process
// that fails to start its task, 1.4 s the four of Ans6), almost all of it Node's starts, and wait on
// no timer (but warm-exit.mjs, 300 ms). Run five at a time beside every other suite on 2 cores (load
// 10-36) they took 10-25 s each, the out-of-memory one 27 s in CI, 3 s short of core's 30 s: they
// get 60 s, their programs 55 s before they are killed as hung.
const PROGRAMS = { timeout: 60_000 };

describe.concurrent.each(matrix(import.meta.url))('programs in %s context', PROGRAMS, (context) => {
  // tsx compiles the program, then again in the worker: 3.2 s of CPU in process context, 2.6 s in
  // a thread (`/usr/bin/time`; tsx's start alone is 1-1.4 s a process), the most of any program
  // here. At CI's load it took over 20 s once; beside every other suite at a load of 27 it was
  // killed at 50 s on both tries. CI has held a program for 28 times its CPU: it gets 90 s.
  it('Ans3 (TypeScript through tsx) prints exactly the source line', { timeout: 90_000 }, async ({
    expect,
  }) => {
    const { stdout, stderr, code } = await runProgram('ans3.ts', [context], {}, 85_000);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('This is my process.\n');
  });

  it('Ans6 (compiled JavaScript) prints four whole lines in any order', async ({ expect }) => {
    const { stdout, code } = await runProgram('ans6.mjs', [context]);
    expect(code).toBe(0);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual([
      'Number: 1',
      'Number: 2',
      'Number: 3',
      'Number: 4',
    ]);
  });

  it('never splits a line between concurrent writers', async ({ expect }) => {
    const { stdout, code } = await runProgram('interleave.mjs', [context]);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(800);
    for (const line of lines) expect(line).toMatch(/^worker \d line \d+$/);
  });

  // 0.9-1 s of CPU: two Node starts (0.65 s with an empty target) and the 48 MB heap filled (a
  // 16 MB one saves under 0.1 s). 24 s beside the other suites at a load of 10-36, 27 s in CI at 28.
  it('a Process that runs out of memory: its stderr says so and what to do', async ({ expect }) => {
    const { stdout, stderr } = await runProgram('process-oom.mjs', [context], {
      NODE_OPTIONS: '--max-old-space-size=48',
    });
    // A thread ends with 1 (Node's ERR_WORKER_OUT_OF_MEMORY), a child is aborted by V8 (-SIGABRT).
    // A killed program's stderr ends with "[killed: ...]".
    expect(stdout, stderr.slice(-200)).toBe(context === 'thread' ? 'exitCode=1\n' : 'exitCode=-6\n');
    expect(stderr).toMatch(/the Process \((thread|pid) \d+\) ran out of memory: .*--max-old-space-size/);
    // Not Node's ERR_WORKER_OUT_OF_MEMORY stack of its own internal frames besides.
    expect(stderr).not.toContain('node:internal/worker');
  });

  it('names the task and module when the worker does not define the task', async ({ expect }) => {
    const { stdout, stderr } = await runProgram('missing-task.mjs', [context]);
    expect(stdout).toContain('exitCode=1');
    expect(stderr).toContain("'onlyInMain'");
    expect(stderr).toContain('missing-task.mjs');
  });

  it('names the module when it fails to import in the worker', async ({ expect }) => {
    const { stdout, stderr } = await runProgram('broken-module.mjs', [context]);
    expect(stdout).toContain('exitCode=1');
    expect(stderr).toContain('broken-module.mjs');
    expect(stderr).toContain('top-level failure in the task module');
  });

  it("exits by itself with an idle pool left open after a call's worker died sending messages", async ({
    expect,
  }) => {
    const { stdout, code } = await runProgram('crash-messages-idle.mjs', [context]);
    expect(code).toBe(0);
    expect(stdout).toBe('WorkerCrashedError 3\n');
  });

  it('exits by itself with warm start enabled', async ({ expect }) => {
    const { stdout, code } = await runProgram('warm-exit.mjs', [context]);
    expect(code).toBe(0);
    expect(stdout).toBe('hello from a spare\nexitCode=0\n');
  });

  it("prints a worker's line before the line main prints once it saw what the worker sent next", {
    timeout: 60_000,
  }, async ({ expect }) => {
    // 20 rounds each of queue put, pipe send, JoinableQueue taskDone and Event set (causal-output.mjs)
    // in one Process: 80 round trips. The program's time is CPU, mostly Node's starts (1 s of CPU;
    // with a Process per kind it was 1.8 s, 20-33 s at a load of 20, and 50 s once at CI's).
    const { stdout, stderr, code } = await runProgram('causal-output.mjs', [context], {}, 50_000);
    // The last lines it printed say which round a killed program was in.
    expect(stderr, stdout.split('\n').slice(-4).join('\n')).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(4 * 20 * 2 + 1);
    const late = lines.flatMap((line, at) => {
      const main = /^main (\w+) (\d+)$/.exec(line);
      if (!main) return [];
      const child = lines.indexOf(`child ${main[1]} ${main[2]}`);
      return child !== -1 && child < at ? [] : [line];
    });
    expect(late).toEqual([]);
  });

  it('inherits environment variables', async ({ expect }) => {
    const { stdout } = await runProgram('env.mjs', [context], { MP_TEST_VALUE: 'inherited-42' });
    expect(stdout).toContain('MP_TEST_VALUE=inherited-42');
  });
});

describe.concurrent('a program that captures its output', () => {
  it('replaced process.stdout.write: what a thread Process prints reaches it', async ({ expect }) => {
    const { stdout, code } = await runProgram('captured-output.mjs', []);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(JSON.stringify({ captured: 'hello from the thread\n' }));
  });

  // A thread Pool's workers wrote to the descriptors whatever the program had replaced: the capture
  // saw nothing, and the lines went past it to the terminal.
  it('replaced process.stdout.write and stderr.write: what a thread Pool task prints reaches them', async ({
    expect,
  }) => {
    const { stdout, code } = await runProgram('captured-output.mjs', ['pool']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${JSON.stringify({ stdout: 'out from the pool thread\n', stderr: 'err from the pool thread\n' })}\n`,
    );
  });
});

describe.concurrent('daemon processes', () => {
  it('a parent that exits does not wait for its daemon and leaves no orphan', async ({ expect }) => {
    const { stdout, code } = await runProgram('daemon-parent.mjs', ['process']);
    expect(code).toBe(0);
    const { pid } = JSON.parse(stdout.trim().split('\n')[0]!);
    await expect.poll(() => isRunning(pid), { timeout: 5000 }).toBe(false);
  });

  it('a daemon child ends even when its parent is killed', async ({ expect }) => {
    const { stdout } = await runProgram('daemon-parent.mjs', ['process', 'kill-self']);
    const { pid } = JSON.parse(stdout.trim().split('\n')[0]!);
    await expect.poll(() => isRunning(pid), { timeout: 5000 }).toBe(false);
  });

  it('a daemon thread does not keep the program alive', async ({ expect }) => {
    const { code } = await runProgram('daemon-parent.mjs', ['thread']);
    expect(code).toBe(0);
  });
});

describe.concurrent("a worker's line and what it sends next", () => {
  // 1 s of CPU (Node's start, a child Process's, main's 10 busy stalls of 20 ms), no timer: 15 s
  // beside the other suites at a load of 10-36. As the programs above, it gets 60 s.
  it("prints the worker's line first even when main is held up between the poll and the socket's read", {
    timeout: 60_000,
  }, async ({ expect }) => {
    // 10 rounds: main stalls 20 ms while the worker prints and puts (causal-held-up.mjs).
    const { stdout, stderr, code } = await runProgram('causal-held-up.mjs', []);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(10 * 2 + 1);
    const late = lines.flatMap((line, at) => {
      const main = /^main queue (\d+)$/.exec(line);
      if (!main) return [];
      const child = lines.indexOf(`child queue ${main[1]}`);
      return child !== -1 && child < at ? [] : [line];
    });
    expect(late).toEqual([]);
  });
});

describe.concurrent('a pool left open (process context)', () => {
  it('ends at once after a crash while the replacement worker is still booting', {
    timeout: 60_000,
  }, async ({ expect }) => {
    // tinypool refs the port of a starting worker until it is ready: the program waited out the
    // replacement's boot (over 3 s once at CI's load). Here that boot takes 8 s (slow-boot.cjs).
    const pids = join(mkdtempSync(join(tmpdir(), 'mp-boot-')), 'pids');
    const { stdout, stderr, code } = await runProgram(
      'crash-slow-replacement.mjs',
      [],
      {
        MP_BOOT_PID_FILE: pids,
      },
      50_000,
    );
    expect(code, stderr).toBe(0);
    const [name, ended] = stdout.trim().split('\n');
    expect(name).toBe('WorkerCrashedError');
    const ms = Number(/^ended (\d+) ms into its boot$/.exec(ended ?? '')?.[1]);
    expect(ms).toBeLessThan(4000);
    // The replacement ends with the program (the reaper), long before its boot would have ended.
    const replacement = Number(readFileSync(pids, 'utf8').trim());
    expect(replacement).toBeGreaterThan(0);
    await expect.poll(() => isRunning(replacement), { timeout: 10_000 }).toBe(false);
  });
});

describe.concurrent('a thread pool worker that runs out of memory', () => {
  it(
    'prints one line saying so, not Node’s stack of its own frames; the call and the pool go on',
    PROGRAMS,
    async ({ expect }) => {
      const { stdout, stderr, code } = await runProgram('pool-oom.mjs', []);
      expect(code, stderr).toBe(0);
      expect(stdout).toBe('WorkerCrashedError out of memory\nnext=1\n');
      expect(stderr).toMatch(
        /^multiproc: a pool worker \(thread \d+\) ran out of memory: its JavaScript heap reached its limit and it was stopped; the pool replaces it\.\n$/,
      );
    },
  );
});
