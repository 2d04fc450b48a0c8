// How a pool replaces workers: an initializer failing in later workers never stops the healthy
// ones or the calls made later (it used to break the pool for good after three failures); live
// workers never exceed `processes` (a replacement used to start before the worker it replaced had
// exited); and the item a child killed outright was running is named exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerCrashedError } from '@multiproc/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { replaceTasks as t } from './fixtures/replace-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const dir = mkdtempSync(join(tmpdir(), 'mp-replace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let flags = 0;

describe.each(matrix(import.meta.url))('%s context', (context) => {
  it('an initializer failing in later workers fails only their calls; the healthy worker serves the rest', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({
      processes: 2,
      context,
      initializer: t.initFirstOnly,
      initargs: [join(dir, `flag-${flags++}`)],
    });
    let gone = 0;
    pool.on('workerDestroy', () => gone++);
    const served = new Set<string>();
    // Rounds of calls until more than 2 x processes workers failed their initializer (the old
    // limit was 3): every round is still served, by the one worker that initialised.
    for (let round = 0; gone <= 4; round++) {
      expect(round).toBeLessThan(40);
      const settled = await Promise.allSettled(Array.from({ length: 8 }, () => pool.apply(t.who, [])));
      for (const r of settled) {
        if (r.status === 'fulfilled') served.add(r.value);
        else {
          expect(r.reason).toBeInstanceOf(RangeError);
          expect(r.reason.message).toBe('only the first worker initialises');
        }
      }
      expect(settled.some((r) => r.status === 'fulfilled')).toBe(true);
      // Past the delay before the next replacement starts (it grows with each failure).
      await new Promise((resolve) => setTimeout(resolve, 100 * round));
    }
    expect(served.size).toBe(1);
    await expect(pool.apply(t.who, [])).resolves.toBe([...served][0]);
  });

  it('an initializer that never succeeds fails the waiting calls, and each later call tries again', {
    timeout: 60_000,
  }, async () => {
    const flag = join(dir, `flag-${flags++}`);
    // Another pool used the flag: no worker of this one can initialise.
    const first = makePool({ processes: 1, context, initializer: t.initFirstOnly, initargs: [flag] });
    await first.apply(t.who, []);
    const pool = makePool({ processes: 2, context, initializer: t.initFirstOnly, initargs: [flag] });
    let gone = 0;
    pool.on('workerDestroy', () => gone++);
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => pool.apply(t.quick, [1])));
    for (const r of settled) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    for (let i = 0; i < 2; i++) {
      const before = gone;
      await expect(pool.apply(t.quick, [1])).rejects.toThrow('only the first worker initialises');
      // A worker tried and left: not a stale error.
      await vi.waitFor(() => expect(gone).toBeGreaterThan(before), { timeout: 10_000, interval: 20 });
    }
  });

  // 16 starts, two at a time: 39-50 s in the thread context and 48 s to past 60 s (timed out) in
  // the process context in full-tier runs at a load of 20-25 on 2 cores; alone, 56-63 s of wall
  // time for 4.5 s of CPU (process context, load 25-33). Twice that.
  it('live workers never exceed processes while maxTasksPerChild replaces them', {
    timeout: 120_000,
  }, async () => {
    const pool = makePool({ processes: 2, context, maxTasksPerChild: 1 });
    let live = 0;
    let peak = 0;
    let peakStats = 0;
    pool.on('workerCreate', () => {
      peak = Math.max(peak, ++live);
      peakStats = Math.max(peakStats, pool.stats().workers);
    });
    pool.on('workerDestroy', () => {
      live--;
    });
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => pool.apply(t.quick, [i])));
    expect(results).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(peak).toBeLessThanOrEqual(2);
    expect(peakStats).toBeLessThanOrEqual(2);
  });

  // Python's workers take the calls off one queue: a one-process pool runs them in the order made.
  // A batch tinypool posted to a worker about to retire came back unrun after the later ones.
  // Its workers start one after another (a replacement starts once the one it replaces exited),
  // 2 x ceil(9 / maxTasksPerChild) of them. Each start and exit took 2.5-3.7 s of wall time in the
  // process context (0.25 s of CPU) and 1-4 s in the thread context at a load of 20-25 on 2 cores:
  // the 16 starts of both values, alone, took 55 s (process) and 31 s (thread), and in one test
  // they passed its 60 s in both contexts in full-tier runs. One test per value: the 10 starts of
  // maxTasksPerChild=2 then took 47 s in the thread context in a full-tier run. Twice that.
  it.each([2, 3])(
    'a one-process pool runs calls in the order made across the workers maxTasksPerChild=%i replaces',
    {
      timeout: 95_000,
    },
    async (maxTasksPerChild) => {
      const pool = makePool({ processes: 1, context, maxTasksPerChild });
      // The k-th call (from 0) is call (k % maxTasksPerChild) + 1 of its worker.
      const expected = (from: number) =>
        Array.from({ length: 9 }, (_, i) => ((from + i) % maxTasksPerChild) + 1);
      const counts = (served: string[]) => served.map((s) => Number(s.split('#')[1]));
      const applied = await Promise.all(expected(0).map(() => pool.apply(t.served, [])));
      expect(counts(applied)).toEqual(expected(0));
      expect(new Set(applied.map((s) => s.split('#')[0])).size).toBe(Math.ceil(9 / maxTasksPerChild));
      const mapped = await pool.map(t.served, expected(9), { chunksize: 1 });
      expect(counts(mapped)).toEqual(expected(9));
    },
  );

  it('a worker killed outright in an explicit chunk names the item it was running', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool({ processes: 2, context });
    for (const bad of [3, 4]) {
      const items = Array.from({ length: 10 }, (_, x) => ({ x, bad, ms: 3 }));
      const error = await pool.map(t.slowItem, items, { chunksize: 5 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as WorkerCrashedError).taskIndex).toBe(bad);
    }
  });
});
