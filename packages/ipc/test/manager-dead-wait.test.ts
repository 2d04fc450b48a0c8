// A wait on a manager this program serves that nothing left could end rejects with a message that
// fits what waited: an Event's says nothing could set() it (not "Release it first"), a Condition's
// that nothing could notify() it, a Lock's and a Semaphore's that nothing could release them.
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';

const program = new URL('./fixtures/dead-wait-program.mjs', import.meta.url).pathname;

it('each dead wait names its own call and what nothing left could do', { timeout: 60_000 }, async () => {
  const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
    execFile(process.execPath, [program], { timeout: 50_000 }, (err, out) =>
      resolve({ stdout: out, code: err ? ((err as { code?: number }).code ?? null) : 0 }),
    );
  });
  expect(code).toBe(0);
  const lines: Record<string, string> = {};
  for (const line of stdout.trim().split('\n')) {
    const at = line.indexOf(': ');
    lines[line.slice(0, at)] = line.slice(at + 2);
  }
  expect(lines.lock).toMatch(
    /^LockError Lock\.acquire\(\) can never end: .* could release it .*Release it before acquiring it again/,
  );
  expect(lines.semaphore).toMatch(
    /^LockError Semaphore\.acquire\(\) can never end: .* could release a permit/,
  );
  expect(lines.event).toMatch(
    /^LockError Event\.wait\(\) can never end: .* could set\(\) this Event .*will set\(\) it first/,
  );
  expect(lines.event).not.toMatch(/Release it/);
  expect(lines.condition).toMatch(
    /^LockError Condition\.wait\(\) can never end: .* could notify\(\) this Condition/,
  );
});
