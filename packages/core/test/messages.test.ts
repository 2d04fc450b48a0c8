import { Pool } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/pool-tasks.ts';

// The tests of a context share one pool: messages are routed per call, whatever ran before.
describe.each(matrix(import.meta.url))('messages from inside a task (%s)', (context) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 2, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it("an apply call's messages have all reached onMessage when it resolves", async () => {
    for (let round = 0; round < 20; round++) {
      const got: unknown[] = [];
      const seen = await pool
        .apply(tasks.progress, [5, 'r'], { onMessage: (m) => got.push(m) })
        .then(() => got.length);
      expect(seen).toBe(5);
    }
  });

  it('delivers sendToCaller() values to onMessage, per call', async () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    const [ra, rb] = await Promise.all([
      pool.apply(tasks.progress, [3, 'a'], { onMessage: (m) => a.push(m) }),
      pool.apply(tasks.progress, [2, 'b'], { onMessage: (m) => b.push(m) }),
    ]);
    expect([ra, rb]).toEqual(['a', 'b']);
    await expect.poll(() => a.length).toBe(3);
    expect(a).toEqual([
      { tag: 'a', step: 0 },
      { tag: 'a', step: 1 },
      { tag: 'a', step: 2 },
    ]);
    await expect.poll(() => b.length).toBe(2);
    const fromMap: unknown[] = [];
    await pool.starmap(
      tasks.progress,
      [
        [1, 'm1'],
        [1, 'm2'],
      ],
      { onMessage: (m) => fromMap.push(m) },
    );
    await expect.poll(() => fromMap.length).toBe(2);
    expect(await pool.apply(tasks.progress, [1, 'quiet'])).toBe('quiet');
  });

  it('loses no message of a map, however late the channel delivers it', async () => {
    const got: unknown[] = [];
    const args = Array.from({ length: 300 }, (_, i) => [2, `m${i}`] as [number, string]);
    await pool.starmap(tasks.progress, args, { chunksize: 7, onMessage: (m) => got.push(m) });
    // Every message the workers sent is still routed to this call once it has settled.
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(600);
  });

  it("a message sent after its task returned reaches no call's onMessage, and sendToCaller() returns false", async () => {
    // One worker, so the late message is sent while the next call runs there.
    const single = new Pool({ processes: 1, context });
    try {
      const first: unknown[] = [];
      const second: unknown[] = [];
      expect(await single.apply(tasks.lateMessage, [30, 'a'], { onMessage: (m) => first.push(m) })).toBe('a');
      const returned = await single.apply(tasks.awaitLate, [], { onMessage: (m) => second.push(m) });
      expect(returned).toBe(false);
      // The call that is running gets only its own messages, before and after the late one.
      await single.apply(tasks.progress, [2, 'own'], { onMessage: (m) => second.push(m) });
      expect(second).toEqual([
        { tag: 'own', step: 0 },
        { tag: 'own', step: 1 },
      ]);
      expect(first).toEqual([]);
    } finally {
      await single.terminate();
    }
  });
});
