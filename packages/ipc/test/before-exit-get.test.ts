// A pending get()/recv() rejects as one nothing can answer (EOFError) only when nothing can any
// more: a user's 'beforeExit' listener that puts (run after the library's own listener, at once
// or from a timer it schedules) answers it. It used to reject.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/before-exit-get.mjs', import.meta.url));

function run(kind: string, how: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [program, kind, how], { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(err) : resolve(stdout + stderr),
    ),
  );
}

describe("a get() that a user's 'beforeExit' listener answers", () => {
  it.each([
    ['queue', 'now'],
    ['pipe', 'now'],
    ['queue', 'after'],
    ['queue', 'timer'],
    ['pipe', 'after'],
    ['pipe', 'timer'],
  ])(
    '%s, listener %s: resolves',
    async (kind, how) => {
      expect(await run(kind, how)).toBe('resolved 7\n');
    },
    30_000,
  );

  it.each(['queue', 'pipe'])(
    '%s, a listener that does nothing: rejects with EOFError',
    async (kind) => {
      expect(await run(kind, 'idle')).toBe('rejected EOFError\n');
    },
    30_000,
  );
});
