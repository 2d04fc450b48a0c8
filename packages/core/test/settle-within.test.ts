// A pool's bounded waits (`settleWithin`: a worker's last messages after its exit, a join's last
// output) end at their bound even while a handle that has nothing to say holds the event loop: a
// pipe a worker's own child still holds open, here a child's stdout that stays quiet.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { settleWithin } from '../src/pool/slot.ts';

it('settleWithin ends at its bound while a quiet pipe holds the loop', { timeout: 20_000 }, async () => {
  const quiet = spawn('sleep', ['15'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    quiet.stdout.on('data', () => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = performance.now();
    await settleWithin(new Promise(() => {}), 50);
    expect(performance.now() - t0).toBeLessThan(5000);
  } finally {
    quiet.kill('SIGKILL');
  }
});
