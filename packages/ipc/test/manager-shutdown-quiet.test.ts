// A program that awaited every call and then shut its own manager down is told nothing: the
// release or set it pipelined last (written without an answer) is no loss once the manager ends
// by its own shutdown() (Python prints nothing either). Its proxies still reject afterwards.
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';

const PROGRAM = new URL('./fixtures/shutdown-quiet-program.mjs', import.meta.url).pathname;

it('await release() or set() then shutdown(), cycle after cycle, prints no ManagerWarning', async () => {
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>(
    (resolve) => {
      execFile(process.execPath, [PROGRAM], { timeout: 30_000 }, (err, out, errOut) =>
        resolve({ stdout: out, stderr: errOut, code: err ? ((err as { code?: number }).code ?? null) : 0 }),
      );
    },
  );
  expect(stderr).toBe('');
  expect(stdout.split('\n').filter(Boolean)).toEqual(Array(3).fill('ManagerClosedError'));
  expect(code).toBe(0);
}, 40_000);
