/** Ans5: `Pool({ processes: 4 })`, `map` of a square over 1..10, `close()`, `join()`. */
import { requireApi } from '../api.js';
import { check, type Example } from '../example.js';
import { pyRepr } from '../format.js';
import { tasks } from '../tasks/source.js';

const EXPECTED = '[1, 4, 9, 16, 25, 36, 49, 64, 81, 100]';

export const ans5: Example = {
  name: 'ans5',
  title: 'Ans5 · Pool.map of a square over 1..10',
  summary: 'Pool({ processes: 4 }).map(square, 1..10), close(), join(): prints the list as Python does',
  needs: ['Pool'],
  backends: ['local', 'bullmq'],
  async run({ out, pool: makePool }) {
    requireApi(['Pool']);
    // Create a pool of 4 workers, as the source does: a local Pool, or with --backend bullmq the
    // same Pool whose tasks run on Redis workers.
    const pool = makePool({ processes: 4 });
    const args = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    let results: number[];
    try {
      // Distribute the work across the workers and get the results, in input order.
      results = await pool.map(tasks.workerFunction, args);
    } catch (err) {
      await pool.terminate();
      throw err;
    }
    // Close the pool and wait for its workers to finish.
    pool.close();
    await pool.join();
    // Python's list repr, not Node's default array layout.
    const printed = pyRepr(results);
    out.line(printed);
    check(printed === EXPECTED, `expected ${EXPECTED}, got ${printed}`);
    return { output: [printed], results };
  },
};
