// A program piped into a reader that leaves early (`node app.mjs | head -1`): the output of its
// workers, which the program forwards, is dropped once its stdout is closed, without an EPIPE
// error ending the program, and the program still joins its workers (none is left behind).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fixture } from './helpers.ts';

/** Whether any process of the group `pgid` is still running. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupEnded(pgid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!groupAlive(pgid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !groupAlive(pgid);
}

describe('a program whose stdout reader leaves after the first line', () => {
  it.each([
    ['Pool', 'process'],
    ['Process', 'process'],
    ['Pool', 'thread'],
    ['Process', 'thread'],
  ])(
    'a %s in the %s context: forwarded lines are dropped, the program ends normally, no worker lingers',
    {
      timeout: 30_000,
    },
    async (kind, context) => {
      // A group of its own, so that every process the program started can be checked and killed.
      const program = spawn(process.execPath, [fixture('broken-pipe.mjs'), kind, context], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const pgid = program.pid!;
      try {
        let stderr = '';
        program.stderr.setEncoding('utf8').on('data', (text: string) => {
          stderr += text;
        });
        const exited = new Promise<number | string | null>((resolve) =>
          program.once('exit', (code, signal) => resolve(code ?? signal)),
        );
        // What `head -1` does: read a line, then close the read side of the pipe.
        const first = await new Promise<string>((resolve) =>
          program.stdout.setEncoding('utf8').once('data', (text: string) => resolve(text)),
        );
        program.stdout.destroy();
        expect(first).toMatch(/^line 0 from \d+/);
        expect(await exited).toBe(0);
        expect(stderr).not.toMatch(/EPIPE|Unhandled 'error'/);
        expect(stderr).toContain('parent done');
        expect(await groupEnded(pgid, 10_000)).toBe(true);
      } finally {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // The group has ended.
        }
      }
    },
  );
});
