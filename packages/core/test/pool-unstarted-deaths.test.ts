// A call whose worker dies before the call counts as started (here: its argument is too large for
// the worker's heap, so the worker dies of out-of-memory as it reads the batch, before any task
// code runs) was sent to the next worker without limit: the call never settled and workers were
// replaced forever. It now fails with WorkerCrashedError once it was in flight in
// MAX_UNSTARTED_DEATHS workers that died, and the calls batched with it complete.
import { WorkerCrashedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { MAX_UNSTARTED_DEATHS } from '../src/pool/dispatcher.ts';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

/**
 * About 12 MB of small objects once read, beyond what a 16 MB heap holds beside a worker's own
 * modules: the worker dies deserializing it. Not larger: each death copies it three times on the
 * host in the process context, seconds apiece on a loaded machine.
 */
const tooLarge = Array.from({ length: 250_000 }, (_, i) => ({ i, s: `item ${i}` }));

describe.each(matrix(import.meta.url))('a call that kills its worker before it starts (%s)', (context) => {
  const makePool = poolMaker();

  it('rejects with WorkerCrashedError after a bounded number of deaths; the calls beside it complete', async () => {
    const pool = makePool({ processes: 1, context, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    let crashes = 0;
    pool.on('crash', () => crashes++);
    // Fast calls first: the pool learns the task is quick and batches its next calls. Then the
    // three calls, submitted in one turn, go to the one worker in one batch.
    await Promise.all(Array.from({ length: 64 }, (_, i) => pool.apply(tasks.square, [i])));
    const before = pool.apply(tasks.square, [2]);
    const fatal = pool.apply(tasks.echo, [tooLarge]).then(
      () => undefined,
      (e: unknown) => e,
    );
    const after = pool.apply(tasks.square, [3]);
    const err = await fatal;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as WorkerCrashedError).reason).toBe('out of memory');
    expect((err as WorkerCrashedError).message).toContain(`in ${MAX_UNSTARTED_DEATHS} workers that died`);
    expect(await before).toBe(4);
    expect(await after).toBe(9);
    // Never sent again: no further worker dies, and the pool serves the next call.
    expect(await pool.apply(tasks.square, [5])).toBe(25);
    expect(crashes).toBe(MAX_UNSTARTED_DEATHS);
  }, 90_000);

  it("fails a map call whose chunk kills its worker so, naming the chunk's item", async () => {
    const pool = makePool({ processes: 1, context, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    const err = await pool.map(tasks.echo, [1, tooLarge, 3], { chunksize: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as WorkerCrashedError).taskIndex).toBe(1);
    expect(await pool.apply(tasks.square, [4])).toBe(16);
  }, 90_000);
});
