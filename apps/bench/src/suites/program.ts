/**
 * Part of suite `process` (issue 18): a whole program, as a CLI user runs it. `node <program>`
 * imports its library, starts one worker or child with a trivial job, waits for it and exits:
 * multiproc's `Process` (fixtures/program-multiproc.mjs) against a bare `new Worker()` / `fork()`
 * of an empty module (program-bare.mjs) and tinypool running one task on a pool of one
 * (program-tinypool.mjs). Unlike the `process/start` rows, which take a warm-up and time the
 * steady state, every sample here pays Node's own start-up, the library's import and the parent's
 * first use of it (the code the first `new Process()` loads). Two figures per program: the wall
 * time from spawning it to its exit, and the CPU it used, user + system, its children and threads
 * included (bash's `times` after the program: a forked child is reaped by the program, so the
 * kernel counts it in the program's children).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nowMs, sampleRuns } from '../harness.js';
import { needs } from '../mp.js';
import { fixturePath } from '../paths.js';
import type { BenchCase } from '../types.js';

const BASH = '/bin/bash';
type Program = 'multiproc' | 'bare' | 'tinypool';
type Runtime = 'thread' | 'process';

/** Wall and CPU ms of one run of `node fixtures/program-<program>.mjs <runtime>`. */
export function runProgram(program: Program, runtime: Runtime): Promise<{ wallMs: number; cpuMs: number }> {
  // `times` prints the shell's own user/system time, then its children's: the second line.
  const script = '"$0" "$1" "$2" >/dev/null || exit $?; times';
  const args = ['-c', script, process.execPath, fixturePath(`program-${program}.mjs`), runtime];
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    execFile(BASH, args, (error, stdout, stderr) => {
      const wallMs = nowMs() - t0;
      if (error) {
        reject(new Error(`program-${program}.mjs ${runtime} failed: ${stderr || error.message}`));
        return;
      }
      const children = stdout.trim().split('\n').at(-1) ?? '';
      const [user, system] = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(
        (m) => (Number(m[1]) * 60 + Number(m[2])) * 1000,
      );
      if (user === undefined || system === undefined) {
        reject(new Error(`program-${program}.mjs: no times in ${JSON.stringify(stdout)}`));
        return;
      }
      resolve({ wallMs, cpuMs: user + system });
    });
  });
}

const IMPL: Record<Program, Record<Runtime, string>> = {
  multiproc: {
    thread: 'multiproc: import, one Process (thread), join',
    process: 'multiproc: import, one Process (process), join',
  },
  bare: {
    thread: 'bare: one new Worker() of an empty module, to exit',
    process: 'bare: one fork() of an empty module, to exit',
  },
  tinypool: {
    thread: 'peer: import tinypool, pool of 1, one task, destroy',
    process: 'peer: tinypool child_process (env inherited), one task, destroy',
  },
};

function programCase(program: Program, runtime: Runtime, figure: 'wall' | 'cpu'): BenchCase {
  return {
    id: `process/program${figure === 'cpu' ? '-cpu' : ''}/${program}-${runtime}`,
    suite: 'process',
    group: `process.program-${figure}-${runtime}`,
    title:
      figure === 'wall'
        ? `a whole program (node prog.mjs): wall time to exit, ${runtime}`
        : `a whole program (node prog.mjs): CPU user+sys, children included, ${runtime}`,
    impl: IMPL[program][runtime],
    kind: program === 'multiproc' ? 'multiproc' : program === 'bare' ? 'baseline' : 'peer',
    unit: 'ms',
    better: 'lower',
    noWarmup: 'each sample is a fresh program (cold on purpose); one untimed run first fills the file cache',
    unavailable: async () =>
      !existsSync(BASH)
        ? `needs ${BASH} (its times builtin counts the program's children)`
        : program === 'multiproc'
          ? needs(['Process', 'defineTasks'])()
          : undefined,
    measure: async ({ runs, warmup }) => {
      await runProgram(program, runtime);
      const samples = await sampleRuns({ runs, warmup }, async () => {
        const { wallMs, cpuMs } = await runProgram(program, runtime);
        return figure === 'wall' ? wallMs : cpuMs;
      });
      return { samples };
    },
  };
}

/** The whole-program cases of the `process` suite: wall, then CPU, for each runtime. */
export function programCases(): BenchCase[] {
  const programs: Program[] = ['multiproc', 'bare', 'tinypool'];
  return (['thread', 'process'] as const).flatMap((runtime) =>
    (['wall', 'cpu'] as const).flatMap((figure) => programs.map((p) => programCase(p, runtime, figure))),
  );
}
