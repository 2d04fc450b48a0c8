// A 'process' pool's child runs the pool entry from -e code in place of tinypool's entry
// (worker/child-serve.ts). Its tasks see the program's flags and globals, not the -e code, nor the
// globals Node gives -e code (the CommonJS names, and every builtin module by its name: `fs`,
// `http`, ...), and the threads they start do not inherit the -e code's ways either.
import { Pool } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { childExecArgv } from '../src/internal/start-args.ts';
import { tasks } from './fixtures/child-eval-tasks.mjs';

describe("a 'process' pool's child", () => {
  it("gives its tasks the program's flags and globals: not the -e code, its globals or Node's builtin modules", async () => {
    const pool = new Pool({ processes: 1, context: 'process' });
    try {
      const state = await pool.apply(tasks.evalState, []);
      expect(state.execArgv).toEqual(childExecArgv());
      expect(state.evalCode).toBeNull();
      expect(state.globals).toEqual([]);
      expect(state.builtinGlobals).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
      // A thread a task starts as plain code does (CommonJS eval code, inheriting the child's flags).
      expect(await pool.apply(tasks.evalThread, [])).toBe('object');
    } finally {
      await pool.terminate();
    }
  }, 30_000);
});
