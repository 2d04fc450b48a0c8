import { Pool, WorkerCrashedError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/message-tasks.ts';

// What a task sent with sendToCaller() before its worker ended reaches onMessage before the call
// settles. Before, a child queued what its full pipe (~64 KiB) could not take, and that queue
// (with the result behind it) was never written when the child exited; a thread's last messages
// were still on their channel when its death settled the call, and were dropped.
function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe.each(matrix(import.meta.url))('sendToCaller() messages at a worker exit (%s)', (context) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 2, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it('a task that exits mid-task: every message it sent reaches onMessage before the call rejects', async () => {
    for (let round = 0; round < 5; round++) {
      const got: unknown[] = [];
      // A listener that takes its time (a pause every 200 messages) leaves the thread's last
      // messages on their channel when its exit is seen.
      const onMessage = (m: unknown) => {
        if (got.push(m) % 200 === 0) busyFor(2);
      };
      const failure = await pool.apply(tasks.burstThenExit, [20_000, 'now'], { onMessage }).then(
        () => undefined,
        (error: unknown) => ({ error, seen: got.length }),
      );
      expect(failure?.error).toBeInstanceOf(WorkerCrashedError);
      expect(failure?.seen).toBe(20_000);
    }
  }, 60_000);

  it('a task that returns after a burst and exits a turn later keeps its result and its messages', async () => {
    for (let round = 0; round < 3; round++) {
      const got: unknown[] = [];
      const result = await pool.apply(tasks.burstThenExit, [5_000, 'later'], {
        onMessage: (m) => got.push(m),
      });
      expect([result, got.length]).toEqual([5_000, 5_000]);
    }
  }, 60_000);

  it("a starmap whose item ends its worker: that item's messages reach onMessage before the starmap rejects", async () => {
    const got: string[] = [];
    const failure = await pool
      .starmap(
        tasks.itemBurstThenExit,
        [1, 2, 3].map((x) => [x, 10_000] as [number, number]),
        { chunksize: 1, onMessage: (m) => got.push(m as string) },
      )
      .then(
        () => undefined,
        (error: unknown) => ({ error, fromItem2: got.filter((m) => m.startsWith('2:')).length }),
      );
    expect(failure?.error).toBeInstanceOf(WorkerCrashedError);
    expect(failure?.fromItem2).toBe(10_000);
  }, 60_000);
});
