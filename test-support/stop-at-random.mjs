// The driver of the packages' "first use stopped at a random point" fixtures. Each thread runs the
// fixture file itself, posts `{ imported }` once the package is imported, then `{ done, made, lazy }`
// when its first use ended (`done`: how long that took, in ms). The first thread runs to the end,
// to learn how long a first use takes; every other thread is stopped with worker.terminate() at a
// moment drawn anew over that time, two threads at a time so that the cores stay busy and the stops
// land at any step. Resolves to `{ threads, stopped, finished, sample }`: how many threads were
// stopped mid-way, how many finished, and what a finished thread reported (`made`, `lazy`).
import { Worker } from 'node:worker_threads';

/**
 * @param {URL} fixture - the fixture module, run by each thread
 * @param {number} threads - threads to stop, after the one that runs to the end
 */
export async function stopAtRandom(fixture, threads) {
  let spread = 0; // ms: the longest first use seen so far
  let stopped = 0;
  let finished = 0;
  let sample;
  const one = (stop = true) =>
    new Promise((resolve) => {
      const worker = new Worker(fixture);
      let done = false;
      worker.on('message', (m) => {
        if (m.imported !== undefined) {
          if (stop)
            setTimeout(() => {
              if (!done) stopped++;
              void worker.terminate();
            }, Math.random() * spread);
        } else {
          done = true;
          finished++;
          spread = Math.max(spread, m.done);
          sample = { made: m.made, lazy: m.lazy };
        }
      });
      worker.on('error', (err) => {
        console.error(err);
        process.exitCode = 1;
      });
      worker.on('exit', resolve);
    });
  await one(false);
  for (let i = 0; i < threads; i += 2) await Promise.all([one(), one()]);
  return { threads, stopped, finished, sample };
}
