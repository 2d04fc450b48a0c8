// Crash attribution at the edges of a call (issue #12): a worker that dies after a call returned,
// before the call's reply was sent on, keeps that reply; only a call whose code ran dies with it.

import { Pool } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { failureTasks as t } from './fixtures/failure-tasks.ts';

const pools: Pool[] = [];
const queues: Queue[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  for (const q of queues.splice(0)) q.close();
});

describe.each(matrix(import.meta.url))('Pool crash attribution in %s context', (context) => {
  it("a worker that dies after a call returned, while it flushes that call's queue, keeps the reply", {
    timeout: 60_000,
  }, async () => {
    const pool = new Pool({ processes: 1, context });
    pools.push(pool);
    const queue = new Queue();
    queues.push(queue);
    const crashed = new Promise((resolve) => pool.once('crash', resolve));
    // The worker ends from a check phase its own call scheduled, while the call's queue copy waits
    // for its home to confirm the flush: its reply was committed before that wait.
    const first = pool.apply(t.finishThenExit, [queue, 21, 7]);
    await expect(first).resolves.toBe(42);
    expect(await queue.get()).toBe(21);
    await crashed; // the worker did die, after its call
  });
});
