// What a pool worker does for each answer beyond the result (issue 18, session 61): tinypool's
// `usedMemory` field is read only for `maxMemoryLimitBeforeRecycle`, which a Pool never sets, and
// `process.memoryUsage()` reads `/proc` for the RSS it also returns: in a worker of a busy process
// that read waited milliseconds per map chunk. So no answer calls it.
import { Pool } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/answer-cost-tasks.mjs';

describe.each(['thread', 'process'] as const)('a pool answer in the %s context', (context) => {
  it('does not call process.memoryUsage(), for calls and map chunks alike', async () => {
    // A program's first thread is started by tinypool's own entry (pool/worker-start.ts), which
    // reads it itself: the pool under test starts after that one.
    const first = new Pool({ processes: 1, context });
    await first.apply(tasks.square, [2]);
    await first.terminate();
    const pool = new Pool({ processes: 1, context });
    try {
      expect(await pool.apply(tasks.watch)).toBe('watching');
      expect(await pool.apply(tasks.square, [3])).toBe(9);
      expect(await pool.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 4, 9, 16]);
      expect(await pool.apply(tasks.calls)).toBe(0);
    } finally {
      await pool.terminate();
    }
  }, 30_000);
});
