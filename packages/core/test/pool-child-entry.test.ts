// A process pool's children run the pool entry itself (`-e` code in their Node flags), not
// tinypool's `entry/process.js`, from the program's first child on, and the pool entry serves
// tinypool's protocol itself (issue 18: one module graph instead of two, ~3 ms of CPU per child).
// A task sees what it saw before: the program's Node flags, the script tinypool names in argv.
import { describe, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe('process pool children', () => {
  it('start with the pool entry, first child included, and look as before to a task', async ({ expect }) => {
    const { stdout, stderr, code } = await runProgram('child-entry.mjs', [], {}, 20_000);
    expect([code, stderr]).toEqual([0, '']);
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 3).sort()).toEqual(['shout 1', 'shout 2', 'shout 3']);
    expect(JSON.parse(lines[3]!)).toEqual({
      tinypoolEntry: false,
      execArgv: [],
      evaluated: null,
      script: 'process.js',
      evalGlobals: [],
      states: true,
      shouts: [2, 4, 6],
      failed: 'RangeError: no',
    });
  }, 30_000);
});
