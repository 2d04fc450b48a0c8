// A serving manager dropped without shutdown() is shut down once garbage-collected (Python's
// BaseManager.start() finalizer), freeing its socket file and descriptors; a proxy this thread
// made (also a method read off it), a pending call, or a child's proxy keeps it; a proxy stored in
// one of its own objects does not. Run in a program of its own with --expose-gc.
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';

const program = new URL('./fixtures/collected-program.mjs', import.meta.url).pathname;

it('managers the program lets go of are freed once collected, unless something still uses them', {
  timeout: 120_000,
}, async () => {
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>(
    (resolve) =>
      execFile(process.execPath, ['--expose-gc', program], { timeout: 110_000 }, (err, out, errOut) =>
        resolve({ stdout: out, stderr: errOut, code: err ? ((err as { code?: number }).code ?? null) : 0 }),
      ),
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout.trim().split('\n')).toEqual([
    'dropped: 50 made, true freed, fds true',
    'held: 1 7 true',
    'stored: true',
    'pending: false',
    'elsewhere: 5 5 true true exit 0',
  ]);
});
