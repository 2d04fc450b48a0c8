// Runs an output fixture with its stdout and stderr on one sink, the way a shell or a harness sets
// them up, and checks what came out: every line whole, each worker's lines all there.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.ts';

/**
 * Where the program's stdout and stderr both go: a pipe (`2>&1 | cat`), a pipe whose reader falls
 * behind, a socket (a harness's `'pipe'`), a file (`> out.txt 2>&1`), a terminal (`script`).
 */
export type Sink = 'pipe' | 'slow' | 'socket' | 'file' | 'pty';

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs `node fixture args` with stdout and stderr on `sink`; what came out, and how it ended. */
export function runOn(
  sink: Sink,
  name: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ output: string; code: number | null; ms: number }> {
  const command = [process.execPath, fixture(name), ...args];
  const started = Date.now();
  let file: string | undefined;
  let dir: string | undefined;
  let child: ChildProcess;
  if (sink === 'file') {
    dir = mkdtempSync(join(tmpdir(), 'output-sink-'));
    file = join(dir, 'out.txt');
    const fd = openSync(file, 'w');
    child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', fd, fd], timeout: timeoutMs });
    closeSync(fd);
  } else if (sink === 'pty') {
    const line = `${command.map(quote).join(' ')} 2>&1`;
    child = spawn('script', ['-qec', line, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: timeoutMs,
    });
  } else {
    const reader = {
      pipe: '| cat',
      slow: `| ${quote(process.execPath)} ${quote(fixture('slow-cat.mjs'))}`,
      socket: '',
    };
    const redirect = sink === 'socket' ? 'exec "$0" "$@" 2>&1' : `"$0" "$@" 2>&1 ${reader[sink]}`;
    child = spawn('sh', ['-c', redirect, ...command], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: timeoutMs,
    });
  }
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const ms = Date.now() - started;
      let output = file ? readFileSync(file, 'utf8') : Buffer.concat(chunks).toString();
      if (dir) rmSync(dir, { recursive: true, force: true });
      // A terminal writes each newline as CR LF.
      if (sink === 'pty') output = output.replaceAll('\r\n', '\n');
      resolve({ output, code, ms });
    });
  });
}

const LINE = /^<(A\d+:A+|B\d+:B+|C\d+:C+)>$/;

/**
 * Reads `output-stress.mjs`'s output: how many whole lines each writer's tag has (A and B the
 * workers, C the main program), the workers' last words (`[tail A]`, each at the start of a line:
 * written without a newline, the next line follows it), and the lines that are not whole (their
 * first 60 characters).
 */
export function readLines(output: string): { counts: Record<string, number>; tails: string; cut: string[] } {
  const counts: Record<string, number> = { A: 0, B: 0, C: 0 };
  const tails: string[] = [];
  const cut: string[] = [];
  for (let line of output.split('\n')) {
    const lastWords = /^(\[tail [AB]\])+/.exec(line)?.[0];
    if (lastWords) {
      tails.push(...lastWords.replaceAll(/[^AB]/g, ''));
      line = line.slice(lastWords.length);
    }
    if (LINE.test(line)) counts[line[1]!]!++;
    // Anything else a worker's crash report, unless it has a piece of a line in it.
    else if (line.includes('<') || line.includes('[tail')) cut.push(line.slice(0, 60));
  }
  return { counts, tails: tails.sort().join(''), cut };
}
