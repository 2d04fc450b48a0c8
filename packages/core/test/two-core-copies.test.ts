// Two copies of @multiproc/core in one program (a dependency with its own copy; tinypool, shared,
// has one worker class for both). Once one copy had wrapped tinypool's worker class, the other
// copy wrapped it again, and a later pool of the first copy passed tinypool an empty env object as
// its key, which the other copy's wrapper did not know: its workers started with no env at all
// (no PATH, none of the program's variables). The copies share the state of worker starts now.
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe('two copies of the package in one program', () => {
  it.each(['thread', 'process'])(
    "start every pool's %s workers with the program's env",
    {
      timeout: 60_000,
    },
    async (context) => {
      const { stdout, stderr, code } = await runProgram('two-core-copies.mjs', [context]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toBe('first seen PATH\ncopy seen PATH\nfirst seen PATH\ncopy seen PATH\n');
    },
  );
});
