// The socket files a program binds in os.tmpdir() (a Manager's, a Listener's, the queue broker's)
// are removed when it ends by process.exit() or an uncaught error, and by a program's own signal
// handler that exits. A signal with no handler of the program ends it as any Node program, with
// no listener of the library (which would defer the signal while the main thread blocks, see
// multiproc's signal-while-blocked.test.ts): its files stay, as Python's on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PROGRAM = new URL('./fixtures/socket-files-program.mjs', import.meta.url).pathname;
const AT_ONCE = new URL('./fixtures/socket-files-at-once.mjs', import.meta.url).pathname;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  left: string[];
  during: string[];
}

/** Runs the program with a private TMPDIR, sends `signal` once it is ready, lists what it left. */
function run(how: string, signal?: NodeJS.Signals, program = PROGRAM): Promise<Ended> {
  const dir = mkdtempSync(join(tmpdir(), 'mp-files-test-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [program, how], {
      env: { ...process.env, TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let during: string[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (signal && stdout.includes('READY') && during.length === 0) {
        during = readdirSync(dir);
        child.kill(signal);
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      // Only ours: Node 22+ keeps its module compile cache there too.
      const left = readdirSync(dir).filter((f) => f.startsWith('mp-'));
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal: sig, stdout, left, during });
    });
  });
}

describe.skipIf(process.platform === 'win32')('socket files at the end of a program', () => {
  it('process.exit() leaves none', async () => {
    const ended = await run('exit');
    expect(ended.stdout).toContain('READY');
    expect(ended.code).toBe(0);
    expect(ended.left).toEqual([]);
  }, 60_000);

  it('an uncaught error leaves none and still exits 1', async () => {
    const ended = await run('uncaught');
    expect(ended.stdout).toContain('READY');
    expect(ended.code).toBe(1);
    expect(ended.left).toEqual([]);
  }, 60_000);

  // The files were left when the program ended in the turn that bound them (registered for
  // removal only at Node's 'listening' event, a tick later).
  it.each(['exit', 'uncaught'])(
    '%s in the turn the sockets were bound leaves none',
    async (how) => {
      const ended = await run(how, undefined, AT_ONCE);
      expect(ended.stdout).toContain('READY');
      expect(ended.code).toBe(how === 'exit' ? 0 : 1);
      expect(ended.left).toEqual([]);
    },
    60_000,
  );

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s ends the program as Node would: it dies of it',
    async (signal) => {
      const ended = await run('wait', signal);
      // The listener's, the manager's and the broker's files were there.
      expect(ended.during.filter((f) => f.endsWith('.sock')).length).toBeGreaterThanOrEqual(3);
      expect(ended.signal).toBe(signal);
    },
    60_000,
  );

  it("a program's own SIGINT handler runs and decides the end; its exit then removes the files", async () => {
    const ended = await run('own-handler', 'SIGINT');
    expect(ended.stdout).toContain('handled');
    expect(ended.code).toBe(5);
    expect(ended.left).toEqual([]);
  }, 60_000);
});
