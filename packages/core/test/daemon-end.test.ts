// A daemon 'process'-context child still running when its program ends gets SIGTERM first, and
// SIGKILL only after the 1 s grace, as Python's exit function terminate()s daemonic children: its
// SIGTERM handler runs. A program that returns waits for that (its output is forwarded); one that
// calls process.exit() ends at once and its reaper does it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, onTestFinished } from 'vitest';
import { isRunning, runProgram } from './helpers.ts';

// Each test's own directory, removed when that test ends (the tests run side by side).
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-daemon-end-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const flag = (dir: string) => {
  try {
    return readFileSync(join(dir, 'flag'), 'utf8');
  } catch {
    return '';
  }
};

async function run(ending: 'return' | 'exit', handler: 'cleanup' | 'ignore', print = false) {
  const dir = scratch();
  const started = performance.now();
  const out = await runProgram(
    'daemon-cleanup.mjs',
    [dir, ending, handler, print ? 'print' : ''],
    {},
    60_000,
  );
  const ms = performance.now() - started;
  if (!out.stdout) throw new Error(`no output: ${JSON.stringify(out)}`);
  const pid = JSON.parse(out.stdout.split('\n')[0]!).pid as number;
  return { ...out, dir, pid, ms };
}

describe.concurrent('a daemon child when its program ends', { timeout: 90_000 }, () => {
  it('gets SIGTERM and is waited for when the program returns; its cleanup output is forwarded', async ({
    expect,
  }) => {
    const { code, stdout, stderr, dir, pid } = await run('return', 'cleanup', true);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Written before the program ended: it waited for its daemon, as Python joins it.
    expect(flag(dir)).toBe(`term ${pid}\n`);
    expect(stdout.split('\n').slice(1)).toEqual(['daemon cleanup ran', '']);
    expect(isRunning(pid)).toBe(false);
  });

  it('gets SIGTERM from the reaper when the program calls process.exit()', async ({ expect }) => {
    const { code, dir, pid } = await run('exit', 'cleanup');
    expect(code).toBe(0);
    await expect.poll(() => flag(dir), { timeout: 10_000 }).toBe(`term ${pid}\n`);
    await expect.poll(() => isRunning(pid), { timeout: 10_000 }).toBe(false);
  });

  for (const ending of ['return', 'exit'] as const) {
    it(`is SIGKILLed after the grace when it ignores SIGTERM (program ${ending})`, async ({ expect }) => {
      const { code, dir, pid } = await run(ending, 'ignore');
      expect(code).toBe(0);
      await expect.poll(() => flag(dir), { timeout: 10_000 }).toBe(`term ${pid}\n`);
      // Its handler ran and it went on: the SIGKILL ends it.
      await expect.poll(() => isRunning(pid), { timeout: 10_000 }).toBe(false);
    });
  }

  it('is not terminated while the program waits on a lock it holds (the program has not ended)', async ({
    expect,
  }) => {
    const { stdout, stderr, code } = await runProgram('daemon-lock-wait.mjs', [], {}, 60_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ alive: true, exitCode: null });
  });
});
