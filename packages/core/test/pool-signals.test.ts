// One AbortSignal shared by many pending calls (piscina's users hit Node's leak warning there):
// the pool adds one 'abort' listener per signal, aborts every call that watches it, and keeps
// none once the calls settle. A call's `timeout` counts from its submission, time in the queue too.

import { getContext, TimeoutError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/edge-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
/** The process warnings emitted while `run` runs, and one macrotask after. */
async function warningsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (w: Error) => seen.push(w.name);
  process.on('warning', onWarning);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

describe.each(matrix(import.meta.url))('one AbortSignal for many calls, %s context', (context) => {
  it('runs 50 pending calls on one signal without a leak warning', async () => {
    const pool = makePool({ processes: 2, context });
    const { signal } = new AbortController();
    const warnings = await warningsDuring(async () => {
      const calls = Array.from({ length: 40 }, (_, i) => pool.apply(t.echo, [i], { signal }));
      const maps = Array.from({ length: 10 }, (_, i) => pool.map(t.echo, [i, i], { signal }));
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(await Promise.all(maps)).toEqual(Array.from({ length: 10 }, (_, i) => [i, i]));
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('aborts every pending call that shares the signal, and the pool runs on', async () => {
    const pool = makePool({ processes: 2, context });
    const controller = new AbortController();
    const { signal } = controller;
    const calls = Array.from({ length: 15 }, () => pool.apply(t.sleep, [60_000], { signal }));
    const settled = Promise.allSettled(calls);
    controller.abort('stop');
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as Error).name)).toEqual(
      Array.from({ length: 15 }, () => 'AbortError'),
    );
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as Error).cause)).toEqual(
      Array.from({ length: 15 }, () => 'stop'),
    );
    expect(await pool.apply(t.echo, ['after'])).toBe('after');
  });
});

describe.each(matrix(import.meta.url))("a call's timeout, %s context", (context) => {
  it('counts the time the call waits for a free worker: one never started times out, and never runs', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const ctx = getContext(context);
    const [release, ran] = [ctx.Event(), ctx.Event()];
    // The only worker is busy until `release` is set, which happens only after the timeout.
    const busy = pool.apply(t.waitFor, [release]);
    const queued = pool.apply(t.mark, [ran], { timeout: 1 });
    await expect(queued).rejects.toBeInstanceOf(TimeoutError);
    await release.set();
    expect(await busy).toBe('released');
    expect(await pool.apply(t.echo, ['after'])).toBe('after'); // the queue ran dry: mark would have run
    expect(await ran.isSet()).toBe(false);
  });
});
