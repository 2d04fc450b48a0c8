// A worker hands the pipe end or queue it was given on to a Process of its own, then ends (exits,
// throws, is killed) before that child connected: the child ends with it, never having claimed the
// copy reserved for it, and nobody is left to report that child's end. The reservation used to
// count as a live handle forever, so the parent's recv()/get() never settled (CONTRACT: a recv() or
// get() never waits forever on a peer that is gone). The home now releases what a copy reserved for
// its own workers when that copy's link closes (`HomeCopy.sponsored`).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EOFError, Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/hand-on-tasks.mjs', import.meta.url).href);
const PROGRAM = fileURLToPath(new URL('./fixtures/hand-on-program.mjs', import.meta.url));

afterEach(killProcesses);

const MIXES: [Context, Context][] = [
  ['process', 'thread'],
  ['thread', 'process'],
  ['process', 'process'],
  ['thread', 'thread'],
];

describe.each(MIXES)('a %s worker hands a pipe end on to a %s child', (outer, inner) => {
  it.each(['exit', 'throw', 'kill', 'close-exit', 'close-kill'])(
    'and ends before it connected (%s): recv() rejects with EOFError',
    async (how) => {
      const [mine, theirs] = Pipe();
      const [report, reportEnd] = Pipe();
      const p = startProcess(outer, tasks.handOn, [theirs, inner, how, reportEnd]);
      theirs.close();
      reportEnd.close();
      if (how.endsWith('kill')) {
        await report.recv();
        p.kill();
      }
      await p.join();
      await expect(mine.recv()).rejects.toBeInstanceOf(EOFError);
    },
  );

  it('whose own copy is closed: the end of the child it killed reaches the home', async () => {
    const [mine, theirs] = Pipe();
    const [report, reportEnd] = Pipe();
    const p = startProcess(outer, tasks.handOn, [theirs, inner, 'close-grandkill', reportEnd]);
    theirs.close();
    reportEnd.close();
    await report.recv();
    await expect(mine.recv()).rejects.toBeInstanceOf(EOFError);
    expect(p.isAlive()).toBe(true);
  });
});

function runProgram(args: string[]): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PROGRAM, ...args], { timeout: 20_000 }, (err, stdout) =>
      resolve({ stdout, code: err ? ((err as { code?: number }).code ?? null) : 0 }),
    );
  });
}

describe('a queue handed on to a child that never connected', () => {
  it.each<[Context, Context, string]>([
    ['process', 'thread', 'exit'],
    ['thread', 'process', 'throw'],
    ['process', 'process', 'kill'],
    ['thread', 'thread', 'close-exit'],
  ])(
    '%s -> %s (%s): the program ends, its get() rejected with EOFError',
    async (outer, inner, how) => {
      const { stdout, code } = await runProgram([outer, inner, how]);
      expect(stdout.trim()).toBe('EOFError');
      expect(code).toBe(0);
    },
    25_000,
  );
});
