// A wait in a program's main thread that nothing left could end rejects instead of ending the
// program on an unsettled await (exit code 13), one after another; a daemon thread still running
// may end it, so it waits for that one.
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe('waits that nothing can end', () => {
  it('reject, one after another, and the program ends normally', async () => {
    const { stdout, stderr, code } = await runProgram('stuck-wait.mjs');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'LockError',
      'LockError',
      'LockError',
      'EOFError',
      'BrokenBarrierError true',
      '',
    ]);
  });

  it('wait for a live daemon thread that may still end them', async () => {
    const { stdout, code } = await runProgram('stuck-wait.mjs', ['daemon']);
    expect(code).toBe(0);
    expect(stdout).toBe('resolved true\n');
  });
});
