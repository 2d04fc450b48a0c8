// A timeout longer than a timer can measure (2^31 - 1 ms, about 24.8 days; Node fires such a
// setTimeout after 1 ms) or Infinity waits without limit everywhere, as a 30-day wait in Python
// does: each wait below is still pending after a pause, then ends when what it waits for happens.
// A fraction of a millisecond is a timeout like any other everywhere (it waits about the timer's
// least step), so a loop that waits out `deadline - performance.now()` never meets a refusal.
import { getContext, Pool, Process } from '@multiproc/core';
import { Pipe, Queue, wait } from '@multiproc/ipc';
import { MAX_TIMEOUT_MS, resolveTimeout, TimeoutError } from '@multiproc/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/pool-tasks.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as sentinelTasks } from './fixtures/sentinel-tasks.mjs';

const DAYS_30 = 30 * 24 * 3600 * 1000;
const LONG = [DAYS_30, 2 ** 40, Number.MAX_SAFE_INTEGER];
const PAUSE_MS = 200;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves to 'pending' if `promise` has not settled after the pause, else to what it settled with. */
async function stillPending(promise: Promise<unknown>): Promise<unknown> {
  const settled = promise.then(
    (v) => ({ resolved: v }),
    (e: unknown) => ({ rejected: String(e) }),
  );
  return Promise.race([settled, pause(PAUSE_MS).then(() => 'pending')]);
}

describe('timeouts longer than a timer can measure wait without limit', () => {
  it('resolveTimeout reads them as Infinity and keeps the largest timer as it is', () => {
    for (const ms of LONG) expect(resolveTimeout(ms, 'Queue.get()').timeoutMs).toBe(Number.POSITIVE_INFINITY);
    expect(resolveTimeout(MAX_TIMEOUT_MS, 'Queue.get()').timeoutMs).toBe(MAX_TIMEOUT_MS);
  });

  it.each(LONG)('Connection.poll, Queue.get/put and wait() (%d ms)', async (ms) => {
    const [a, b] = Pipe();
    const poll = b.poll(ms);
    const waited = wait([b], ms);
    expect(await stillPending(poll)).toBe('pending');
    expect(await stillPending(waited)).toBe('pending');
    a.send('x');
    expect(await poll).toBe(true);
    expect(await waited).toEqual([b]);
    a.close();
    b.close();
    const q = new Queue<number>({ maxsize: 1 });
    const got = q.get({ timeout: ms });
    expect(await stillPending(got)).toBe('pending');
    await q.put(1);
    expect(await got).toBe(1);
    await q.put(2);
    const put = q.put(3, { timeout: ms });
    expect(await stillPending(put)).toBe('pending');
    expect(await q.get()).toBe(2);
    await put;
    expect(await q.get()).toBe(3);
    q.close();
  });

  it.each(matrix(import.meta.url))('Process.join (%s context)', { timeout: 20_000 }, async (context) => {
    const [mine, theirs] = Pipe();
    const p = new Process({ target: sentinelTasks.endWhenTold, args: [theirs], context });
    p.start();
    theirs.close();
    const joined = p.join(DAYS_30);
    expect(await stillPending(joined)).toBe('pending');
    expect(p.exitCode).toBe(null);
    mine.send(0);
    await joined;
    expect(p.exitCode).toBe(0);
    mine.close();
  });

  describe('Pool', () => {
    const pool = new Pool({ processes: 2, context: 'thread' });
    afterAll(() => pool.terminate());

    it.each([DAYS_30, Number.POSITIVE_INFINITY])(
      'a call with { timeout: %d } runs to its end',
      async (ms) => {
        expect(await pool.apply(tasks.sleepThen, [PAUSE_MS, 'done'], { timeout: ms })).toBe('done');
        expect(await pool.starmap(tasks.sleepThen, [[PAUSE_MS, 1]], { timeout: ms })).toEqual([1]);
      },
    );

    it('a call with { timeout: null } (Python: None) runs to its end', async () => {
      expect(await pool.apply(tasks.sleepThen, [PAUSE_MS, 'done'], { timeout: null })).toBe('done');
      expect(await pool.map(tasks.sleepThen, [PAUSE_MS], { timeout: null })).toEqual([undefined]);
    });

    it('a call timeout of 0.5 ms is taken by every call kind: a longer task rejects with TimeoutError', async () => {
      const options = { timeout: 0.5 };
      const drain = async (results: AsyncIterable<unknown>) => {
        for await (const _ of results);
      };
      const calls = [
        pool.apply(tasks.sleepThen, [PAUSE_MS, 1], options),
        pool.map(tasks.sleepThen, [PAUSE_MS], options),
        pool.starmap(tasks.sleepThen, [[PAUSE_MS, 1]], options),
        pool.applyAsync(tasks.sleepThen, [PAUSE_MS, 1], options).get(),
        pool.mapAsync(tasks.sleepThen, [PAUSE_MS], options).get(),
        pool.starmapAsync(tasks.sleepThen, [[PAUSE_MS, 1]], options).get(),
        drain(pool.imap(tasks.sleepThen, [PAUSE_MS], options)),
        drain(pool.imapUnordered(tasks.sleepThen, [PAUSE_MS], options)),
      ];
      for (const call of calls) await expect(call).rejects.toBeInstanceOf(TimeoutError);
      expect(await pool.apply(tasks.sleepThen, [0, 'still works'])).toBe('still works');
    });

    it('AsyncResult.get and wait', async () => {
      const r = pool.applyAsync(tasks.sleepThen, [PAUSE_MS * 2, 'late']);
      expect(await r.get(DAYS_30)).toBe('late');
      const w = pool.applyAsync(tasks.sleepThen, [PAUSE_MS * 2, 'late']);
      expect(await w.wait(2 ** 40)).toBe(true);
    });
  });

  describe.each(matrix(import.meta.url))('Pool idleTimeout (%s context)', (context) => {
    it.each([2 ** 31, 2 ** 40, Number.POSITIVE_INFINITY])(
      'idleTimeout %d never stops an idle worker above minProcesses',
      { timeout: 20_000 },
      async (ms) => {
        const idle = new Pool({ processes: 1, minProcesses: 0, idleTimeout: ms, context });
        try {
          expect(await idle.apply(tasks.sleepThen, [0, 'ran'])).toBe('ran');
          await pause(PAUSE_MS);
          expect(idle.stats().workers).toBe(1);
        } finally {
          await idle.terminate();
        }
      },
    );
  });

  it('Pool idleTimeout 0.5 (ms) is taken; NaN is refused', async () => {
    const idle = new Pool({ processes: 1, idleTimeout: 0.5, context: 'thread' });
    expect(await idle.apply(tasks.sleepThen, [0, 'ran'])).toBe('ran');
    await idle.terminate();
    expect(() => new Pool({ idleTimeout: Number.NaN })).toThrow(/idleTimeout/);
  });

  it("the process context's Lock and Event", { timeout: 20_000 }, async () => {
    const ctx = getContext('process');
    const lock = ctx.Lock();
    await lock.acquire();
    const second = lock.acquire({ timeout: DAYS_30 });
    expect(await stillPending(second)).toBe('pending');
    await lock.release();
    expect(await second).toBe(true);
    await lock.release();
    const ev = ctx.Event();
    const waited = ev.wait(DAYS_30);
    expect(await stillPending(waited)).toBe('pending');
    await ev.set();
    expect(await waited).toBe(true);
  });
});
