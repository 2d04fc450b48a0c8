// SIGINT and SIGTERM end a program at once, as they end any Node program, even while its main
// thread blocks (acquireSync(), waitSync()) or computes, after it used something that binds a
// Unix socket file (a Manager, a process-context Lock or Queue, a Listener). A JavaScript signal
// listener of the library (one removed those files) ran only when the event loop turned: the
// signal was deferred forever and only SIGKILL ended the program.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PROGRAM = new URL('./fixtures/signal-blocked.mjs', import.meta.url).pathname;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

/** Runs the program, sends `signal` once it says READY; how long it took to end after that. */
function run(use: string, how: string, signal: NodeJS.Signals): Promise<Ended> {
  const dir = mkdtempSync(join(tmpdir(), 'mp-signal-test-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROGRAM, use, how], {
      env: { ...process.env, TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    let sent = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (sent === 0 && stdout.includes('READY')) {
        // Past the print, the main thread is about to block or spin.
        setTimeout(() => {
          sent = Date.now();
          child.kill(signal);
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
        }, 200);
      }
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal: sig, ms: sent === 0 ? -1 : Date.now() - sent });
    });
  });
}

const CASES = [
  ['manager', 'sync', 'SIGTERM'],
  ['manager', 'busy', 'SIGINT'],
  ['processLock', 'event', 'SIGINT'],
  ['processLock', 'busy', 'SIGTERM'],
  ['processQueue', 'sync', 'SIGINT'],
  ['processQueue', 'event', 'SIGTERM'],
  ['listener', 'sync', 'SIGTERM'],
  ['listener', 'busy', 'SIGINT'],
] as const;

describe.skipIf(process.platform === 'win32')('a signal while the main thread blocks or computes', () => {
  it.each(CASES)(
    'after a %s, blocked (%s), %s ends the program at once',
    async (use, how, signal) => {
      const ended = await run(use, how, signal);
      expect(ended.ms).toBeGreaterThanOrEqual(0);
      // Ended by the signal itself: a deferred one would have met the SIGKILL sent 5 s after it
      // (the program blocks for a minute, or spins for 20 s). No bound on `ms`: how soon this side
      // sees the end depends on the load (4 s seen while CI-like load kept the parent waiting).
      expect(ended.signal).toBe(signal);
    },
    60_000,
  );
});
