// Pool workers are numbered by a count that never repeats in their pool, as Python's
// `ForkPoolWorker-N`: a worker that replaces another (maxTasksPerChild) has a new name.
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

describe.each([
  ['thread', 'ThreadPoolWorker'],
  ['process', 'ProcessPoolWorker'],
] as const)('a %s pool', (context, kind) => {
  it('gives each new worker the next number, also a replacement after maxTasksPerChild', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, maxTasksPerChild: 1, context });
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push(await pool.apply(tasks.workerName, []));
    expect(names).toEqual([1, 2, 3, 4].map((n) => `${kind}-${n}`));
  });

  it('numbers workers that run side by side apart, and a second pool from 1 again', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 2, maxTasksPerChild: 2, context });
    const names = await pool.map(tasks.workerName, [1, 2, 3, 4, 5, 6, 7, 8], { chunksize: 1 });
    // Each name is used by one worker for at most 2 tasks: never reused after it retired.
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    expect(counts.size).toBeGreaterThanOrEqual(4);
    for (const name of counts.keys()) expect(name).toMatch(new RegExp(`^${kind}-\\d+$`));
    const other = makePool({ processes: 1, context });
    expect(await other.apply(tasks.workerName, [])).toBe(`${kind}-1`);
  });
});
