// `node --stack-size=<KiB> program` raised the main thread's stack limit, but a worker thread has a
// stack of its own (Node's default, 4 MB), which the flag does not reach: recursion that worked in
// the program failed with RangeError in a 'thread' pool task or thread Process. Threads now get the
// program's stack (`src/internal/thread-stack.ts`) unless the pool sets `resourceLimits.stackSizeMb`;
// a forked child inherits the flag itself.
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.js';

describe('node --stack-size reaches worker threads', () => {
  it('a depth that passes in the program passes in a thread task, a thread Process and a child', {
    timeout: 60_000,
  }, async () => {
    // 7000 KiB: past a default thread's 3.8 MB of usable stack, inside an 8 MB `ulimit -s`.
    const { stdout, stderr, code } = await runProgram('stack-depth.mjs', [], {}, undefined, [
      '--stack-size=7000',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({
      parent: true,
      'thread pool': true,
      'process pool': true,
      'thread Process': true,
      'stackSizeMb: 1 kept': true,
    });
  });
});
