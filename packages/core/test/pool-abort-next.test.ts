import { Pool } from '@multiproc/core';
import { afterEach, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/message-tasks.ts';

let pool: Pool | undefined;
afterEach(async () => {
  await pool?.terminate();
});

// tinypool may hand its next batch to a worker the pool is stopping to abort another call: that
// batch has not started there, so it runs on another worker instead of failing with the abort.
it.each(matrix(import.meta.url))(
  'a call made right after an aborted map never fails for that abort (%s)',
  async (context) => {
    pool = new Pool({ processes: 2, context });
    const failures: string[] = [];
    for (let round = 0; round < 6; round++) {
      const controller = new AbortController();
      const aborted = await pool
        .map(tasks.item, [1, 2, 3, 4, 5, 6], {
          chunksize: 2,
          signal: controller.signal,
          onMessage: () => controller.abort(),
        })
        .catch((e: Error) => e.name);
      expect(aborted).toBe('AbortError');
      await pool.map(tasks.square, [1, 2]).catch((e: Error) => failures.push(e.message));
    }
    expect(failures).toEqual([]);
  },
  60_000,
);
