// A 'process'-context child that dies before Node ran any of its JavaScript never started: join()
// rejects with WorkerStartError, as a Pool reports the same death (Python raises OSError from
// start()). A child Node aborts at boot under a low process limit (SIGABRT, `prlimit --nproc=20`
// as another user) takes the same path; it is not run here: a parent under that limit may itself
// be refused a thread and hang. A child that started and ended, however soon, and one terminated
// on purpose or killed from outside (a signal to its pid) before it was ready, keep their exit
// code without an error, as in Python. Real programs each.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/died-starting-program.mjs', import.meta.url));

function run(command: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) return reject(new Error(`no result (${err?.message}): ${stderr}`));
      resolve(JSON.parse(line));
    });
  });
}

describe('a Process whose child dies before it is ready', () => {
  it('rejects join() with WorkerStartError when Node exits at boot (a bad NODE_OPTIONS)', {
    timeout: 60_000,
  }, async () => {
    const out = await run(process.execPath, [PROGRAM, 'bad-node-options']);
    expect(out.start).toBe('returned');
    expect(out.join).toMatchObject({ name: 'WorkerStartError' });
    expect((out.join as { message: string }).message).toContain('exited with code 9 before it was ready');
    expect((out.join as { message: string }).message).toContain('NODE_OPTIONS');
    expect(out.exitCode).toBe(9);
  });
});

describe('a Process whose child started', () => {
  it('keeps the exit code of a target that exits at once, without an error', {
    timeout: 60_000,
  }, async () => {
    expect(await run(process.execPath, [PROGRAM, 'exit-at-once'])).toEqual({
      start: 'returned',
      join: 'resolved',
      exitCode: 3,
    });
  });

  it('terminated at once, before it was ready, ends with -15 and no error', { timeout: 60_000 }, async () => {
    expect(await run(process.execPath, [PROGRAM, 'terminate-at-once'])).toEqual({
      start: 'returned',
      join: 'resolved',
      exitCode: -15,
    });
  });

  // Python: `p.start(); os.kill(p.pid, signal.SIGKILL); p.join()` returns, `exitcode == -9`.
  it.for([
    ['sigkill-at-once', -9],
    ['sigterm-at-once', -15],
    ['sigusr2-at-once', -12],
    ['sigalrm-at-once', -14],
  ] as const)(
    'killed from outside before it was ready (%s) joins with exit code %i',
    {
      timeout: 60_000,
    },
    async ([how, exitCode]) => {
      expect(await run(process.execPath, [PROGRAM, how])).toEqual({
        start: 'returned',
        join: 'resolved',
        exitCode,
      });
    },
  );
});
