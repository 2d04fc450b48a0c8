// A timeout that passes before a pool's workers answered any call of the task says what the time
// may have gone to: a worker's first task also waits for the worker to start and import the task's
// module. Python's pool example, ported as `await pool.applyAsync(tasks.f, [20]).get(1000)`, timed
// out under tsx with only "The result was not ready within 1000 ms.", as if squaring took a second.
// Once a call of the task was answered, a timeout says only what it said before.
import { TimeoutError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/slow-import-tasks.mjs';
import { ownedWorkers } from './helpers.ts';

const own = ownedWorkers();
const HINT = /No call of this task had finished in this pool yet: .*first task .*import the task's module/;

async function rejection(p: Promise<unknown>): Promise<Error> {
  const error = await p.then(
    () => new Error('resolved'),
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(TimeoutError);
  return error;
}

describe.each(matrix(import.meta.url))('in the %s context', (context) => {
  it('a first call that times out names the first task of each worker', { timeout: 60_000 }, async () => {
    const pool = own.pool({ processes: 1, context });
    const first = pool.applyAsync(tasks.square, [20]);
    expect((await rejection(first.get(300))).message).toMatch(HINT);
    expect((await rejection(pool.apply(tasks.twice, [1], { timeout: 300 }))).message).toMatch(HINT);
    expect((await rejection(pool.map(tasks.half, [1, 2], { timeout: 300 }))).message).toMatch(HINT);
    expect(await first).toBe(400); // the call goes on
    // Another task of the same module has not been answered yet: its first timeout explains too.
    expect((await rejection(pool.applyAsync(tasks.sleep, [1000]).get(300))).message).toMatch(HINT);
    await pool.apply(tasks.sleep, [1]);
    // Answered once: a later timeout of that task is only a timeout.
    const late = await rejection(pool.applyAsync(tasks.sleep, [1000]).get(300));
    expect(late.message).toBe('The result was not ready within 300 ms.');
    const timedOut = await rejection(pool.apply(tasks.sleep, [1000], { timeout: 300 }));
    expect(timedOut.message).toBe('The task did not finish within 300 ms.');
    // A timeout of 0 is a deadline already passed: nothing to explain.
    expect((await rejection(pool.apply(tasks.half, [1], { timeout: 0 }))).message).not.toMatch(HINT);
  });
});
