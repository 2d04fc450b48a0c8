import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * With `MULTIPROC_CPU_LOG=<file>` set, every test file appends one line to that file when it ends:
 * the CPU time it used in ms (this test process and every child process it waited for, from
 * /proc/self/stat), its wall time in ms, its path, and when it ended. Used to keep the CI tier
 * inside its budget: `MULTIPROC_CPU_LOG=/tmp/cpu.tsv npm test`, then sort the file by its first
 * column.
 */
const log = process.env.MULTIPROC_CPU_LOG;

/** utime + stime + cutime + cstime of this process, in clock ticks (1/100 s on Linux). */
function ticks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((sum, at) => sum + Number(fields[at]), 0);
}

if (log !== undefined && process.platform === 'linux') {
  let cpu = 0;
  let wall = 0;
  beforeAll(() => {
    cpu = ticks();
    wall = Date.now();
  });
  afterAll(() => {
    const file = expect.getState().testPath ?? '?';
    appendFileSync(
      log,
      `${(ticks() - cpu) * 10}\t${Date.now() - wall}\t${file}\t${new Date().toISOString()}\n`,
    );
  });
}
