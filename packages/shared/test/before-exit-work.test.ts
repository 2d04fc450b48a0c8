// A pending async wait on a program's main thread rejects as one that "can never end" (LockError)
// only when nothing can satisfy it any more: a user's 'beforeExit' listener that sets the event or
// releases the lock (before or after the library's own listener, at once or from a timer it
// schedules) satisfies it, and the wait resolves. It used to reject although the event was set.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/before-exit-work.mjs', import.meta.url));

function run(kind: string, how: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [program, kind, how], { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(err) : resolve(stdout + stderr),
    ),
  );
}

describe("a main-thread wait that a user's 'beforeExit' listener satisfies", () => {
  it.each([
    ['event', 'before'],
    ['event', 'after'],
    ['event', 'timer'],
    ['lock', 'before'],
    ['lock', 'after'],
    ['lock', 'timer'],
    ['sem', 'before'],
    ['sem', 'timer'],
  ])(
    '%s, listener %s: resolves true',
    async (kind, how) => {
      expect(await run(kind, how)).toBe('resolved true\n');
    },
    30_000,
  );

  it.each(['event', 'lock', 'sem'])(
    '%s, a listener that does nothing: rejects with LockError',
    async (kind) => {
      expect(await run(kind, 'idle')).toBe('rejected LockError\n');
    },
    30_000,
  );
});
