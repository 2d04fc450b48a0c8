// An uncaught exception or unhandled rejection in a pool worker (a timer or promise a task left
// behind, fired while the worker idles) is printed with its stack in both contexts, as a child
// process's Node prints it, and the pool goes on with a replacement.

import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe.each(['thread', 'process'] as const)(
  'an uncaught error in an idle pool worker, %s context',
  (context) => {
    it.each([
      ['throw', 'late throw from a timer'],
      ['reject', 'late unhandled rejection'],
    ])(
      "a task's late %s reaches stderr with its stack, and the pool goes on",
      { timeout: 60_000 },
      async (kind, message) => {
        const { stdout, stderr, code } = await runProgram('idle-throw.mjs', [context, kind], {}, 40_000);
        expect(stderr).toContain(`Error: ${message}`);
        expect(stderr).toMatch(/\n\s+at .*idle-throw\.mjs/);
        expect(stdout).toContain('armed');
        expect(stdout).toContain('next call: 36');
        expect(code).toBe(0);
      },
    );
  },
);
