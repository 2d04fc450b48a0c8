// The working folder removed while the program runs: a 'process' context still starts (a bare
// fork() does: the child inherits the removed folder, as Python's children do), with or without
// warm start; a thread, which Node cannot start then (its uv_cwd fails), fails with a
// WorkerStartError saying the working folder no longer exists, never "the Node.js executable is
// missing". Each case is a real program.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/cwd-gone-program.mjs', import.meta.url));

function run(...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROGRAM, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) return reject(new Error(`no result (${err?.message}): ${stderr}`));
      resolve(JSON.parse(line));
    });
  });
}

describe('the working folder removed while the program runs', () => {
  for (const warm of ['cold', 'warm']) {
    it(`a 'process' context still starts, a queue still delivers, a pool still runs (${warm})`, {
      timeout: 90_000,
    }, async () => {
      expect(await run('process', warm)).toEqual({
        process: 0,
        queue: 'from the child',
        pool: [4, 9],
      });
    });
  }

  it("a 'thread' context fails with a WorkerStartError saying the working folder no longer exists", {
    timeout: 90_000,
  }, async () => {
    const out = await run('thread', 'cold');
    for (const what of ['process', 'queue', 'pool']) {
      const e = out[what] as { name: string; message: string };
      expect(e, what).toMatchObject({ name: 'WorkerStartError' });
      expect(e.message, what).toContain('the working folder of this program no longer exists');
      expect(e.message, what).not.toContain('executable');
    }
  });
});
