// futures.ts: Python's concurrent.futures patterns on a Pool: submit, as_completed, wait, cancel, result(timeout).
import { type AsyncResult, defineTasks, isMain, Pool, TimeoutError } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  /** Returns `x * x` after `ms` milliseconds. */
  slowSquare: async (x: number, ms: number) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return x * x;
  },
});

/**
 * Python's `as_completed(futures)`: yields the index of each call as it settles. It races
 * wrappers (`then(() => i)`), never the AsyncResults themselves: an AsyncResult is a thenable, so
 * resolving with one, returning one from an async function, or `yield`ing one from an async
 * generator hands back its value (or throws its error) instead of the AsyncResult.
 */
async function* asCompleted(results: AsyncResult<unknown>[]): AsyncGenerator<number> {
  const pending = new Map(
    results.map((r, i) => [
      i,
      r.then(
        () => i,
        () => i,
      ),
    ]),
  );
  while (pending.size > 0) {
    const i = await Promise.race(pending.values());
    pending.delete(i);
    yield i;
  }
}

if (isMain()) {
  const pool = new Pool({ processes: 3 }); // ProcessPoolExecutor(max_workers=3): add context: 'process'
  try {
    // executor.submit(fn, *args) -> pool.applyAsync(task, args)
    const results = [
      pool.applyAsync(tasks.slowSquare, [1, 1500]),
      pool.applyAsync(tasks.slowSquare, [2, 10]),
      pool.applyAsync(tasks.slowSquare, [3, 700]),
    ];

    // wait(fs, return_when=FIRST_COMPLETED): race wrappers, as above
    const first = await Promise.race(
      results.map((r, i) =>
        r.then(
          () => i,
          () => i,
        ),
      ),
    );
    console.log('first done:', first, 'ready:', results.map((r) => r.ready()).join(' '));

    // for f in as_completed(fs): print(f.result())
    for await (const i of asCompleted(results)) console.log('completed:', i, '->', await results[i]);

    // f.result(timeout=0.05) -> r.get(50): TimeoutError; the task goes on
    const late = pool.applyAsync(tasks.slowSquare, [4, 300]);
    await late.get(50).catch((err) => console.log('get(50):', err instanceof TimeoutError));
    console.log('later:', await late.get(5000));

    // f.cancel() -> an AbortSignal; it also stops a task that is already running
    const controller = new AbortController();
    const doomed = pool.applyAsync(tasks.slowSquare, [5, 60_000], { signal: controller.signal });
    controller.abort();
    await doomed.catch((err) => console.log('cancelled:', err.name, doomed.successful()));
  } finally {
    await pool.terminate(); // executor.shutdown(cancel_futures=True); close() + join() for shutdown(wait=True)
  }
}

// Output:
// first done: 1 ready: false true false
// completed: 1 -> 4
// completed: 2 -> 9
// completed: 0 -> 1
// get(50): true
// later: 16
// cancelled: AbortError false
