// A Process started on a warm spare inherits the parent's process.env (and, for a child, its
// working directory) as they are at start(), as a cold start does: not those of the moment the
// spare was made (the previous start's, since each spare is made as the last one is used).
import { expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

it('a Process on a warm thread spare sees process.env as it is at start()', { timeout: 30_000 }, async () => {
  const { stdout, stderr, code } = await runProgram('warm-env.mjs', ['thread']);
  expect(stderr).toBe('');
  const lines = stdout.split('\n').filter(Boolean);
  expect(lines.map((l) => l.replace(/ cwd=.*/, ''))).toEqual([
    'N=1 GONE=set when the spare was made',
    'N=2 GONE=unset',
    'N=3 GONE=back',
  ]);
  expect(code).toBe(0);
});

it('a Process on a warm child spare sees process.env and the working directory as they are at start()', {
  timeout: 30_000,
}, async () => {
  const { stdout, stderr, code } = await runProgram('warm-env.mjs', ['process']);
  expect(stderr).toBe('');
  expect(stdout.split('\n').filter(Boolean)).toEqual([
    'N=1 GONE=set when the spare was made cwd=d1',
    'N=2 GONE=unset cwd=d2',
    'N=3 GONE=back cwd=d3',
  ]);
  expect(code).toBe(0);
});
