// A thread pool's workers start with the pool entry as their main module once the program has
// seen tinypool's worker class (its first thread), and the pool entry serves tinypool's protocol
// itself: calls answer, output printed before an answer comes first, tinypool's worker state is
// set (issue 18: one module graph instead of two, ~2 ms of CPU per worker). A fresh program, so
// which thread is the first is known.
import { describe, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe('thread pool workers', () => {
  it("the program's first thread starts with tinypool's entry, every later one with the pool entry", async ({
    expect,
  }) => {
    const { stdout, stderr, code } = await runProgram('thread-entry.mjs', [], {}, 20_000);
    expect([code, stderr]).toEqual([0, '']);
    const shouts = 'shout 1\nshout 2\nshout 3\n';
    expect(stdout.split('\n').sort().join('\n')).toBe(
      `${shouts}${shouts}A worker.js 2,4,6 true\nB pool-entry.js 2,4,6 true\n`.split('\n').sort().join('\n'),
    );
    // What a call printed is out before its answer, hence before the line printed after the calls.
    expect(stdout.indexOf('A worker.js')).toBeGreaterThan(stdout.indexOf('shout 3'));
    expect(stdout.lastIndexOf('shout 3')).toBeLessThan(stdout.indexOf('B pool-entry.js'));
  }, 30_000);
});
