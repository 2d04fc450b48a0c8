// A throwing `callback`/`errorCallback` of an `…Async` call is the user's error, reported as Node
// reports a throwing callback: an uncaught exception (Python's result-handler thread prints its
// traceback). The AsyncResult keeps the task's outcome, and the pool goes on. Run as programs: an
// uncaught exception in this test process would fail the run.
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe.each(['thread', 'process'] as const)('a callback that throws (%s)', (context) => {
  it('reaches uncaughtException; the AsyncResult keeps the outcome; the pool goes on', {
    timeout: 60_000,
  }, async () => {
    const { stdout, stderr, code } = await runProgram('callback-throws.mjs', [context, 'listen'], {}, 40_000);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const out = JSON.parse(stdout.split('\n')[0]!);
    expect(out.apply).toEqual({ value: 9, ready: true, successful: true });
    expect(out.errorCallbackCalled).toBeUndefined();
    expect(out.map).toEqual({ rejection: 'RangeError', message: 'task failed on 1', successful: false });
    expect(out.lateCauseIsTaskError).toBe(true);
    expect(out.starmap).toEqual([3, 7]);
    expect(out.next).toBe(16);
    expect(out.caught).toEqual([
      'callback threw',
      'errorCallback threw',
      'async callback rejected',
      'task failed on 2',
    ]);
    expect(out.same).toEqual([true, true, true, true]);
    expect(out.rethrownHasNoOwnCause).toBe(true);
    expect(stdout).toContain('ended quietly');
  });

  it('with no listener, an AsyncResult nobody awaits still shows the error: printed, exit code 1', {
    timeout: 60_000,
  }, async () => {
    const { stdout, stderr, code } = await runProgram('callback-throws.mjs', [context, 'none'], {}, 40_000);
    expect(stderr).toContain('Error: lost callback error');
    expect(stderr).toMatch(/\n\s+at .*callback-throws\.mjs/);
    expect(code).toBe(1);
    expect(stdout).not.toContain('ended quietly');
  });
});
