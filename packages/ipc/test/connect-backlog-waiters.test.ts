// Client()s waiting for room in a Unix socket's full backlog (connect-full-backlog.test.ts). Each
// used to connect again by itself every 50 ms: 200 waiters on a listener that did not accept took
// ~17% of a core (~340 ms of CPU in 2 s; 300 waiters ~30%), and, their timers in step, got room
// about two at a time per 50 ms from a listener that did accept. Now they wait in line and only the
// first connects again (~20 ms in 2 s). The listener is another program stopped with SIGSTOP (Node
// accepts by itself while its loop runs), so its backlog stays full; once it is killed, every
// waiter rejects with ConnectError, at once. Measured in a program of its own: the test worker's
// own CPU time is not quiet enough.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/backlog-waiters-program.mjs', import.meta.url));
const WAITERS = 200;

describe('Client()s waiting for room in a full Unix backlog', () => {
  it(`${WAITERS} waiters cost little CPU, and reject with ConnectError once the listener is killed`, {
    timeout: 30_000,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-backlog-'));
    try {
      const r = spawnSync(process.execPath, [program, join(dir, 's'), String(WAITERS)], {
        encoding: 'utf8',
        timeout: 25_000,
      });
      expect(r.stderr).toBe('');
      const [cpuMs, counts, settleMs] = r.stdout.trim().split('\n');
      const ended = JSON.parse(counts!) as Record<string, number>;
      // The few that the backlog took were connected: the listener's death ends them (EOFError).
      expect(ended.ConnectError).toBeGreaterThan(WAITERS - 10);
      expect(Object.keys(ended).filter((k) => k !== 'ConnectError' && k !== 'EOFError')).toEqual([]);
      expect(Number(settleMs)).toBeLessThan(2_000);
      // Each connecting again every 50 ms: ~8,000 connect()s in these 2 s.
      expect(Number(cpuMs)).toBeLessThan(150);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
