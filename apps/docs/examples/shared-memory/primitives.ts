// primitives.ts: SharedArray, Event and Barrier shared with worker threads.
import { Barrier, defineTasks, Event, isMain, Process, SharedArray } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  fill: async (slots: SharedArray<'d'>, index: number, start: Event, line: Barrier) => {
    await start.wait(); // every worker waits for the same signal
    slots.set(index, index * 1.5);
    const arrival = await line.wait(); // and meets the others here: 0..parties-1
    if (arrival === 0) console.log('everyone has written');
  },
});

if (isMain()) {
  const slots = new SharedArray('d', 3); // three float64 slots, zeroed
  const start = new Event();
  const line = new Barrier(3);
  const workers = [0, 1, 2].map((i) => new Process({ target: tasks.fill, args: [slots, i, start, line] }));
  try {
    for (const w of workers) w.start();
    start.set();
    for (const w of workers) await w.join();
    console.log(slots.toArray(), slots.get(-1)); // negative indexes count from the end
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// Output:
// everyone has written
// [ 0, 1.5, 3 ] 3
