// What concurrent workers print reaches the program's stdout and stderr in whole lines, whatever
// they are (a pipe, as a test harness reads them, or a file), however long the lines and in however
// many writes a line is made; and a worker's last words without a newline are never lost.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { FULL_TESTS, fixture } from './helpers.ts';
import { readLines, runOn } from './output-check.ts';

const TIMEOUT_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'output-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs a fixture with its stdout and stderr on files, or on a pipe (a real one, as a shell's `|` or
 * a harness makes: Node's own `'pipe'` is a socket, which takes a long write whole). Through the
 * pipe comes stdout, or stderr when `stream` says so, or both (`2>&1 |`, as `stdout` then); the
 * code is then the pipe reader's.
 */
function run(
  name: string,
  args: string[],
  to: 'pipe' | 'file',
  stream: 'stdout' | 'stderr' | 'both' = 'stdout',
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const files = to === 'file' ? [join(dir, `${args.join('-')}.out`), join(dir, `${args.join('-')}.err`)] : [];
  const fds = files.map((file) => openSync(file, 'w'));
  const command = [process.execPath, fixture(name), ...args];
  const child =
    to === 'file'
      ? spawn(command[0]!, command.slice(1), {
          stdio: ['ignore', fds[0]!, fds[1]!],
          timeout: TIMEOUT_MS - 5000,
        })
      : spawn('sh', ['-c', `"$0" "$@" ${REDIRECT[stream]}| cat`, ...command], {
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: TIMEOUT_MS - 5000,
        });
  for (const fd of fds) closeSync(fd);
  const out: Buffer[] = [];
  const rest: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => rest.push(chunk));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      if (files.length) {
        const [stdout, stderr] = files.map((file) => readFileSync(file, 'utf8'));
        resolve({ stdout: stdout!, stderr: stderr!, code });
        return;
      }
      const [piped, other] = [Buffer.concat(out).toString(), Buffer.concat(rest).toString()];
      resolve(
        stream === 'stderr' ? { stdout: other, stderr: piped, code } : { stdout: piped, stderr: other, code },
      );
    });
  });
}

/** What the shell does with the program's streams before `| cat`. */
const REDIRECT = { stdout: '', stderr: '2>&1 >/dev/null ', both: '2>&1 ' } as const;

const LINE = /^<(A\d+:A+|B\d+:B+|C\d+:C+|D\d+:D+)>$/;
// [kind, how, lines per worker, bytes per line]: a line in 3 writes, or 20 KB in one (beyond what a
// pipe writes whole), on stdout and stderr; pool tasks, Processes and daemon Processes.
type Case = readonly [kind: string, how: string, lines: number, bytes: number];
const ALL_CASES: readonly Case[] = [
  ['pool', 'split', 200, 3000],
  ['pool', 'long', 60, 20_000],
  ['pool', 'err', 60, 20_000],
  ['process', 'split', 200, 3000],
  ['process', 'long', 60, 20_000],
  ['process', 'err', 60, 20_000],
  ['daemon', 'split', 200, 500],
  ['daemon', 'long', 60, 20_000],
];
// Each case runs a program of four workers: CI runs every kind and every way of writing once per
// sink, the full tier every combination.
const SOME_CASES: Record<'pipe' | 'file', readonly Case[]> = {
  pipe: [ALL_CASES[0]!, ALL_CASES[4]!, ALL_CASES[2]!, ALL_CASES[6]!],
  file: [ALL_CASES[1]!, ALL_CASES[3]!],
};
const TAILS = ['return', 'exit', 'terminate', 'daemon', 'pool', 'pool-open', 'pool-terminate'];

describe.concurrent.each(matrix(import.meta.url))('output of concurrent workers in %s context', (context) => {
  describe.each(['pipe', 'file'] as const)('to a %s', (to) => {
    it.for(FULL_TESTS ? ALL_CASES : SOME_CASES[to])(
      '%s workers, %s lines: never cut inside a line',
      { timeout: TIMEOUT_MS },
      async ([kind, how, n, len], { expect }) => {
        const args = [context, kind, how, String(n), String(len)];
        const { stdout, stderr, code } = await run(
          'output-lines.mjs',
          args,
          to,
          how === 'err' ? 'stderr' : 'stdout',
        );
        expect(code).toBe(0);
        const text = how === 'err' ? stderr : stdout;
        expect(text.endsWith('\n')).toBe(true);
        const lines = text.slice(0, -1).split('\n');
        expect(lines).toHaveLength(4 * n);
        expect(lines.filter((line) => !LINE.test(line)).map((line) => line.slice(0, 40))).toEqual([]);
      },
    );
  });

  // Before, in the 'process' context, 2 to 13 lines in 240 came out cut: the main thread forwarded
  // a child's stdout line to a pipe that took part of it, Node queued the rest, and a stderr line
  // forwarded meanwhile went into the same pipe first.
  it.for(FULL_TESTS ? ['process', 'pool', 'daemon'] : ['process', 'pool'])(
    '%s workers printing long lines on stdout and stderr, both one pipe (2>&1): never cut',
    { timeout: TIMEOUT_MS },
    async (kind, { expect }) => {
      const { stdout, code } = await run(
        'output-lines.mjs',
        [context, kind, 'both', '60', '20000'],
        'pipe',
        'both',
      );
      expect(code).toBe(0);
      const lines = stdout.slice(0, -1).split('\n');
      expect(lines.filter((line) => !LINE.test(line)).map((line) => line.slice(0, 40))).toEqual([]);
      expect(lines).toHaveLength(4 * 60);
    },
  );

  it.for(FULL_TESTS ? TAILS : ['exit', 'daemon', 'pool-terminate'])(
    "a worker's last words without a newline (%s): written once, as they are",
    { timeout: TIMEOUT_MS },
    async (mode, { expect }) => {
      const { stdout } = await run('output-tail.mjs', [context, mode], 'pipe');
      expect(stdout).toBe(`tail:${mode}`);
    },
  );

  it(
    'a worker terminated in the middle of a line does not stop the others from writing',
    async ({ expect }) => {
      const { stdout } = await run('output-tail.mjs', [context, 'cut'], 'pipe');
      expect(stdout.match(/<B\d+:B{100}>\n/g)).toHaveLength(50);
    },
    TIMEOUT_MS,
  );
});

describe('output of the main thread and its workers', () => {
  it.for(['thread process', 'pool'])(
    "the main thread's own long lines are not cut by a thread's (%s), nor cut into one",
    { timeout: TIMEOUT_MS },
    async (workers, { expect }) => {
      const kinds = workers.split(' ');
      // The main thread and the workers print 100 KB lines for 300 ms at once, through a real pipe;
      // the main thread forwards a process child's lines too.
      const { stdout, code } = await run('output-mixed.mjs', ['300', '100000', ...kinds], 'pipe');
      expect(code).toBe(0);
      const lines = stdout.slice(0, -1).split('\n');
      expect(lines.filter((line) => !LINE.test(line)).map((line) => line.slice(0, 40))).toEqual([]);
      const tags = kinds.map((kind) => ({ thread: 'A', process: 'B', pool: 'D' })[kind]);
      expect(new Set(lines.map((line) => line[1]))).toEqual(new Set(['C', ...tags]));
    },
  );
});

// A program that forwards a 'process' child's output keeps its stdout and stderr non-blocking, as
// any Node program's pipes are: made blocking (to keep a forwarded line whole when both are one
// pipe), a reader that fell behind stopped the program's whole event loop, so its timers and its
// SIGTERM listener waited until the reader read again (for ever, if it never did).
it('a stdout reader that does not read does not stop the program: its timers run, SIGTERM reaches its listener', async ({
  expect,
}) => {
  const child = spawn(process.execPath, [fixture('slow-reader.mjs')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pause(); // the reader behind: nothing is read from stdout until the program ended
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (!sent && stderr.includes('LOGGED')) {
      sent = true;
      setTimeout(() => child.kill('SIGTERM'), 300);
    }
  });
  const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(killer);
  child.stdout.resume();
  expect([code, signal], stderr).toEqual([0, null]);
  expect(stderr).toMatch(/LOGGED\nSTOPPED ticks=[1-9]\d*\n/);
}, 20_000);

// What the main program writes itself and what it forwards, when its stdout and stderr are one
// pipe (`2>&1 | cat`). Before: the program's own console.error() landed inside a child's 100 KB
// line whose rest Node had queued (8 to 23 lines in 240 cut); and a process.exit() right after the
// workers wrote lost the lines still queued, and wrote what it read from their pipes at exit cut
// into the queued one. The whole matrix (sinks, contexts, endings) is output-whole-wide.test.ts.
describe("the main program's own writes and its 'process' workers' lines, on one pipe", () => {
  it.for(['return', 'main-exit'])(
    'ending by %s: every line whole, none lost',
    { timeout: TIMEOUT_MS },
    async (ending, { expect }) => {
      const { output, code } = await runOn(
        'pipe',
        'output-stress.mjs',
        ['process', 'process', ending, '20', '100000'],
        TIMEOUT_MS - 10_000,
      );
      const { counts, tails, cut } = readLines(output);
      expect({ cut, A: counts.A, B: counts.B, tails }).toEqual({ cut: [], A: 20, B: 20, tails: 'AB' });
      expect(counts.C).toBeGreaterThan(0);
      expect(code).toBe(0);
    },
  );
});

// A program that replaced process.stdout.write (a logger that passes lines on) gets its thread
// workers' lines through it: before, a line a pool's thread or a daemon thread wrote in three
// write() calls could have another thread's output between its pieces (the pool's threads were
// forwarded write by write), and a daemon thread's lines bypassed the replacement altogether.
it.for(['pool', 'daemon'])(
  'a replaced process.stdout.write gets each line a %s thread writes in pieces whole',
  { timeout: TIMEOUT_MS },
  async (kind, { expect }) => {
    const { stdout, stderr } = await run('captured-split.mjs', [kind], 'file');
    expect(JSON.parse(stderr)).toEqual({ lines: 600, cut: 0 });
    expect(stdout.split('\n')).toHaveLength(601);
  },
);

// A worker that prints faster than the program's reader reads: the program read its pipe on and
// held all of it in process.stdout's buffer (1.9 GB after 9 s of a child printing endlessly to a
// slow reader). Now the pipe waits, as Node's pipe() does, and the worker with it; no line is lost.
it('a child printing 8 MB to a reader that waits is held back in its pipe, not buffered', {
  timeout: TIMEOUT_MS,
}, async ({ expect }) => {
  // The reader reads nothing for a second, then counts the lines.
  const child = spawn(
    'sh',
    ['-c', `"$0" "$1" | (sleep 1; wc -l)`, process.execPath, fixture('output-held.mjs')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TIMEOUT_MS - 5000,
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  await new Promise((resolve) => child.once('close', resolve));
  expect(out.trim()).toBe('40000');
  const [, held, code] = /held (\d+) exit (\S+)/.exec(err) ?? [];
  expect(code, err).toBe('0');
  // About a forwarded chunk (64 KiB of lines) beyond Node's 16 KiB mark, never the 8 MB.
  expect(Number(held), err).toBeLessThan(1024 * 1024);
});

// A progress bar in a worker (`\r` redraws, no newline until the end) showed nothing until the worker
// ended: its unfinished line was held for a newline. A write that redraws its line goes whole.
describe.each([
  ['process', 'process'],
  ['process', 'thread'],
  ['pool', 'process'],
  ['pool', 'thread'],
] as const)('a worker drawing a progress line with \\r and no newline (%s, %s context)', (kind, context) => {
  it('each state reaches the reader while the worker runs, not at its end', async ({ expect }) => {
    const flag = join(mkdtempSync(join(tmpdir(), 'mp-progress-')), 'seen');
    const child = spawn(process.execPath, [fixture('output-progress.mjs'), kind, context, flag], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('50%') && !existsSync(flag)) writeFileSync(flag, '');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(err, out).toContain('done');
    expect(code).toBe(0);
    expect(out).toBe('\rworking 50%\rworking 100%\n');
  }, 30_000);
});
