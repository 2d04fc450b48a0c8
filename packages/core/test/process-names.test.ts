// A program that used only Process met "TypeError: p.is_alive is not a function" (Python's names
// were defined with the Pool's, which load on a Pool's first use), and `await using p = new
// Process(...)` met "TypeError: Symbol(Symbol.dispose) is not a function". A fresh program, so
// that no Pool of another test has loaded the Pool's code.
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe("Process's Python names in a program without a Pool", () => {
  it('throw ValidationError with advice, as do the keys `using` and `await using` read', async () => {
    const { stdout, stderr, code } = await runProgram('process-names.mjs');
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toBe(
      'is_alive ValidationError MP_VALIDATION\nexitcode ValidationError MP_VALIDATION\n' +
        'asyncDispose ValidationError MP_VALIDATION\ndispose ValidationError MP_VALIDATION\n',
    );
  });
});
