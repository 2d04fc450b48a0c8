// A pool worker collects the queues and pipe ends its tasks dropped once it is idle
// (pool-dropped-copies.test.ts). It took the engine's `gc` from a new vm context made with
// `--expose-gc` set for that moment: a thread terminated while that context was being made (the
// program ending with an idle pool, `terminate()` right after a call) had V8 print "Exception
// thrown during bootstrapping" and some 400 lines of its own source into the program's output
// (Node 22, 2 of 12 runs of a program ending with an idle pool that had a queue copy). It now
// makes no context: the collection runs in the worker's own.
import { Pool } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/dropped-copy-tasks.mjs';

describe.each(matrix(import.meta.url))('an idle pool worker (%s)', (context) => {
  it('collects the copies its tasks dropped without making a vm context', async () => {
    await using pool = new Pool({ processes: 1, context });
    expect(await pool.apply(t.watchCollection, [])).toBe(true);
    const q = new Queue<number>();
    q.putNowait(1);
    expect(await pool.apply(t.takeSome, [q, 1])).toBe(1); // a copy made there: collected when idle
    q.close();
    let seen = await pool.apply(t.collectionSeen, []);
    for (const until = Date.now() + 10_000; !seen.collected && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await pool.apply(t.collectionSeen, []);
    }
    expect(seen).toEqual({ contexts: 0, collected: true });
  }, 30_000);
});
