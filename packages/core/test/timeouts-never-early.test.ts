// A timeout given to a pool call, an AsyncResult, an imap's next() or Process.join() is a lower
// bound on `performance.now()`'s clock: the call never gives up before that many ms have passed.
// Node's timers fire up to about 1 ms early on that clock (a fractional delay is cut to whole ms;
// libuv counts whole ms from the start of the loop's turn): `p.join(10)` returned after 8.9 ms.
import { Pool, Process } from '@multiproc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { shortfalls } from '../../../test-support/shortfalls.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/edge-tasks.mjs';

/** How long the task the calls wait on runs: longer than any timeout above. */
const LONG_MS = 60_000;

describe.each(['thread', 'process'] as const)(
  'in the %s context, a timeout is never cut short',
  (context) => {
    const pool = new Pool({ processes: 2, context });
    // One long call holds a worker: every AsyncResult below waits on it.
    const running = pool.applyAsync(tasks.sleep, [LONG_MS]);
    afterAll(() => pool.terminate());

    it('AsyncResult.get(ms) and wait(ms)', { timeout: 60_000 }, async () => {
      await pool.apply(tasks.echo, [1]); // the pool's workers are up
      expect(await shortfalls((ms) => running.get(ms))).toEqual([]);
      expect(await shortfalls((ms) => running.wait(ms))).toEqual([]);
    });

    it('a call given { timeout }: apply, map, imap, and an imap next(ms)', { timeout: 60_000 }, async () => {
      expect(await shortfalls((ms) => pool.apply(tasks.sleep, [LONG_MS], { timeout: ms }))).toEqual([]);
      expect(await shortfalls((ms) => pool.map(tasks.sleep, [LONG_MS], { timeout: ms }))).toEqual([]);
      expect(
        await shortfalls(async (ms) => {
          for await (const _ of pool.imap(tasks.sleep, [LONG_MS], { timeout: ms }));
        }),
      ).toEqual([]);
      expect(await shortfalls((ms) => pool.imap(tasks.sleep, [LONG_MS]).next(ms))).toEqual([]);
    });

    it('Process.join(ms)', { timeout: 60_000 }, async () => {
      const p = new Process({ target: tasks.sleep, args: [LONG_MS], context });
      p.start();
      try {
        expect(await shortfalls((ms) => p.join(ms))).toEqual([]);
        expect(p.exitCode).toBe(null);
      } finally {
        p.kill();
        await p.join();
      }
    });
  },
);
