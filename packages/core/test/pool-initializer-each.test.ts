// A pool's initializer runs once in every worker the pool starts, as it starts, tasks or not (as
// Python's `Pool(processes=n, initializer=f)` does): `close()` and `join()` with no task submitted
// has run it exactly n times, once in each worker. It used to be a race: a worker that finished
// its own initializer before another had loaded took that one's start too, and the other never
// ran it. Each case is looped, since a race shows only now and then.
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/init-each-tasks.mjs';
import { poolMaker, reports } from './helpers.ts';

const makePool = poolMaker();
const queues: Queue<string>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

function reportQueue(): Queue<string> {
  const q = new Queue<string>();
  queues.push(q);
  return q;
}

describe.each(matrix(import.meta.url))('the initializer in every worker (%s)', (context) => {
  it('runs once in each of n workers with no task, close() and join() (n = 1..4, looped)', {
    timeout: 240_000,
  }, async () => {
    for (let i = 0; i < 30; i++) {
      const processes = (i % 4) + 1;
      const q = reportQueue();
      const pool = makePool({ processes, context, initializer: t.report, initargs: [q] });
      pool.close();
      await pool.join();
      const ran = await reports(q, processes);
      expect(new Set(ran).size, `run ${i}: ${ran.join(', ')}`).toBe(processes);
      q.close();
    }
  });

  it('runs once in each worker when calls come with the pool, each call after it', {
    timeout: 120_000,
  }, async () => {
    for (let i = 0; i < 6; i++) {
      const processes = (i % 3) + 2;
      const q = reportQueue();
      const pool = makePool({ processes, context, initializer: t.report, initargs: [q] });
      const seen = await pool.map(
        t.who,
        Array.from({ length: 2 * processes }, () => []),
        { chunksize: 1 },
      );
      pool.close();
      await pool.join();
      const ran = await reports(q, processes);
      expect(new Set(ran).size).toBe(processes);
      for (const { worker, initializedIn } of seen as { worker: string; initializedIn: string }[]) {
        expect(initializedIn).toBe(worker);
        expect(ran).toContain(worker);
      }
      q.close();
    }
  });

  it('starts no worker beyond the ones the pool keeps to run the initializer', {
    timeout: 60_000,
  }, async () => {
    const q = reportQueue();
    const pool = makePool({ processes: 4, minProcesses: 1, context, initializer: t.report, initargs: [q] });
    const first = (await pool.apply(t.who, [])) as { worker: string; initializedIn: string };
    expect(first.initializedIn).toBe(first.worker);
    pool.close();
    await pool.join();
    expect(await reports(q, 1)).toEqual([first.worker]);
  });

  it('runs it in a replacement before its first task (maxTasksPerChild, a crash)', {
    timeout: 60_000,
  }, async () => {
    const q = reportQueue();
    const pool = makePool({
      processes: 1,
      maxTasksPerChild: 1,
      context,
      initializer: t.report,
      initargs: [q],
    });
    const workers = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const { worker, initializedIn } = (await pool.apply(t.who, [])) as {
        worker: string;
        initializedIn: string;
      };
      expect(initializedIn).toBe(worker);
      workers.add(worker);
    }
    const crash = await pool.apply(t.exit, [3]).catch((error: Error) => error);
    expect((crash as Error).name).toBe('WorkerCrashedError');
    const after = (await pool.apply(t.who, [])) as { worker: string; initializedIn: string };
    expect(after.initializedIn).toBe(after.worker);
    expect(workers.has(after.worker)).toBe(false);
    expect(workers.size).toBe(3);
  });
});
