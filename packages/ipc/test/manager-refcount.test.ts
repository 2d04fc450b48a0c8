// A manager frees an object once no proxy in any thread or process refers to it (Python's
// decref): proxies collected here, or held by a child process that ended; an object a proxy
// stored in another served object refers to is kept, also one a child made and stored before it ended. Run in a program of its own with --expose-gc.
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';

const program = new URL('./fixtures/refcount-program.mjs', import.meta.url).pathname;

it('1000 dropped dicts are freed, here and in a child that ended; a stored one is kept', {
  timeout: 120_000,
}, async () => {
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>(
    (resolve) =>
      execFile(process.execPath, ['--expose-gc', program], { timeout: 110_000 }, (err, out, errOut) =>
        resolve({ stdout: out, stderr: errOut, code: err ? ((err as { code?: number }).code ?? null) : 0 }),
      ),
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const [here, stored, child] = stdout.trim().split('\n');
  const [, made, left] = /^here: (\d+) made, (\d+) left$/.exec(here ?? '') ?? [];
  expect(Number(made)).toBeGreaterThan(0);
  expect(Number(left)).toBeLessThanOrEqual(5);
  expect(stored).toBe('stored: 2 left, inner reads 1');
  expect(child).toBe("child exit 0: 3 left, inner reads 1, the child's reads 2");
});
