/**
 * Ans4, the Pool: `applyAsync` with callbacks, `imap` streaming results in input order,
 * `imapUnordered` in completion order, then `close()` and `join()`.
 */

import { requireApi } from '../api.js';
import { check, type Example } from '../example.js';
import { formatMs } from '../format.js';
import { tasks } from '../tasks/pool.js';

// Finishing times chosen so that completion order differs from input order.
const ITEMS = [
  { value: 'a', ms: 150 },
  { value: 'b', ms: 20 },
  { value: 'c', ms: 100 },
  { value: 'd', ms: 50 },
];

export const ans4: Example = {
  name: 'ans4',
  title: 'Ans4 · the Pool: applyAsync with callbacks, imap, imapUnordered, close/join',
  summary: 'applyAsync with callback/errorCallback, imap in input order, imapUnordered in completion order',
  needs: ['Pool', 'AsyncResult'],
  async run({ context, out }) {
    const { Pool } = requireApi(['Pool']);
    const pool = new Pool({ processes: ITEMS.length, context });
    try {
      // applyAsync returns an AsyncResult at once; callbacks run in this thread as results arrive.
      out.note('applyAsync: four calls submitted at once, callbacks fire as each finishes');
      const callbacks: string[] = [];
      const results = [3, 1, 2].map((x) =>
        pool.applyAsync(tasks.slowSquare, [x, x * 40], {
          callback: (value) => {
            callbacks.push(`callback: ${x}² = ${value}`);
            out.line(`  callback: ${x}² = ${value}`);
          },
        }),
      );
      const failing = pool.applyAsync(tasks.fail, ['no square for you'], {
        errorCallback: (err) => {
          const e = err as Error;
          callbacks.push(`errorCallback: ${e.name}`);
          out.line(`  errorCallback: ${e.name}: ${e.message}`);
        },
      });
      // Each AsyncResult is awaitable; get() waits for the value (or rejects with the error).
      const values = await Promise.all(results.map((r) => r.get()));
      await failing.wait();
      out.line(
        `  get(): ${values.join(', ')}; the failing call: ready() ${failing.ready()}, successful() ${failing.successful()}`,
      );
      check(values.join() === '9,1,4', `applyAsync results ${values.join()}`);
      check(callbacks.length === 4, `${callbacks.length} callbacks ran, expected 4`);

      out.note(
        `imap: results stream in input order (items take ${ITEMS.map((i) => `${i.ms}`).join('/')} ms)`,
      );
      const ordered: string[] = [];
      let started = performance.now();
      for await (const value of pool.imap(tasks.delayed, ITEMS, { chunksize: 1 })) {
        ordered.push(value);
        out.line(`  imap -> ${value}  (at ${formatMs(performance.now() - started)})`);
      }
      out.note('imapUnordered: the same items, yielded as each one finishes');
      const unordered: string[] = [];
      started = performance.now();
      for await (const value of pool.imapUnordered(tasks.delayed, ITEMS, { chunksize: 1 })) {
        unordered.push(value);
        out.line(`  imapUnordered -> ${value}  (at ${formatMs(performance.now() - started)})`);
      }
      check(ordered.join('') === 'abcd', `imap order ${ordered.join('')}`);
      check([...unordered].sort().join('') === 'abcd', `imapUnordered gave ${unordered.join('')}`);
      // close(): no more work is accepted; join(): waits for the workers to finish and exit.
      pool.close();
      let afterClose = 'accepted';
      try {
        pool.applyAsync(tasks.slowSquare, [4, 0]);
      } catch (err) {
        afterClose = (err as Error).name;
      }
      await pool.join();
      out.line(`  close(), then applyAsync() -> ${afterClose}; join() -> all workers exited`);
      check(afterClose === 'PoolClosedError', `applyAsync after close(): ${afterClose}`);
      return { callbacks, applyAsync: values, imap: ordered, imapUnordered: unordered, afterClose };
    } catch (err) {
      await pool.terminate();
      throw err;
    }
  },
};
