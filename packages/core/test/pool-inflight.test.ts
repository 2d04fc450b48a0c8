// CONTRACT (Pool): imap/imapUnordered consume their input lazily, "at most `inflight` chunks are read
// ahead of the consumer", also before the first chunk came back (when the call still learns its
// chunk size and used to read one item per worker, whatever `inflight` said).
import { Pool } from '@multiproc/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';

let pool: Pool;
beforeAll(async () => {
  pool = new Pool({ processes: 4, context: 'thread' });
  await pool.map(tasks.square, [1, 2, 3, 4]); // every worker up
});
afterAll(() => pool.terminate());

for (const method of ['imap', 'imapUnordered'] as const) {
  for (const inflight of [1, 2, 3]) {
    it(`${method} with inflight ${inflight} below the worker count reads at most ${inflight} items ahead of its consumer`, async () => {
      let read = 0;
      // 100 ms items: the chunk size the call learns stays at one item, so items are chunks here.
      function* endless() {
        for (;;) {
          read++;
          yield 100;
        }
      }
      const results = pool[method](tasks.spin, endless(), { inflight })[Symbol.asyncIterator]();
      await results.next();
      // Every chunk read has come back by now: the consumer alone holds the call up.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(read - 1).toBeLessThanOrEqual(inflight);
      await results.return?.();
    });
  }
}
