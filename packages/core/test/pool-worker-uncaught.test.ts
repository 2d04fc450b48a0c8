// An uncaught exception or unhandled rejection in a pool worker (a timer or promise a task left
// behind, fired while the worker idles) is printed with its stack in both contexts, as a child
// process's Node prints it, and the pool goes on with a replacement.

import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { runProgram } from './helpers.ts';

describe.each(matrix(import.meta.url))('an uncaught error in an idle pool worker, %s context', (context) => {
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
});

describe.each(matrix(import.meta.url))('a failing target or task, %s context', (context) => {
  it("a Process target's error is printed with its own fields and its cause, as Node prints an uncaught one", {
    timeout: 60_000,
  }, async () => {
    const { stdout, stderr } = await runProgram('target-cause.mjs', [context, 'process'], {}, 40_000);
    expect(stdout).toBe('exitCode 1\n');
    expect(stderr).toMatch(/^Process Process-1:\nError: outer failure\n\s+at /);
    expect(stderr).toContain("code: 'E_OUTER'");
    expect(stderr).toMatch(/\[cause\]: RangeError: inner cause/);
  });

  it("a pool worker's late uncaught AggregateError is printed with its errors", {
    timeout: 60_000,
  }, async () => {
    const { stdout, stderr } = await runProgram('target-cause.mjs', [context, 'pool'], {}, 40_000);
    expect(stdout).toBe('armed\n');
    // A thread's error crosses to the main thread as an Error named AggregateError ("Error [AggregateError]").
    expect(stderr).toMatch(/AggregateError\]?: late aggregate/);
    expect(stderr).toMatch(/\[errors\]: \[\s*TypeError: first of many/);
  });
});
