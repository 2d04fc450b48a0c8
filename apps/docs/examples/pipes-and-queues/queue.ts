// queue.ts: producers and consumers on one Queue, in threads and processes at once.
import { defineTasks, isMain, Process, Queue } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  produce: async (q: Queue<number | null>, from: number) => {
    for (let i = from; i < from + 5; i++) await q.put(i);
  },
  consume: async (q: Queue<number | null>, results: Queue<number>) => {
    let sum = 0;
    for (let v = await q.get(); v !== null; v = await q.get()) sum += v;
    await results.put(sum);
  },
});

if (isMain()) {
  const q = new Queue<number | null>({ maxsize: 4 }); // put() waits while 4 items wait
  const results = new Queue<number>();
  const producers = [0, 100].map(
    (from, i) =>
      new Process({
        target: tasks.produce,
        args: [q, from],
        context: i === 0 ? 'thread' : 'process',
      }),
  );
  const consumers = [1, 2].map(() => new Process({ target: tasks.consume, args: [q, results] }));
  const all = [...producers, ...consumers];
  try {
    for (const p of all) p.start();
    for (const p of producers) await p.join();
    for (const _ of consumers) await q.put(null); // one stop signal per consumer
    const sums = [await results.get(), await results.get()];
    console.log('total:', sums[0]! + sums[1]!); // 0+1+2+3+4 + 100+...+104
  } finally {
    await Promise.all(all.map((p) => p.terminate()));
  }
}

// Output:
// total: 520
