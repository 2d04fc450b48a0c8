/**
 * Fault tolerance: a worker dies mid-`map`. The call reports the failed item with
 * `WorkerCrashedError`; the pool replaces the worker, every other item still completes, and the
 * pool goes on working.
 */
import { check, type Example } from '../example.js';
import { pyRepr } from '../format.js';
import { withPool } from '../lifecycle.js';
import { FATAL_ITEM as FATAL, tasks } from '../tasks/faults.js';

const ITEMS = [1, 2, 3, 4, 5, 6, 7, 8];

interface Crash {
  name: string;
  taskIndex?: number;
  exitCode?: number | null;
  signal?: string | null;
}

function crashOf(err: unknown): Crash {
  const e = err as Error & { taskIndex?: number; exitCode?: number | null; signal?: string | null };
  return { name: e.name, taskIndex: e.taskIndex, exitCode: e.exitCode, signal: e.signal };
}

const how = (c: Crash) => (c.signal ? `killed by ${c.signal}` : `exit code ${c.exitCode}`);

export const faults: Example = {
  name: 'faults',
  title: 'Fault tolerance · a worker dies mid-map',
  summary: 'a worker killed mid-map: the failed item is reported, the pool replaces it and finishes the rest',
  needs: ['Pool', 'WorkerCrashedError'],
  async run({ context, out }) {
    return withPool({ processes: 2, context }, async (pool) => {
      out.note(`map(squareOrDie, ${pyRepr(ITEMS)}): the worker that gets ${FATAL} dies (${context} context)`);
      let mapCrash: Crash | undefined;
      try {
        await pool.map(tasks.squareOrDie, ITEMS, { chunksize: 1 });
      } catch (err) {
        mapCrash = crashOf(err);
      }
      check(
        mapCrash?.name === 'WorkerCrashedError',
        `map should reject with WorkerCrashedError, got ${mapCrash?.name}`,
      );
      const item = mapCrash.taskIndex === undefined ? 'an item' : `item ${ITEMS[mapCrash.taskIndex]}`;
      out.line(`  map rejected: ${mapCrash.name} at ${item} (worker ${how(mapCrash)})`);

      out.note('The same items one call each (applyAsync): the others all complete');
      const settled = await Promise.allSettled(
        ITEMS.map((x) => pool.applyAsync(tasks.squareOrDie, [x]).get()),
      );
      const results = settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
      const failures = settled.flatMap((s, i) =>
        s.status === 'rejected' ? [{ item: ITEMS[i], ...crashOf(s.reason) }] : [],
      );
      out.line(`  results: ${pyRepr(results).replace('None', '✗')}`);
      for (const f of failures) out.line(`  item ${f.item} failed: ${f.name} (worker ${how(f)})`);
      out.line(`  ${results.length - failures.length} of ${ITEMS.length} items done`);
      check(
        failures.length === 1 && failures[0]?.item === FATAL,
        `expected only item ${FATAL} to fail, got ${JSON.stringify(failures)}`,
      );

      // The dead workers were replaced: the pool still has its workers and still works.
      const after = await pool.map(tasks.squareOrDie, [1, 2, 3, 4], { chunksize: 1 });
      const stats = pool.stats();
      out.line(`  afterwards: ${stats.workers} workers, map(1..4) -> ${pyRepr(after)}`);
      check(pyRepr(after) === '[1, 4, 9, 16]', `the pool's next map gave ${pyRepr(after)}`);
      return { map: mapCrash, results, failures, after, stats };
    });
  },
};
