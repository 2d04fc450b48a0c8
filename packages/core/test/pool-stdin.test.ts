// A pool worker's stdin is at its end at once, in both contexts, as a `Process` child's is and as
// Python's pool workers' is (os.devnull, bpo-5155): a task that reads it gets EOF instead of
// waiting forever. A forked pool child's stdin was a pipe its parent never wrote to or closed.
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/stdin-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

describe.each(matrix(import.meta.url))("a pool worker's stdin (%s)", (context) => {
  it('is at its end at once, for the first worker and for a replacement', { timeout: 60_000 }, async () => {
    const pool = makePool({ processes: 2, context, maxTasksPerChild: 1 });
    // 10 s: far more than an end that is there at once needs, far less than the test's timeout.
    const reads = await Promise.all([1, 2, 3, 4].map(() => pool.apply(t.readStdin, [10_000])));
    expect(reads).toEqual(['eof:', 'eof:', 'eof:', 'eof:']);
  });
});
