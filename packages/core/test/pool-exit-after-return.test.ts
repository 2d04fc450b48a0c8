// A task that returned its value and then calls process.exit() at once (in a microtask, or in the
// reaction to a resolved promise) or a turn later (a timer) has finished: its result is delivered,
// also a 64 MiB one, and the worker, which exited, is replaced.
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/close-imap-tasks.mjs';
import { poolMaker } from './helpers.ts';

describe.each(matrix(import.meta.url))(
  'a result returned just before process.exit(), %s context',
  (context) => {
    const makePool = poolMaker();

    it.each(['microtask', 'reaction'] as const)(
      'is delivered when the task exits in a %s right after returning; the worker is replaced',
      async (how) => {
        const pool = makePool({ processes: 1, context });
        const exits: Array<number | null> = [];
        pool.on('workerDestroy', (exit) => exits.push(exit.exitCode));
        // The first call also loads the task module in the worker; the second runs a loaded task.
        expect(await pool.apply(tasks.returnThenExit, [{ n: 1 }, how])).toEqual({ n: 1 });
        expect(await pool.apply(tasks.returnThenExit, ['two', how])).toBe('two');
        expect(await pool.apply(tasks.square, [4])).toBe(16);
        expect(exits).toEqual([3, 3]);
        pool.close();
        await pool.join();
      },
    );

    it('a 64 MiB result is delivered whole when the task exits in a microtask right after returning', async () => {
      const pool = makePool({ processes: 1, context });
      const text = await pool.apply(tasks.bigThenExit, [64]);
      expect(text.length).toBe(64 * 1024 * 1024);
      expect(text.startsWith('xxxx') && text.endsWith('xxxx')).toBe(true);
      expect(await pool.apply(tasks.square, [5])).toBe(25);
      pool.close();
      await pool.join();
    });

    it.each(['immediate', 0, 30] as const)(
      'a 5 MiB result is delivered whole when the task exits a turn later (%s); a map chunk too',
      async (how) => {
        const pool = makePool({ processes: 1, context });
        const text = await pool.apply(tasks.bigThenExitLater, [5, how]);
        expect(text.length).toBe(5 * 1024 * 1024);
        const [chunk] = await pool.starmap(tasks.bigThenExitLater, [[5, how]]);
        expect(chunk?.length).toBe(5 * 1024 * 1024);
        expect(await pool.apply(tasks.square, [6])).toBe(36);
        pool.close();
        await pool.join();
      },
    );

    // tinypool drops a child's own answer once it saw the child exit, and the exit can be seen
    // while the host still parses the big answer ahead of it: the chunk's results, read before its
    // death was judged, were discarded and the map failed with WorkerCrashedError (4 of 60 under
    // load, more the bigger the results).
    it('a map chunk of 16 MiB whose worker exits a turn later keeps its results, every time', async () => {
      const pool = makePool({ processes: 1, context });
      for (let round = 0; round < 10; round++) {
        const [chunk] = await pool.starmap(tasks.bigThenExitLater, [[16, 0]]);
        expect(chunk?.length).toBe(16 * 1024 * 1024);
      }
      pool.close();
      await pool.join();
    }, 120_000);
  },
);
